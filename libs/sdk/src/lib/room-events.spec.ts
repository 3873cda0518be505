import { pushEvent, roomChangeEvents } from './room-events';
import { participant, roomView } from './signaling-fakes.fixture';

const a = participant('p-1', { role: 'publisher' });
const b = participant('p-2');

describe('room events', () => {
  it('turns the differences of two views into events, in order, then change', () => {
    const before = roomView([a, b]);
    const after = roomView([{ ...b, role: 'publisher', handRaised: true }], { ownerId: 'p-2' });
    expect(roomChangeEvents(before, after, new Set())).toEqual([
      { event: 'participant-left', payload: a },
      {
        event: 'role-changed',
        payload: { participant: after.participants['p-2'], from: 'viewer', to: 'publisher' },
      },
      { event: 'hand-raised', payload: after.participants['p-2'] },
      { event: 'owner-changed', payload: { from: 'p-1', to: 'p-2' } },
      { event: 'change', payload: after },
    ]);
    expect(roomChangeEvents(undefined, before, new Set(['p-1', 'p-2']))).toEqual([
      { event: 'change', payload: before },
    ]);
  });

  it('passes pushes on as events: the requester as the room knows it, screen streams marked', () => {
    const view = roomView([a, b]);
    expect(pushEvent({ type: 'publish-request', participantId: 'p-2' }, view)).toEqual({
      event: 'publish-request',
      payload: { participantId: 'p-2', participant: b },
    });
    expect(pushEvent({ type: 'publish-request', participantId: 'toString' }, view).payload).toEqual({
      participantId: 'toString',
      participant: undefined,
    });
    expect(pushEvent({ type: 'stream-ready', publisherId: 'p-1', stream: 'screen' }, view)).toEqual({
      event: 'stream-ready',
      payload: { publisherId: 'p-1', stream: 'screen' },
    });
    expect(pushEvent({ type: 'stream-ended', publisherId: 'p-1' }, view)).toEqual({
      event: 'stream-ended',
      payload: { publisherId: 'p-1' },
    });
    expect(pushEvent({ type: 'reoffer', reason: 'media-server-restart' }, view)).toEqual({
      event: 'reoffer',
      payload: { reason: 'media-server-restart' },
    });
  });
});
