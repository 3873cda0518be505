import fc from 'fast-check';
import { ROOM_TIMEOUT_DEFAULTS, emptySince, expiryReason, isExpired, roomExpiresAt } from './room-lifecycle';
import { T0, joinOf, newRoom, run } from './room.fixture';
import { applyRoomCommand } from './room-rules';

const timeouts = { emptyTimeoutMs: 60_000, reservationTimeoutMs: 600_000 };

describe('room lifecycle', () => {
  it('expires a reserved room nobody joined after the reservation timeout', () => {
    const room = newRoom('m2m');
    expect(roomExpiresAt(room, timeouts)).toBe(T0 + 600_000);
    expect(isExpired(room, T0 + 599_999, timeouts)).toBe(false);
    expect(expiryReason(room, T0 + 600_000, timeouts)).toBe('reservation-timeout');
  });

  it('never expires an active room', () => {
    const room = run(newRoom('m2m'), joinOf('alice')).room;
    expect(roomExpiresAt(room, timeouts)).toBeUndefined();
    expect(isExpired(room, T0 + 10 * 365 * 86_400_000, timeouts)).toBe(false);
    expect(emptySince(room)).toBeUndefined();
  });

  it('expires a room the empty timeout after its last participant left, unless someone comes back', () => {
    const active = run(newRoom('m2m'), joinOf('alice'), joinOf('bob')).room;
    const empty = run(
      active,
      { type: 'leave', at: T0 + 1_000, participantId: 'bob' },
      { type: 'leave', at: T0 + 2_000, participantId: 'alice' },
    ).room;
    expect(emptySince(empty)).toBe(T0 + 2_000);
    expect(isExpired(empty, T0 + 61_999, timeouts)).toBe(false);
    expect(expiryReason(empty, T0 + 62_000, timeouts)).toBe('empty-timeout');
    const back = run(empty, joinOf('bob-2', { identity: 'bob', at: T0 + 30_000 })).room;
    expect(isExpired(back, T0 + 1_000_000, timeouts)).toBe(false);
  });

  it('lets an ended room go at once, and ends an expiring room with its reason', () => {
    const reserved = newRoom('p2p');
    const reason = expiryReason(reserved, T0 + 600_000, timeouts);
    const ended = applyRoomCommand(reserved, {
      type: 'end',
      at: T0 + 600_000,
      reason: 'reservation-timeout',
    });
    expect(ended).toMatchObject({ ok: true, events: [{ type: 'room.ended', reason }] });
    const room = ended.ok ? ended.room : reserved;
    expect(expiryReason(room, T0 + 600_000, timeouts)).toBe('ended');
    expect(roomExpiresAt(room, timeouts)).toBe(T0 + 600_000);
  });

  it('uses documented defaults', () => {
    expect(ROOM_TIMEOUT_DEFAULTS).toEqual({ emptyTimeoutMs: 120_000, reservationTimeoutMs: 1_800_000 });
    expect(roomExpiresAt(newRoom('m2m'))).toBe(T0 + 1_800_000);
  });

  it('is monotonic: once expired, a room stays expired as time goes on', () => {
    fc.assert(
      fc.property(
        fc.nat(3_600_000),
        fc.nat(3_600_000),
        fc.nat(3_600_000),
        fc.boolean(),
        (t1, dt, leaveAfter, joined) => {
          const room = joined
            ? run(newRoom('m2m'), joinOf('a'), { type: 'leave', at: T0 + leaveAfter, participantId: 'a' })
                .room
            : newRoom('m2m');
          expect(!isExpired(room, T0 + t1, timeouts) || isExpired(room, T0 + t1 + dt, timeouts)).toBe(true);
          expect(isExpired(room, T0 + t1, timeouts)).toBe(
            T0 + t1 >= (roomExpiresAt(room, timeouts) ?? Infinity),
          );
        },
      ),
    );
  });
});
