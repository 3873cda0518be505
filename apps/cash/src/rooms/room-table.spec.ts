import { RoomErrorCode, createRoom, type Room } from '@hoot/domain';
import { CashErrorCode } from '../cash-error';
import { RoomTable, roomInfoOf } from './room-table';

function room(id: string, extra: { owner?: string; public?: boolean; allowed?: string[] } = {}): Room {
  const created = createRoom({ id, type: 'm2m', createdAt: Date.UTC(2026, 0, 1), ...extra });
  if (!created.ok) throw new Error(created.message);
  return created.room;
}

describe('RoomTable', () => {
  it('keeps open rooms and answers why another id has none', () => {
    const table = new RoomTable();
    const holder = table.open(room('room-a'));
    expect(table.require('room-a')).toBe(holder);
    expect(table.isCurrent(holder)).toBe(true);
    expect(() => table.require('room-b')).toThrow(
      expect.objectContaining({ code: CashErrorCode.RoomNotFound }),
    );
    table.forget(holder);
    expect(table.has('room-a')).toBe(false);
    expect(() => table.assertOpen(holder)).toThrow(
      expect.objectContaining({ code: CashErrorCode.RoomNotFound }),
    );
  });

  it('remembers an ended room, who could join it, until the retention passes; a new reservation clears it', () => {
    const table = new RoomTable();
    const ended = room('room-a', { owner: 'alice', allowed: ['bob'] });
    const holder = table.open(ended);
    table.markEnded(ended, 1_000);
    expect(table.has('room-a')).toBe(false);
    expect(table.hasEnded('room-a')).toBe(true);
    expect(table.endedAccess('room-a')).toEqual({ creator: ended.creator, public: false, allowed: ['bob'] });
    expect(() => table.require('room-a')).toThrow(
      expect.objectContaining({ code: RoomErrorCode.ROOM_ENDED }),
    );
    expect(() => table.assertOpen(holder)).toThrow(
      expect.objectContaining({ code: RoomErrorCode.ROOM_ENDED }),
    );
    table.forgetEndedBefore(1_999, 1_000);
    expect(table.hasEnded('room-a')).toBe(true);
    table.forgetEndedBefore(2_000, 1_000);
    expect(table.hasEnded('room-a')).toBe(false);
    expect(table.endedAccess('room-a')).toBeUndefined();
    table.markEnded(ended, 3_000);
    table.clearEnded('room-a');
    expect(table.hasEnded('room-a')).toBe(false);
  });

  it('roomInfoOf summarises a room', () => {
    const table = new RoomTable();
    const holder = table.open(room('room-a'));
    expect(roomInfoOf(holder)).toEqual({
      id: 'room-a',
      type: 'm2m',
      status: holder.room.status,
      version: holder.room.version,
      createdAt: '2026-01-01T00:00:00.000Z',
      creator: holder.room.creator,
      ownerId: null,
      participants: 0,
      publishers: 0,
      viewers: 0,
      mediaStreams: 0,
      hasPipeline: false,
    });
  });
});
