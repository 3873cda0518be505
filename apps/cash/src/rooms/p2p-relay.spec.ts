import { RoomErrorCode, applyRoomCommand, createRoom, type Room, type RoomType } from '@hoot/domain';
import { CashErrorCode } from '../cash-error';
import { RecordingChannel } from '../testing/recording-channel';
import { p2pSignalRecipient, relayP2pSignal } from './p2p-relay';
import { RoomTable } from './room-table';

function roomWith(type: RoomType, identities: string[]): Room {
  const created = createRoom({ id: 'call', type, createdAt: 0 });
  if (!created.ok) throw new Error(created.message);
  let room = created.room;
  identities.forEach((identity, i) => {
    const joined = applyRoomCommand(room, {
      type: 'join',
      at: i + 1,
      participantId: `p-${i + 1}`,
      identity,
      ticketId: `t-${identity}`,
    });
    if (!joined.ok) throw new Error(joined.message);
    room = joined.room;
  });
  return room;
}

const offer = { kind: 'offer', sdp: 'v=0' } as const;
const answer = { kind: 'answer', sdp: 'v=0' } as const;

describe('p2pSignalRecipient (pure)', () => {
  it("sends the callee's offer to the caller and the caller's answer to the callee", () => {
    const room = roomWith('p2p', ['alice', 'bob']);
    expect(p2pSignalRecipient(room, 'p-2', offer)).toBe('p-1');
    expect(p2pSignalRecipient(room, 'p-1', answer)).toBe('p-2');
  });

  it('refuses an offer from the caller, a lone side, an outsider and a room on the media server', () => {
    expect(() => p2pSignalRecipient(roomWith('p2p', ['alice', 'bob']), 'p-1', offer)).toThrow(
      expect.objectContaining({ code: CashErrorCode.P2pSignalRefused }),
    );
    expect(() => p2pSignalRecipient(roomWith('p2p', ['alice']), 'p-1', answer)).toThrow(
      expect.objectContaining({ code: CashErrorCode.P2pSignalRefused }),
    );
    expect(() => p2pSignalRecipient(roomWith('p2p', ['alice', 'bob']), 'p-9', answer)).toThrow(
      expect.objectContaining({ code: RoomErrorCode.NOT_IN_ROOM }),
    );
    expect(() => p2pSignalRecipient(roomWith('m2m', ['alice', 'bob']), 'p-2', offer)).toThrow(
      expect.objectContaining({ code: CashErrorCode.WrongRoomMedia }),
    );
  });
});

describe('relayP2pSignal', () => {
  it("hands the signal to the other side's channel, and refuses an unknown room", async () => {
    const table = new RoomTable();
    const holder = table.open(roomWith('p2p', ['alice', 'bob']));
    const caller = new RecordingChannel();
    holder.channels.set('p-1', caller);
    await relayP2pSignal(table, 'call', 'p-2', offer);
    expect(caller.ofType('p2p-signal')).toEqual([{ type: 'p2p-signal', from: 'p-2', signal: offer }]);
    await expect(relayP2pSignal(table, 'nowhere', 'p-2', offer)).rejects.toMatchObject({
      code: CashErrorCode.RoomNotFound,
    });
  });
});
