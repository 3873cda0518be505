import { verifyViewerToken } from '@hoot/auth-kit';
import { RoomErrorCode } from '@hoot/domain';
import { eventually } from '@hoot/testing';
import { CashErrorCode } from '../cash-error';
import { RecordingChannel } from '../testing/recording-channel';
import {
  packagerRoomFixture,
  TEST_RECORDING_POLL_MS,
  TEST_VIEWER_TOKEN_KEY,
  type PackagerRoomFixture,
} from '../testing/packager-fixture';
import { roomFixture, sdpOffer } from '../testing/room-fixture';

type Rooms = PackagerRoomFixture['rooms'];
const join = (f: { rooms: Rooms }, roomId: string, identity: string) => {
  const channel = new RecordingChannel();
  return f.rooms
    .join({ roomId, identity, ticketId: `t-${identity}` }, channel)
    .then((id) => ({ id, channel }));
};

/** A room of `type`: alice (creator) publishes her camera, bob is in it too. */
async function room(type: 'p2m' | 'm2m' | 'a2m' | 'p2p', f = packagerRoomFixture()) {
  await f.rooms.reserve({ id: 'talk', type, owner: 'alice' });
  const alice = await join(f, 'talk', 'alice');
  const bob = await join(f, 'talk', 'bob');
  if (type !== 'p2p')
    await f.rooms.publish(
      'talk',
      alice.id,
      type === 'a2m' ? ['audio'] : ['audio', 'video'],
      sdpOffer(type === 'a2m' ? ['audio'] : ['audio', 'video']),
    );
  return { f, alice, bob };
}

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: { code?: string }) => e.code,
  );

describe('RoomManager: recording (issue 18)', () => {
  it('lets only the creator record; a p2p call and a CoreMX without packager answer RECORDING_UNAVAILABLE', async () => {
    const { f, bob } = await room('m2m');
    expect(await refusal(f.rooms.record('talk', bob.id, 'start', 'r'))).toBe(RoomErrorCode.NOT_CREATOR);
    expect(f.packager.calls).toEqual([]);

    const call = await room('p2p');
    const caller = call.alice;
    expect(await refusal(call.f.rooms.record('talk', caller.id, 'start'))).toBe(
      CashErrorCode.RecordingUnavailable,
    );

    const plain = await room('m2m', roomFixture() as PackagerRoomFixture);
    expect(await refusal(plain.f.rooms.record('talk', plain.alice.id, 'start'))).toBe(
      CashErrorCode.RecordingUnavailable,
    );
  });

  it('records every published stream of an m2m room on recording-only feeds, adds later streams, and stops', async () => {
    const { f, alice, bob } = await room('m2m');
    await f.rooms.record('talk', alice.id, 'start', 'r1');
    expect(alice.channel.ofType('ok').at(-1)).toEqual({ type: 'ok', re: 'r1' });
    const [started] = bob.channel.ofType('recording-started');
    expect(started.recording).toMatchObject({
      startedBy: 'alice',
      recordingId: expect.stringMatching(/^rec-/),
    });
    const { recordingId } = started.recording;
    expect(f.events.ofType('recording.started').map((e) => e.data)).toEqual([
      { recordingId, startedBy: 'alice', streams: 1 },
    ]);
    const [feed] = f.packager.live();
    expect(feed.input).toMatchObject({ live: false, userId: alice.id, kinds: ['audio', 'video'] });
    expect(feed.recording).toEqual({ recordingId, state: 'recording' });
    expect(f.events.ofType('stream.hls.started')).toEqual([]);
    expect(await refusal(f.rooms.record('talk', alice.id, 'start'))).toBe(CashErrorCode.AlreadyRecording);

    // A late joiner is told; a stream published while recording is added.
    const carol = await join(f, 'talk', 'carol');
    expect(carol.channel.ofType('joined')[0].recording).toEqual(started.recording);
    await f.rooms.publish('talk', alice.id, ['screen'], sdpOffer(['screen']));
    await eventually(() =>
      expect(f.packager.live().map((s) => s.recording?.recordingId)).toEqual([recordingId, recordingId]),
    );

    await f.rooms.record('talk', alice.id, 'stop', 'r2');
    expect(bob.channel.ofType('recording-stopped')).toEqual([
      { type: 'recording-stopped', recordingId, reason: 'stopped' },
    ]);
    expect(f.events.ofType('recording.stopped').map((e) => e.data)).toEqual([
      { recordingId, reason: 'stopped', streams: 2 },
    ]);
    expect(f.packager.live()).toEqual([]);
    expect(f.packager.recorded.map((r) => r.state)).toEqual(['complete', 'complete']);
    expect(await refusal(f.rooms.record('talk', alice.id, 'stop'))).toBe(CashErrorCode.NotRecording);
    // Published after the stop: not recorded any more.
    await f.rooms.unpublish('talk', alice.id, undefined, 'screen');
    await f.rooms.publish('talk', alice.id, ['screen'], sdpOffer(['screen']));
    expect(f.packager.live()).toEqual([]);
  });

  it('records the live stream of a p2m room (no second packager stream), which goes on after the stop', async () => {
    const { f, alice } = await room('p2m');
    await eventually(() => expect(f.packager.live()).toHaveLength(1));
    await f.rooms.record('talk', alice.id, 'start');
    const [live] = f.packager.live();
    expect(live.input.live).toBe(true);
    expect(live.recording?.state).toBe('recording');
    await f.rooms.record('talk', alice.id, 'stop');
    expect(f.packager.live()).toEqual([live]);
    expect(live.recording?.state).toBe('complete');
  });

  it('ends the recording when the volume fills up (polled); the call and the live stream go on', async () => {
    const { f, alice, bob } = await room('p2m');
    await eventually(() => expect(f.packager.live()).toHaveLength(1));
    await f.rooms.record('talk', alice.id, 'start');
    const [live] = f.packager.live();
    f.packager.fillUp(live.streamId);
    f.clock.advance(TEST_RECORDING_POLL_MS);
    await eventually(() =>
      expect(bob.channel.ofType('recording-stopped').map((m) => m.reason)).toEqual(['storage-full']),
    );
    expect(f.events.ofType('recording.stopped').map((e) => e.data.reason)).toEqual(['storage-full']);
    expect(f.packager.live()).toEqual([live]);
    expect(f.rooms.info('talk')).toMatchObject({ status: 'active', mediaStreams: 1 });
    // A start on a full volume is refused, and nothing stays half made.
    expect(await refusal(f.rooms.record('talk', alice.id, 'start'))).toBe(CashErrorCode.RecordingStorageFull);
    expect(f.rooms.packagerCounts().recordings).toBe(0);
    expect(bob.channel.ofType('recording-started')).toHaveLength(1);
  });

  it('stops when a stream published while recording finds the volume full', async () => {
    const { f, alice, bob } = await room('m2m');
    await f.rooms.record('talk', alice.id, 'start');
    f.packager.storageFull = true;
    await f.rooms.publish('talk', alice.id, ['screen'], sdpOffer(['screen']));
    await eventually(() =>
      expect(bob.channel.ofType('recording-stopped').map((m) => m.reason)).toEqual(['storage-full']),
    );
    expect(f.rooms.info('talk')?.status).toBe('active');
    expect(f.packager.live()).toEqual([]);
  });

  it('ends every packager stream and the recording on shutdown (closeFeeds)', async () => {
    const { f, alice, bob } = await room('p2m');
    await eventually(() => expect(f.packager.live()).toHaveLength(1));
    await f.rooms.record('talk', alice.id, 'start');
    await f.rooms.closeFeeds();
    expect(f.packager.live()).toEqual([]);
    expect(f.packager.recorded.map((r) => r.state)).toEqual(['complete']);
    expect(bob.channel.ofType('recording-stopped').map((m) => m.reason)).toEqual(['room-ended']);
    expect(f.rooms.packagerCounts()).toEqual({ hlsStreams: 0, recordings: 0 });
  });

  it('stops with the room (reason room-ended) and lists what was kept with playback URLs signed per stream', async () => {
    const { f, alice } = await room('m2m');
    await f.rooms.record('talk', alice.id, 'start');
    const answer = await f.rooms.recordFor('talk', 'stop', 'alice');
    expect(answer).toMatchObject({
      conferenceId: 'talk',
      state: 'stopped',
      startedBy: 'alice',
      stopReason: 'stopped',
    });
    const second = await f.rooms.recordFor('talk', 'start', 'alice');
    expect(second).toMatchObject({ state: 'recording', startedBy: 'alice' });
    await f.rooms.end('talk');
    expect(f.events.ofType('recording.stopped').map((e) => e.data.reason)).toEqual(['stopped', 'room-ended']);
    // Stopped before the room's end on the topic.
    expect(f.events.events.map((e) => e.type).slice(-2)).toEqual(['recording.stopped', 'room.ended']);
    await eventually(() => expect(f.packager.recorded.every((r) => r.state === 'complete')).toBe(true));

    const list = await f.rooms.listRecordings('talk');
    expect(list.map((r) => [r.recordingId, r.startedBy, r.stopReason])).toEqual([
      [answer.recordingId, 'alice', 'stopped'],
      [second.recordingId, 'alice', 'room-ended'],
    ]);
    const [stream] = list[0].streams;
    expect(stream).toMatchObject({ participantId: alice.id, stream: 'camera', state: 'complete' });
    const token = new URL(stream.playbackUrl).searchParams.get('token');
    expect(verifyViewerToken(TEST_VIEWER_TOKEN_KEY, token, stream.streamId, f.clock.now())).toMatchObject({
      ok: true,
      claims: { conferenceId: 'talk' },
    });
    expect(await refusal(f.rooms.recordFor('talk', 'start', 'alice'))).toBe(CashErrorCode.RoomNotFound);
  });
});
