import { RoomErrorCode } from '@hoot/domain';
import type { CcesPublisher } from '@hoot/events';
import { MediaError, MediaErrorCode } from '@hoot/media';
import { CashErrorCode } from '../cash-error';
import { RecordingChannel } from '../testing/recording-channel';
import { roomFixture, sdpOffer, type RoomFixture } from '../testing/room-fixture';
import { CLOSE_CODES } from './room-manager';

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

const types = (f: RoomFixture) => f.events.events.map((e) => e.type);

describe('RoomManager', () => {
  it('runs a full m2m session and publishes exactly the expected CCES events, gap-free', async () => {
    const f = roomFixture();
    await f.rooms.reserve({ id: 'standup', type: 'm2m', owner: 'alice' });
    const alice = await join(f, 'standup', 'alice');
    const bob = await join(f, 'standup', 'bob');
    const carol = await join(f, 'standup', 'carol');
    expect([alice.id, bob.id, carol.id]).toEqual(['p-1', 'p-2', 'p-3']);
    expect(alice.channel.ofType('joined')[0].room.participants['p-1'].role).toBe('publisher');
    expect(bob.channel.ofType('joined')[0].room.participants['p-2'].role).toBe('viewer');

    await f.rooms.publish('standup', alice.id, ['audio', 'video'], sdpOffer(), 'r1');
    expect(alice.channel.ofType('publish-answer')).toEqual([
      { type: 'publish-answer', re: 'r1', sdpAnswer: expect.stringContaining('v=0') },
    ]);
    expect(alice.channel.ofType('ice').length).toBeGreaterThan(0);
    expect(bob.channel.ofType('stream-ready')).toEqual([{ type: 'stream-ready', publisherId: 'p-1' }]);

    await f.rooms.subscribe('standup', bob.id, alice.id, sdpOffer(), 'r2');
    expect(bob.channel.ofType('subscribe-answer')[0]).toMatchObject({ re: 'r2', publisherId: 'p-1' });
    expect(f.media.connections()).toHaveLength(1);
    expect(f.media.pipelines()).toHaveLength(1);

    await f.rooms.command('standup', carol.id, { type: 'raiseHand' });
    expect(alice.channel.ofType('publish-request')).toEqual([
      { type: 'publish-request', participantId: 'p-3' },
    ]);
    await f.rooms.command('standup', alice.id, { type: 'approve', target: carol.id });
    expect(f.rooms.view('standup')?.participants['p-3'].role).toBe('publisher');
    await f.rooms.publish('standup', carol.id, ['audio'], sdpOffer(['audio']));

    await f.rooms.leave('standup', alice.id);
    expect(f.rooms.view('standup')?.ownerId).toBe('p-3');
    expect(bob.channel.ofType('stream-ended')).toEqual([{ type: 'stream-ended', publisherId: 'p-1' }]);
    expect(f.media.connections()).toHaveLength(0);

    await f.rooms.command('standup', carol.id, { type: 'kick', target: bob.id });
    expect(bob.channel.ofType('kicked')).toEqual([{ type: 'kicked', by: 'p-3' }]);
    expect(bob.channel.closedWith?.code).toBe(CLOSE_CODES.kicked);

    expect(types(f)).toEqual([
      'room.reserved',
      'room.started',
      'participant.joined', // alice, publisher
      'room.owner-changed', // null → alice
      'participant.joined', // bob
      'participant.joined', // carol
      'stream.published', // alice
      'hand.raised',
      'hand.approved',
      'participant.role-changed',
      'stream.published', // carol
      'stream.unpublished', // alice leaves
      'participant.left',
      'room.owner-changed', // alice → carol
      'participant.kicked',
    ]);
    expect(f.events.events.map((e) => e.seq)).toEqual(f.events.events.map((_, i) => i + 1));
    expect(f.events.ofType('room.reserved')[0].data.address).toBe('hoot.mx://standup@coremx-test.c1.hoot.mx');
    expect(f.events.ofType('room.owner-changed').map((e) => e.data)).toEqual([
      { from: null, to: 'p-1' },
      { from: 'p-1', to: 'p-3' },
    ]);
  });

  it('sends every observer versioned patches that follow from its snapshot', async () => {
    const f = roomFixture();
    const alice = await join(f, 'patches', 'alice');
    const bob = await join(f, 'patches', 'bob');
    const before = bob.channel.ofType('joined')[0].room.version;
    await f.rooms.command('patches', bob.id, { type: 'raiseHand' });
    await f.rooms.command('patches', alice.id, { type: 'addChild', text: 'hello' });
    const patches = bob.channel.ofType('patch').map((m) => m.patch);
    expect(patches.map((p) => [p.fromVersion, p.toVersion])).toEqual([
      [before, before + 1],
      [before + 1, before + 2],
    ]);
    expect(f.rooms.view('patches')?.children.map((c) => c.text)).toEqual(['hello']);
    // the domain's child.added is never published as such (chat is chat.message: room-manager-chat.spec)
    expect(types(f)).not.toContain('child.added');
  });

  it('holds the publisher cap under 20 concurrent approvals (8 free slots)', async () => {
    const f = roomFixture();
    await f.rooms.reserve({ id: 'crowd', type: 'm2m', owner: 'owner' });
    const owner = await join(f, 'crowd', 'owner');
    const viewers = [];
    for (let i = 0; i < 20; i++) viewers.push(await join(f, 'crowd', `viewer-${i}`));
    for (const v of viewers) await f.rooms.command('crowd', v.id, { type: 'raiseHand' });
    const results = await Promise.allSettled(
      viewers.map((v) => f.rooms.command('crowd', owner.id, { type: 'approve', target: v.id })),
    );
    const refused = results.filter((r) => r.status === 'rejected');
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(8);
    expect(refused).toHaveLength(12);
    expect(refused.map((r) => (r as PromiseRejectedResult).reason.code)).toEqual(
      Array(12).fill(RoomErrorCode.ROOM_FULL),
    );
    expect(f.rooms.info('crowd')?.publishers).toBe(9);
    expect(f.events.ofType('hand.approved')).toHaveLength(8);
  });

  it('refuses video in a2m before any media work, changing nothing', async () => {
    const f = roomFixture();
    await f.rooms.reserve({ id: 'radio', type: 'a2m', owner: 'alice' });
    const alice = await join(f, 'radio', 'alice');
    const version = f.rooms.info('radio')?.version;
    await expect(f.rooms.publish('radio', alice.id, ['audio', 'video'], sdpOffer())).rejects.toMatchObject({
      code: RoomErrorCode.VIDEO_NOT_ALLOWED,
    });
    expect(f.media.calls.filter((c) => c.operation === 'createEndpoint')).toHaveLength(0);
    expect(f.rooms.info('radio')?.version).toBe(version);
    await f.rooms.publish('radio', alice.id, ['audio'], sdpOffer(['audio']));
    expect(f.media.pipelines()[0].endpoints[0].audioOnly).toBe(true);
  });

  it('relays p2p signaling with no media pipeline; the callee offers to the caller', async () => {
    const f = roomFixture();
    await f.rooms.reserve({ id: 'call', type: 'p2p', owner: 'alice' });
    const caller = await join(f, 'call', 'alice');
    const callee = await join(f, 'call', 'bob');
    expect(callee.channel.ofType('joined')[0].p2p).toEqual({
      callerId: 'p-1',
      calleeId: 'p-2',
      offererId: 'p-2',
    });
    await expect(
      f.rooms.relayP2pSignal('call', caller.id, { kind: 'offer', sdp: sdpOffer() }),
    ).rejects.toMatchObject({ code: CashErrorCode.P2pSignalRefused });
    await f.rooms.relayP2pSignal('call', callee.id, { kind: 'offer', sdp: sdpOffer() });
    expect(caller.channel.ofType('p2p-signal')).toEqual([
      { type: 'p2p-signal', from: 'p-2', signal: { kind: 'offer', sdp: sdpOffer() } },
    ]);
    await f.rooms.relayP2pSignal('call', caller.id, { kind: 'answer', sdp: sdpOffer() });
    expect(callee.channel.ofType('p2p-signal')[0].from).toBe('p-1');
    await expect(f.rooms.subscribe('call', callee.id, caller.id, sdpOffer())).rejects.toMatchObject({
      code: CashErrorCode.WrongRoomMedia,
    });
    await expect(f.rooms.publish('call', caller.id, ['audio'], sdpOffer())).rejects.toMatchObject({
      code: CashErrorCode.WrongRoomMedia,
    });
    await f.rooms.publish('call', caller.id, ['audio', 'video']);
    expect(f.rooms.view('call')?.participants['p-1'].streams).toEqual(['audio', 'video']);
    expect(f.media.calls).toEqual([]);
    await expect(join(f, 'call', 'carol')).rejects.toMatchObject({ code: RoomErrorCode.P2P_FULL });
  });

  it('rebuilds rooms on fresh pipelines after a media server restart and takes re-offers', async () => {
    const f = roomFixture();
    const alice = await join(f, 'rebuild', 'alice');
    const bob = await join(f, 'rebuild', 'bob');
    await f.rooms.publish('rebuild', alice.id, ['audio', 'video'], sdpOffer());
    await f.rooms.subscribe('rebuild', bob.id, alice.id, sdpOffer());
    const oldPipeline = f.media.pipelines()[0].ref.id;

    f.media.restart();
    await f.media.renew();
    await f.rooms.rebuildAll();

    expect(alice.channel.ofType('reoffer')).toEqual([{ type: 'reoffer', reason: 'media-server-restarted' }]);
    expect(bob.channel.ofType('reoffer')).toHaveLength(1);
    expect(f.events.ofType('room.rebuilt').map((e) => e.data)).toEqual([
      { reason: 'media-server-restarted', participants: 2, streams: 1 },
    ]);
    expect(f.media.pipelines().map((p) => p.ref.id)).not.toContain(oldPipeline);
    expect(f.media.pipelines()).toHaveLength(1);
    // membership and roles are untouched
    expect(f.rooms.info('rebuild')).toMatchObject({ participants: 2, publishers: 1, mediaStreams: 0 });

    const published = f.events.ofType('stream.published').length;
    await f.rooms.publish('rebuild', alice.id, ['audio', 'video'], sdpOffer(), 're-1');
    expect(alice.channel.ofType('publish-answer').map((m) => m.re)).toContain('re-1');
    expect(f.events.ofType('stream.published')).toHaveLength(published);
    await f.rooms.subscribe('rebuild', bob.id, alice.id, sdpOffer());
    expect(f.media.connections()).toHaveLength(1);
  });

  it('expires reserved and empty rooms on the injected clock; an ended room refuses joins', async () => {
    const f = roomFixture();
    await f.rooms.reserve({ id: 'unused', type: 'm2m' });
    const a = await join(f, 'emptied', 'alice');
    await f.rooms.leave('emptied', a.id);
    f.clock.advance(59_999);
    await f.rooms.sweep();
    expect(f.rooms.has('emptied')).toBe(true);
    f.clock.advance(1);
    await f.rooms.sweep();
    expect(f.rooms.has('emptied')).toBe(false);
    await expect(join(f, 'emptied', 'bob')).rejects.toMatchObject({ code: RoomErrorCode.ROOM_ENDED });
    f.clock.advance(600_000);
    await f.rooms.sweep();
    expect(f.rooms.has('unused')).toBe(false);
    expect(f.events.ofType('room.ended').map((e) => [e.conferenceId, e.data.reason])).toEqual([
      ['emptied', 'empty-timeout'],
      ['unused', 'reservation-timeout'],
    ]);
    // after the retention an id may start a new room (a new conference under an old id)
    await join(f, 'emptied', 'bob');
    expect(f.rooms.info('emptied')).toMatchObject({ status: 'active', participants: 1 });
  });

  it('sweeps by itself once started', async () => {
    const f = roomFixture();
    await f.rooms.reserve({ id: 'timer', type: 'm2m' });
    f.rooms.start();
    f.clock.advance(600_000);
    await new Promise((resolve) => setImmediate(resolve));
    expect(f.rooms.has('timer')).toBe(false);
    f.rooms.stop();
    expect(f.clock.pendingTimers).toBe(0);
  });

  it('changes nothing when the media server refuses the offer, and releases the endpoint', async () => {
    const f = roomFixture();
    const alice = await join(f, 'sdp', 'alice');
    const version = f.rooms.info('sdp')?.version;
    f.media.failNext(
      'processOffer',
      new MediaError(MediaErrorCode.SdpRejected, 'bad sdp', { kurentoCode: 40208 }),
    );
    await expect(f.rooms.publish('sdp', alice.id, ['audio'], sdpOffer(['audio']))).rejects.toMatchObject({
      code: CashErrorCode.SdpRejected,
    });
    expect(f.rooms.info('sdp')).toMatchObject({ version, mediaStreams: 0 });
    expect(f.events.ofType('stream.published')).toHaveLength(0);
    expect(f.media.pipelines()[0].endpoints).toHaveLength(0);
    // and the participant can try again
    await f.rooms.publish('sdp', alice.id, ['audio'], sdpOffer(['audio']));
    expect(f.events.ofType('stream.published')).toHaveLength(1);
  });

  it('changes nothing when the event journal refuses the events', async () => {
    const failing: CcesPublisher = {
      publish: async () => {
        throw new Error('journal full');
      },
      backlog: () => 0,
    };
    const f = roomFixture({ events: failing });
    await expect(f.rooms.reserve({ id: 'nojournal', type: 'm2m' })).rejects.toMatchObject({
      code: CashErrorCode.EventsUnavailable,
    });
    expect(f.rooms.has('nojournal')).toBe(false);
  });

  it('refuses a kicked ticket forever, and subscriptions to absent or unready publishers', async () => {
    const f = roomFixture();
    const alice = await join(f, 'kick', 'alice');
    const bob = await join(f, 'kick', 'bob');
    await expect(f.rooms.subscribe('kick', alice.id, alice.id, sdpOffer())).rejects.toMatchObject({
      code: CashErrorCode.CannotSubscribeSelf,
    });
    await expect(f.rooms.subscribe('kick', bob.id, alice.id, sdpOffer())).rejects.toMatchObject({
      code: CashErrorCode.StreamNotReady,
    });
    await expect(f.rooms.subscribe('kick', bob.id, 'p-99', sdpOffer())).rejects.toMatchObject({
      code: RoomErrorCode.TARGET_NOT_IN_ROOM,
    });
    await expect(f.rooms.command('kick', bob.id, { type: 'kick', target: alice.id })).rejects.toMatchObject({
      code: RoomErrorCode.NOT_A_PUBLISHER,
    });
    await f.rooms.command('kick', alice.id, { type: 'kick', target: bob.id });
    await expect(join(f, 'kick', 'bob')).rejects.toMatchObject({ code: RoomErrorCode.TICKET_KICKED });
  });

  it('ends a room for everyone through the service API', async () => {
    const f = roomFixture();
    const alice = await join(f, 'ending', 'alice');
    await f.rooms.publish('ending', alice.id, ['audio'], sdpOffer(['audio']));
    await f.rooms.end('ending');
    expect(alice.channel.ofType('room-ended')).toEqual([{ type: 'room-ended', reason: 'system' }]);
    expect(alice.channel.closedWith?.code).toBe(CLOSE_CODES.roomEnded);
    expect(f.media.pipelines()).toHaveLength(0);
    expect(f.events.ofType('room.ended')[0].data).toEqual({
      by: null,
      reason: 'system',
      participantIds: ['p-1'],
    });
    await expect(f.rooms.end('ending')).rejects.toMatchObject({ code: RoomErrorCode.ROOM_ENDED });
    await expect(f.rooms.end('never')).rejects.toMatchObject({ code: CashErrorCode.RoomNotFound });
  });
});
