import { diffRoom } from './room-diff';
import { participant, roomView } from './signaling-fakes.fixture';

const a = participant('p-1', { role: 'publisher' });
const b = participant('p-2');
const c = participant('p-3');

describe('diffRoom', () => {
  it('finds nothing between equal views, and nothing but arrivals for a first view', () => {
    const view = roomView([a, b]);
    expect(diffRoom(view, view)).toEqual([]);
    expect(diffRoom(undefined, view, new Set(['p-2']))).toEqual([
      { type: 'participant-joined', participant: a },
    ]);
  });

  it('lists departures, then arrivals, role and hand changes in join order, then owner and chat', () => {
    const before = roomView([a, b, { ...c, handRaised: true }], {
      children: [{ childId: 'c-1', by: 'p-1', identity: 'acc-p-1', text: 'old', at: 1 }],
    });
    const d = participant('p-4', { handRaised: true });
    const after = roomView([{ ...b, role: 'publisher', handRaised: true }, c, d], {
      ownerId: 'p-2',
      children: [
        { childId: 'c-1', by: 'p-1', identity: 'acc-p-1', text: 'old', at: 1 },
        { childId: 'c-2', by: 'p-3', identity: 'acc-p-3', text: 'new', at: 2 },
      ],
    });
    expect(diffRoom(before, after)).toEqual([
      { type: 'participant-left', participant: a },
      { type: 'role-changed', participant: after.participants['p-2'], from: 'viewer', to: 'publisher' },
      { type: 'hand-raised', participant: after.participants['p-2'] },
      { type: 'hand-lowered', participant: c },
      { type: 'participant-joined', participant: d },
      { type: 'hand-raised', participant: d },
      { type: 'owner-changed', from: 'p-1', to: 'p-2' },
      { type: 'chat', message: after.children[1] },
    ]);
  });

  it('does not report the ignored ids coming or going', () => {
    const before = roomView([a, b]);
    const after = roomView([a, c]);
    expect(diffRoom(before, after, new Set(['p-2', 'p-3']))).toEqual([]);
  });

  it('reports an owner that goes away', () => {
    expect(diffRoom(roomView([a]), roomView([a], { ownerId: null }))).toEqual([
      { type: 'owner-changed', from: 'p-1', to: null },
    ]);
  });
});
