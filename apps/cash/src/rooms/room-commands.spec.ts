import { RoomErrorCode, createRoom } from '@hoot/domain';
import { CashErrorCode } from '../cash-error';
import { checkMove, conferenceMovedInput, participantRoomCommand } from './room-commands';

describe('room commands (pure)', () => {
  it('checkMove refuses a move from this CoreMX and returning people named twice; accepts the rest', () => {
    const people = [{ identity: 'alice', role: 'publisher' as const }];
    expect(() => checkMove({ movedFrom: { coremxId: 'me', reason: 'drain' } }, 'me')).toThrow(
      expect.objectContaining({ code: CashErrorCode.MovedFromSelf }),
    );
    expect(() =>
      checkMove(
        { returning: people, movedFrom: { coremxId: 'other', reason: 'drain', participants: people } },
        'me',
      ),
    ).toThrow(expect.objectContaining({ code: RoomErrorCode.INVALID_ROOM }));
    expect(() => checkMove({ movedFrom: { coremxId: 'other', reason: 'drain' } }, 'me')).not.toThrow();
    expect(() => checkMove({ returning: people }, 'me')).not.toThrow();
  });

  it('conferenceMovedInput names where the conference moved, at the time the room was made', () => {
    const created = createRoom({ id: 'standup', type: 'm2m', createdAt: Date.UTC(2026, 0, 1) });
    if (!created.ok) throw new Error(created.message);
    const here = { coremxId: 'coremx-b', mixerAddress: 'coremx-b.c1.hoot.mx' };
    expect(conferenceMovedInput(created.room, undefined, here)).toEqual([]);
    expect(conferenceMovedInput(created.room, { coremxId: 'coremx-a', reason: 'drain' }, here)).toEqual([
      {
        type: 'conference.moved',
        conferenceId: 'standup',
        occurredAt: new Date(Date.UTC(2026, 0, 1)),
        data: {
          fromCoremxId: 'coremx-a',
          toCoremxId: 'coremx-b',
          toAddress: 'hoot.mx://standup@coremx-b.c1.hoot.mx',
          reason: 'drain',
        },
      },
    ]);
  });

  it('participantRoomCommand says who does what, and when', () => {
    expect(participantRoomCommand({ type: 'raiseHand' }, 'p-1', 5)).toEqual({
      type: 'raiseHand',
      at: 5,
      participantId: 'p-1',
    });
    expect(participantRoomCommand({ type: 'end' }, 'p-1', 5)).toEqual({ type: 'end', at: 5, by: 'p-1' });
    expect(participantRoomCommand({ type: 'kick', target: 'p-2' }, 'p-1', 5)).toEqual({
      type: 'kick',
      at: 5,
      by: 'p-1',
      target: 'p-2',
    });
    expect(participantRoomCommand({ type: 'unban', identity: 'bob' }, 'p-1', 5)).toEqual({
      type: 'unban',
      at: 5,
      by: 'p-1',
      identity: 'bob',
    });
    expect(participantRoomCommand({ type: 'addChild', text: 'hi' }, 'p-1', 5)).toEqual({
      type: 'addChild',
      at: 5,
      by: 'p-1',
      text: 'hi',
    });
  });
});
