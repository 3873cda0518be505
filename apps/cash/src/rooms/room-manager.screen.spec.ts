import { RoomErrorCode } from '@hoot/domain';
import { eventually } from '@hoot/testing';
import { CashErrorCode } from '../cash-error';
import { RecordingChannel } from '../testing/recording-channel';
import { roomFixture, sdpOffer, type RoomFixture } from '../testing/room-fixture';

const join = (f: RoomFixture, roomId: string, identity: string, channel = new RecordingChannel()) =>
  f.rooms.join({ roomId, identity, ticketId: `t-${identity}` }, channel).then((id) => ({ id, channel }));

const candidate = { candidate: 'candidate:1 1 udp 1 10.0.0.1 5000 typ host', sdpMid: '0', sdpMLineIndex: 0 };

/** m2m room: alice (creator, publisher with her camera), bob (viewer), carol (publisher by approval). */
async function sharingRoom(roomId = 'demo') {
  const f = roomFixture();
  await f.rooms.reserve({ id: roomId, type: 'm2m', owner: 'alice' });
  const alice = await join(f, roomId, 'alice');
  const bob = await join(f, roomId, 'bob');
  const carol = await join(f, roomId, 'carol');
  await f.rooms.command(roomId, carol.id, { type: 'raiseHand' });
  await f.rooms.command(roomId, alice.id, { type: 'approve', target: carol.id });
  await f.rooms.publish(roomId, alice.id, ['audio', 'video'], sdpOffer());
  return { f, alice, bob, carol };
}

const endpointCount = (f: RoomFixture) => f.media.pipelines().flatMap((p) => p.endpoints).length;

describe('RoomManager: screen share (a second stream per participant)', () => {
  it('publishes a screen on an endpoint of its own, beside the camera, and everyone is told which stream', async () => {
    const { f, alice, bob } = await sharingRoom();
    await f.rooms.publish('demo', alice.id, ['screen'], sdpOffer(['screen']), 's1');

    expect(alice.channel.ofType('publish-answer').at(-1)).toEqual({
      type: 'publish-answer',
      re: 's1',
      stream: 'screen',
      sdpAnswer: expect.stringContaining('m=video'),
    });
    expect(alice.channel.ofType('ice').filter((m) => m.stream === 'screen').length).toBeGreaterThan(0);
    expect(bob.channel.ofType('stream-ready')).toEqual([
      { type: 'stream-ready', publisherId: alice.id },
      { type: 'stream-ready', publisherId: alice.id, stream: 'screen' },
    ]);
    expect(endpointCount(f)).toBe(2);
    expect(f.rooms.view('demo')?.participants[alice.id].streams).toEqual(['audio', 'video', 'screen']);
    expect(f.events.ofType('stream.published').map((e) => e.data.kinds)).toEqual([
      ['audio', 'video'],
      ['screen'],
    ]);

    // Bob receives both: two subscriptions, each connected to its own source.
    await f.rooms.subscribe('demo', bob.id, alice.id, sdpOffer(), 'c');
    await f.rooms.subscribe('demo', bob.id, alice.id, sdpOffer(['screen']), 's', 'screen');
    expect(bob.channel.ofType('subscribe-answer').map((m) => [m.re, m.publisherId, m.stream])).toEqual([
      ['c', alice.id, undefined],
      ['s', alice.id, 'screen'],
    ]);
    const sources = f.media.connections().map((c) => c.sourceId);
    expect(new Set(sources).size).toBe(2);
    expect(bob.channel.ofType('ice').some((m) => m.publisherId === alice.id && m.stream === 'screen')).toBe(
      true,
    );

    // A candidate for the screen subscription goes to that endpoint, not to the camera's.
    f.rooms.addIceCandidate('demo', bob.id, alice.id, candidate, 'screen');
    const [cameraSink, screenSink] = f.media.connections().map((c) => c.sinkId);
    const stateOf = (id: string) =>
      f.media.endpointState(f.media.pipelines()[0].endpoints.find((e) => e.id === id)!);
    await eventually(() => expect(stateOf(screenSink).remoteCandidates).toHaveLength(1));
    expect(stateOf(cameraSink).remoteCandidates).toHaveLength(0);

    // Stopping the share ends only the screen: bob keeps the camera.
    await f.rooms.unpublish('demo', alice.id, 'u', 'screen');
    expect(alice.channel.ofType('ok').at(-1)).toEqual({ type: 'ok', re: 'u' });
    expect(bob.channel.ofType('stream-ended')).toEqual([
      { type: 'stream-ended', publisherId: alice.id, stream: 'screen' },
    ]);
    expect(f.media.connections().map((c) => c.sinkId)).toEqual([cameraSink]);
    expect(f.rooms.view('demo')?.participants[alice.id].streams).toEqual(['audio', 'video']);
    expect(f.events.ofType('stream.unpublished').map((e) => e.data.kinds)).toEqual([['screen']]);
    const patches = bob.channel.ofType('patch').map((m) => JSON.stringify(m.patch));
    expect(patches.some((p) => p.includes('screen'))).toBe(true);
  });

  it('unpublishing the camera leaves the screen shared', async () => {
    const { f, alice, bob } = await sharingRoom();
    await f.rooms.publish('demo', alice.id, ['screen'], sdpOffer(['screen']));
    await f.rooms.subscribe('demo', bob.id, alice.id, sdpOffer(['screen']), undefined, 'screen');
    await f.rooms.unpublish('demo', alice.id);
    expect(f.rooms.view('demo')?.participants[alice.id].streams).toEqual(['screen']);
    expect(bob.channel.ofType('stream-ended')).toEqual([]);
    expect(f.media.connections()).toHaveLength(1);
    expect(f.events.ofType('stream.unpublished').map((e) => e.data.kinds)).toEqual([['audio', 'video']]);
  });

  it('refuses what the rules refuse before any media work, changing nothing', async () => {
    const { f, alice, bob, carol } = await sharingRoom();
    const refused = async (promise: Promise<unknown>, code: string) => {
      const version = f.rooms.info('demo')?.version;
      const endpoints = endpointCount(f);
      await expect(promise).rejects.toMatchObject({ code });
      expect(f.rooms.info('demo')?.version).toBe(version);
      expect(endpointCount(f)).toBe(endpoints);
    };
    await refused(
      f.rooms.publish('demo', bob.id, ['screen'], sdpOffer(['screen'])),
      RoomErrorCode.NOT_A_PUBLISHER,
    );
    await refused(
      f.rooms.subscribe('demo', bob.id, alice.id, sdpOffer(['screen']), undefined, 'screen'),
      CashErrorCode.StreamNotReady,
    );
    await refused(
      f.rooms.unpublish('demo', alice.id, undefined, 'screen'),
      RoomErrorCode.STREAM_NOT_PUBLISHED,
    );
    await refused(
      f.rooms.unsubscribe('demo', bob.id, alice.id, undefined, 'screen'),
      CashErrorCode.NotSubscribed,
    );

    await f.rooms.publish('demo', alice.id, ['screen'], sdpOffer(['screen']));
    await refused(
      f.rooms.publish('demo', alice.id, ['screen'], sdpOffer(['screen'])),
      CashErrorCode.AlreadyPublishing,
    );
    // One screen in the room at a time: carol waits for alice to stop.
    await refused(
      f.rooms.publish('demo', carol.id, ['screen'], sdpOffer(['screen'])),
      RoomErrorCode.SCREEN_SHARE_TAKEN,
    );
    await f.rooms.unpublish('demo', alice.id, undefined, 'screen');
    await f.rooms.publish('demo', carol.id, ['screen'], sdpOffer(['screen']));
    expect(f.rooms.view('demo')?.participants[carol.id].streams).toEqual(['screen']);
  });

  it('refuses a screen in an audio-only room and in a p2p call', async () => {
    const f = roomFixture();
    await f.rooms.reserve({ id: 'radio', type: 'a2m', owner: 'alice' });
    const alice = await join(f, 'radio', 'alice');
    await expect(f.rooms.publish('radio', alice.id, ['screen'], sdpOffer(['screen']))).rejects.toMatchObject({
      code: RoomErrorCode.SCREEN_SHARE_NOT_ALLOWED,
    });
    await f.rooms.reserve({ id: 'call', type: 'p2p', owner: 'alice' });
    const caller = await join(f, 'call', 'alice');
    await expect(f.rooms.publish('call', caller.id, ['screen'])).rejects.toMatchObject({
      code: RoomErrorCode.SCREEN_SHARE_NOT_ALLOWED,
    });
    expect(f.media.calls.filter((c) => c.operation === 'createEndpoint')).toHaveLength(0);
  });

  it('ends the share when its sharer leaves or is kicked, and when the room ends', async () => {
    const { f, alice, bob, carol } = await sharingRoom();
    await f.rooms.publish('demo', carol.id, ['screen'], sdpOffer(['screen']));
    await f.rooms.subscribe('demo', bob.id, carol.id, sdpOffer(['screen']), undefined, 'screen');
    await f.rooms.command('demo', alice.id, { type: 'kick', target: carol.id });
    expect(bob.channel.ofType('stream-ended')).toEqual([
      { type: 'stream-ended', publisherId: carol.id, stream: 'screen' },
    ]);
    expect(f.media.connections()).toHaveLength(0);
    expect(f.events.ofType('stream.unpublished').at(-1)?.data).toEqual({
      participantId: carol.id,
      kinds: ['screen'],
    });

    await f.rooms.publish('demo', alice.id, ['screen'], sdpOffer(['screen']));
    await f.rooms.subscribe('demo', bob.id, alice.id, sdpOffer(['screen']), undefined, 'screen');
    await f.rooms.leave('demo', alice.id);
    expect(bob.channel.ofType('stream-ended').at(-1)).toEqual({
      type: 'stream-ended',
      publisherId: alice.id,
      stream: 'screen',
    });
    expect(f.events.ofType('stream.unpublished').at(-1)?.data).toEqual({
      participantId: alice.id,
      kinds: ['audio', 'video', 'screen'],
    });
    expect(endpointCount(f)).toBe(0);
  });

  it('after a media server restart the screen is re-offered like the camera', async () => {
    const { f, alice, bob } = await sharingRoom();
    await f.rooms.publish('demo', alice.id, ['screen'], sdpOffer(['screen']));
    f.media.restart();
    await f.media.renew();
    await f.rooms.rebuildAll();
    expect(alice.channel.ofType('reoffer')).toHaveLength(1);
    const version = f.rooms.info('demo')?.version;
    await f.rooms.publish('demo', alice.id, ['audio', 'video'], sdpOffer());
    await f.rooms.publish('demo', alice.id, ['screen'], sdpOffer(['screen']));
    expect(f.rooms.info('demo')?.version).toBe(version);
    await f.rooms.subscribe('demo', bob.id, alice.id, sdpOffer(['screen']), undefined, 'screen');
    expect(f.media.connections()).toHaveLength(1);
  });
});
