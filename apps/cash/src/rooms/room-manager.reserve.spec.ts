/** RoomManager: reservations by the registry — idempotence, room.reserved v2, moves, reopens, size and journal refusals, ends by the owner. */
import { RoomErrorCode } from '@hoot/domain';
import { CCES_MAX_VALUE_BYTES } from '@hoot/events';
import { CashErrorCode } from '../cash-error';
import { RecordingChannel } from '../testing/recording-channel';
import { roomFixture, type RoomFixture } from '../testing/room-fixture';

const join = (
  f: RoomFixture,
  roomId: string,
  identity: string,
  channel = new RecordingChannel(),
  extra = {},
) =>
  f.rooms
    .join({ roomId, identity, ticketId: `t-${identity}`, ...extra }, channel)
    .then((id) => ({ id, channel }));

describe('RoomManager reservations', () => {
  it('reserves idempotently and refuses a different type under the same id', async () => {
    const f = roomFixture();
    expect((await f.rooms.reserve({ id: 'twice', type: 'm2m' })).created).toBe(true);
    expect((await f.rooms.reserve({ id: 'twice', type: 'm2m' })).created).toBe(false);
    await expect(f.rooms.reserve({ id: 'twice', type: 'p2p' })).rejects.toMatchObject({
      code: CashErrorCode.RoomExists,
    });
    await expect(f.rooms.reserve({ id: 'Bad Id', type: 'm2m' })).rejects.toMatchObject({
      code: RoomErrorCode.INVALID_ROOM,
    });
    expect(f.events.ofType('room.reserved')).toHaveLength(1);
  });

  it('publishes room.reserved v2 with public, allowed and the participant limit', async () => {
    const f = roomFixture();
    await f.rooms.reserve({
      id: 'town-hall',
      type: 'p2m',
      owner: 'acc-alice',
      public: true,
      allowed: ['acc-bob', 'acc-carol'],
      maxParticipants: 500,
    });
    await f.rooms.reserve({ id: 'private', type: 'm2m', owner: 'acc-alice' });
    expect(f.events.ofType('room.reserved').map((e) => [e.schemaVersion, e.conferenceId, e.data])).toEqual([
      [
        2,
        'town-hall',
        {
          roomType: 'p2m',
          creator: 'acc-alice',
          address: 'hoot.mx://town-hall@coremx-test.c1.hoot.mx',
          public: true,
          allowed: ['acc-bob', 'acc-carol'],
          maxParticipants: 500,
        },
      ],
      [
        2,
        'private',
        {
          roomType: 'm2m',
          creator: 'acc-alice',
          address: 'hoot.mx://private@coremx-test.c1.hoot.mx',
          public: false,
          allowed: null,
          maxParticipants: null,
        },
      ],
    ]);
    expect(f.rooms.access('town-hall')).toEqual({
      creator: 'acc-alice',
      public: true,
      allowed: ['acc-bob', 'acc-carol'],
    });
    expect(f.rooms.access('private')).toEqual({ creator: 'acc-alice', public: false, allowed: null });
  });

  it('journals room.reserved then conference.moved for a re-homed conference; a repeat journals nothing', async () => {
    const f = roomFixture();
    await f.rooms.reserve({ id: 'elsewhere', type: 'm2m' });
    const movedFrom = { coremxId: 'coremx-dead', reason: 'coremx-down' } as const;
    const first = await f.rooms.reserve({ id: 'moved', type: 'm2m', owner: 'acc-alice', movedFrom });
    expect(first.created).toBe(true);
    const mine = () => f.events.events.filter((e) => e.conferenceId === 'moved');
    expect(mine().map((e) => [e.type, e.seq])).toEqual([
      ['room.reserved', 1],
      ['conference.moved', 2],
    ]);
    expect(f.events.ofType('conference.moved')[0]).toMatchObject({
      coremxId: 'coremx-test',
      conferenceId: 'moved',
      occurredAt: f.events.ofType('room.reserved')[1].occurredAt,
      data: {
        fromCoremxId: 'coremx-dead',
        toCoremxId: 'coremx-test',
        toAddress: 'hoot.mx://moved@coremx-test.c1.hoot.mx',
        reason: 'coremx-down',
      },
    });

    const before = f.events.events.length;
    const again = await f.rooms.reserve({ id: 'moved', type: 'm2m', owner: 'acc-alice', movedFrom });
    expect(again.created).toBe(false);
    expect(f.events.events).toHaveLength(before);
    // A room that is not new never gets a conference.moved, even when the reserve says it moved.
    await f.rooms.reserve({ id: 'elsewhere', type: 'm2m', movedFrom });
    expect(f.events.ofType('conference.moved')).toHaveLength(1);
  });

  it('refuses a move from this very CoreMX and creates nothing', async () => {
    const f = roomFixture();
    await expect(
      f.rooms.reserve({ id: 'loop', type: 'm2m', movedFrom: { coremxId: 'coremx-test', reason: 'manual' } }),
    ).rejects.toMatchObject({ code: CashErrorCode.MovedFromSelf });
    expect(f.rooms.has('loop')).toBe(false);
    expect(f.events.events).toEqual([]);
  });

  it('reopens on the same CoreMX with the people the platform closed the room on: roles and ownership come back', async () => {
    const f = roomFixture({ reconnectGraceMs: 30_000 });
    // The drained room was here (a StatefulSet pod keeps its CoreMX id): no movedFrom, its own list.
    const returning = [
      { identity: 'acc-alice', role: 'publisher' },
      { identity: 'acc-bob', role: 'publisher' },
      { identity: 'acc-carol', role: 'viewer' },
    ] as const;
    const reserved = await f.rooms.reserve({
      id: 'again',
      type: 'm2m',
      owner: 'acc-alice',
      returning: [...returning],
    });
    expect(reserved.created).toBe(true);
    expect(f.events.events.map((e) => e.type)).toEqual(['room.reserved']);
    f.clock.advance(5_000);
    // bob comes first, with the viewer ticket every non-creator gets: he publishes without asking.
    const bob = await join(f, 'again', 'acc-bob', undefined, { role: 'viewer' });
    const dave = await join(f, 'again', 'acc-dave', undefined, { role: 'viewer' });
    const alice = await join(f, 'again', 'acc-alice');
    const carol = await join(f, 'again', 'acc-carol', undefined, { role: 'viewer' });
    const view = f.rooms.view('again')!;
    expect(Object.fromEntries(Object.values(view.participants).map((p) => [p.identity, p.role]))).toEqual({
      'acc-alice': 'publisher',
      'acc-bob': 'publisher',
      'acc-carol': 'viewer',
      'acc-dave': 'viewer',
    });
    // The oldest returning publisher is the owner again, though bob came back first.
    expect(view.ownerId).toBe(alice.id);
    expect([bob.id, dave.id, carol.id]).not.toContain(view.ownerId);
  });

  it('keeps the roles of a moved conference until the old room could have drained, then the grace', async () => {
    const moved = (movedLeaveWithinMs?: number) =>
      roomFixture({ reconnectGraceMs: 30_000, ...(movedLeaveWithinMs ? { movedLeaveWithinMs } : {}) });
    const movedFrom = {
      coremxId: 'coremx-draining',
      reason: 'coremx-down' as const,
      participants: [{ identity: 'acc-bob', role: 'publisher' as const }],
    };
    const roleAfter = async (f: RoomFixture, ms: number) => {
      await f.rooms.reserve({ id: 'moved', type: 'm2m', owner: 'acc-alice', movedFrom });
      f.clock.advance(ms);
      await join(f, 'moved', 'acc-bob', undefined, { role: 'viewer' });
      return Object.values(f.rooms.view('moved')!.participants)[0].role;
    };
    // bob stays in the draining room until its 60 s deadline, then comes here 25 s later.
    expect(await roleAfter(moved(60_000), 85_000)).toBe('publisher');
    expect(await roleAfter(moved(60_000), 90_001)).toBe('viewer');
    expect(await roleAfter(moved(), 30_001)).toBe('viewer');
  });

  it('refuses a reserve that names its returning people twice, and creates nothing', async () => {
    const f = roomFixture();
    await expect(
      f.rooms.reserve({
        id: 'twice',
        type: 'm2m',
        returning: [{ identity: 'acc-bob', role: 'publisher' }],
        movedFrom: { coremxId: 'coremx-dead', reason: 'coremx-down', participants: [] },
      }),
    ).rejects.toMatchObject({ code: RoomErrorCode.INVALID_ROOM });
    expect(f.rooms.has('twice')).toBe(false);
    expect(f.events.events).toEqual([]);
  });

  it('refuses a reservation whose room.reserved consumers would refuse as too large, and creates nothing', async () => {
    const f = roomFixture();
    const allowed = (n: number) =>
      Array.from({ length: n }, (_, i) => `account-${String(i).padStart(6, '0')}`);
    await expect(
      f.rooms.reserve({ id: 'crowded', type: 'm2m', allowed: allowed(1_000) }),
    ).rejects.toMatchObject({
      code: CashErrorCode.ReservationTooLarge,
      message: expect.stringContaining(`at most ${CCES_MAX_VALUE_BYTES}`),
    });
    expect(f.rooms.has('crowded')).toBe(false);
    expect(f.events.events).toEqual([]);
    // A list that fits is published whole.
    await f.rooms.reserve({ id: 'crowded', type: 'm2m', allowed: allowed(300) });
    expect(f.events.ofType('room.reserved')[0].data.allowed).toHaveLength(300);
  });

  it('journals neither event of a move when one of them is refused', async () => {
    const f = roomFixture();
    await expect(
      f.rooms.reserve({
        id: 'half',
        type: 'm2m',
        movedFrom: { coremxId: 'Not A CoreMX', reason: 'manual' },
      }),
    ).rejects.toMatchObject({ code: CashErrorCode.EventsUnavailable });
    expect(f.rooms.has('half')).toBe(false);
    expect(f.events.events).toEqual([]);
  });

  it("ends a room for its conference's owner: reason ended, by = that identity", async () => {
    const f = roomFixture();
    await f.rooms.reserve({ id: 'owned', type: 'm2m', owner: 'acc-alice' });
    const bob = await join(f, 'owned', 'acc-bob');
    await f.rooms.end('owned', { by: 'acc-alice' });
    expect(bob.channel.ofType('room-ended')).toEqual([{ type: 'room-ended', reason: 'ended' }]);
    expect(f.events.ofType('room.ended').map((e) => e.data)).toEqual([
      { by: 'acc-alice', reason: 'ended', participantIds: [bob.id] },
    ]);
    expect(f.rooms.has('owned')).toBe(false);
  });
});
