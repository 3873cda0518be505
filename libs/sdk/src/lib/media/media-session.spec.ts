import type { MediaKind, ParticipantView, RoomView, StreamSource } from '@hoot/domain';
import { Emitter } from '../emitter';
import { TestClock } from '../registry-fakes.fixture';
import type {
  DisplayMediaConstraints,
  IceCandidateLike,
  MediaEnvironment,
  MediaStreamLike,
  MediaStreamTrackLike,
  PeerConnectionLike,
  SessionDescriptionLike,
  StatsReportLike,
  UserMediaConstraints,
} from './media-environment';
import {
  MediaSession,
  type MediaP2pSignal,
  type MediaRoomEvents,
  type MediaRoomSession,
} from './media-session';

// ---- fakes -----------------------------------------------------------------------------------------

class FakeTrack implements MediaStreamTrackLike {
  stopped = false;
  enabled = true;
  private readonly endedListeners = new Set<() => void>();
  constructor(
    readonly kind: string,
    readonly id: string,
  ) {}
  stop(): void {
    this.stopped = true;
  }
  addEventListener(_type: 'ended', listener: () => void): void {
    this.endedListeners.add(listener);
  }
  removeEventListener(_type: 'ended', listener: () => void): void {
    this.endedListeners.delete(listener);
  }
  /** The source went away (the browser's "Stop sharing" bar): `ended` fires, as in a browser. */
  end(): void {
    this.stopped = true;
    for (const listener of [...this.endedListeners]) listener();
  }
}

class FakeStream implements MediaStreamLike {
  private static n = 0;
  readonly id = `stream-${++FakeStream.n}`;
  constructor(private readonly tracks: MediaStreamTrackLike[] = []) {}
  getTracks(): MediaStreamTrackLike[] {
    return [...this.tracks];
  }
  addTrack(track: MediaStreamTrackLike): void {
    this.tracks.push(track);
  }
}

class FakePeerConnection implements PeerConnectionLike {
  onicecandidate: ((event: { candidate: IceCandidateLike | null }) => void) | null = null;
  ontrack: ((event: { track: MediaStreamTrackLike; streams: readonly MediaStreamLike[] }) => void) | null =
    null;
  readonly transceivers: { what: string; direction?: string }[] = [];
  readonly tracks: MediaStreamTrackLike[] = [];
  readonly candidates: IceCandidateLike[] = [];
  local: SessionDescriptionLike | undefined;
  remote: SessionDescriptionLike | undefined;
  closed = false;
  connectionState = 'new';
  stats: Record<string, unknown>[] = [];

  constructor(readonly n: number) {}

  addTransceiver(trackOrKind: MediaStreamTrackLike | string, init?: { direction?: string }): unknown {
    this.transceivers.push({
      what: typeof trackOrKind === 'string' ? trackOrKind : trackOrKind.kind,
      direction: init?.direction,
    });
    return {};
  }
  addTrack(track: MediaStreamTrackLike): unknown {
    this.tracks.push(track);
    return {};
  }
  async createOffer(): Promise<SessionDescriptionLike> {
    return { type: 'offer', sdp: `v=0\r\noffer-${this.n}` };
  }
  async createAnswer(): Promise<SessionDescriptionLike> {
    return { type: 'answer', sdp: `v=0\r\nanswer-${this.n}` };
  }
  async setLocalDescription(description: SessionDescriptionLike): Promise<void> {
    this.local = description;
  }
  async setRemoteDescription(description: SessionDescriptionLike): Promise<void> {
    this.remote = description;
  }
  async addIceCandidate(candidate: IceCandidateLike): Promise<void> {
    if (!this.remote) throw new Error('no remote description yet');
    this.candidates.push(candidate);
  }
  async getStats(): Promise<StatsReportLike> {
    const stats = this.stats;
    return { forEach: (cb) => stats.forEach(cb) };
  }
  close(): void {
    this.closed = true;
  }
}

class FakeEnvironment implements MediaEnvironment {
  readonly pcs: FakePeerConnection[] = [];
  readonly requests: UserMediaConstraints[] = [];
  readonly streams: FakeStream[] = [];
  refuse: Error | undefined;
  readonly displayRequests: DisplayMediaConstraints[] = [];
  readonly screens: FakeStream[] = [];
  refuseDisplay: Error | undefined;
  createPeerConnection(): PeerConnectionLike {
    const pc = new FakePeerConnection(this.pcs.length + 1);
    this.pcs.push(pc);
    return pc;
  }
  createMediaStream(): MediaStreamLike {
    return new FakeStream();
  }
  async getUserMedia(constraints: UserMediaConstraints): Promise<MediaStreamLike> {
    this.requests.push(constraints);
    if (this.refuse) throw this.refuse;
    const tracks = [
      ...(constraints.audio ? [new FakeTrack('audio', `mic-${this.requests.length}`)] : []),
      ...(constraints.video ? [new FakeTrack('video', `cam-${this.requests.length}`)] : []),
    ];
    const stream = new FakeStream(tracks);
    this.streams.push(stream);
    return stream;
  }
  async getDisplayMedia(constraints: DisplayMediaConstraints): Promise<MediaStreamLike> {
    this.displayRequests.push(constraints);
    if (this.refuseDisplay) throw this.refuseDisplay;
    const stream = new FakeStream([new FakeTrack('video', `screen-${this.displayRequests.length}`)]);
    this.screens.push(stream);
    return stream;
  }
}

type Call = [string, ...unknown[]];

class FakeRoom extends Emitter<MediaRoomEvents> implements MediaRoomSession {
  readonly calls: Call[] = [];
  failSubscribe: Error | undefined;
  failPublish: Error | undefined;

  constructor(
    public room: RoomView,
    public participantId: string,
  ) {
    super();
  }

  fire<K extends keyof MediaRoomEvents>(name: K, payload: MediaRoomEvents[K]): void {
    this.emit(name, payload);
  }

  change(room: RoomView): void {
    this.room = room;
    this.emit('change', room);
  }

  async publish(kinds: ('audio' | 'video' | 'screen')[], sdpOffer?: string) {
    this.calls.push(['publish', kinds, sdpOffer]);
    if (this.failPublish) throw this.failPublish;
    return sdpOffer === undefined ? {} : { sdpAnswer: 'v=0\r\nserver-answer' };
  }
  async unpublish(stream?: StreamSource) {
    this.calls.push(stream ? ['unpublish', stream] : ['unpublish']);
  }
  async subscribe(publisherId: string, sdpOffer: string, stream?: StreamSource) {
    this.calls.push(
      stream ? ['subscribe', publisherId, sdpOffer, stream] : ['subscribe', publisherId, sdpOffer],
    );
    if (this.failSubscribe) throw this.failSubscribe;
    return { sdpAnswer: `v=0\r\nsub-answer-${publisherId}${stream ? `-${stream}` : ''}` };
  }
  async unsubscribe(publisherId: string, stream?: StreamSource) {
    this.calls.push(stream ? ['unsubscribe', publisherId, stream] : ['unsubscribe', publisherId]);
  }
  async addIceCandidate(
    publisherId: string,
    candidate: { candidate: string; sdpMid: string; sdpMLineIndex: number },
    stream?: StreamSource,
  ) {
    this.calls.push(stream ? ['ice', publisherId, candidate, stream] : ['ice', publisherId, candidate]);
  }
  async p2pSignal(signal: MediaP2pSignal) {
    this.calls.push(['p2p', signal]);
  }

  named(name: string): Call[] {
    return this.calls.filter((c) => c[0] === name);
  }
}

function person(id: string, joinOrder: number, extra: Partial<ParticipantView> = {}): ParticipantView {
  return {
    participantId: id,
    identity: `acc-${id}`,
    displayName: id,
    role: 'viewer',
    joinOrder,
    joinedAt: joinOrder,
    handRaised: false,
    streams: [],
    ...extra,
  };
}

function roomOf(type: RoomView['type'], people: ParticipantView[], version = 1): RoomView {
  return {
    id: 'standup',
    type,
    status: 'active',
    version,
    ownerId: people.find((p) => p.role === 'publisher')?.participantId ?? null,
    creator: 'acc-alice',
    participants: Object.fromEntries(people.map((p) => [p.participantId, p])),
    children: [],
  };
}

const live = (id: string, order: number, streams: MediaKind[] = ['audio', 'video']) =>
  person(id, order, { role: 'publisher', streams });

async function started(room: FakeRoom, env = new FakeEnvironment(), clock = new TestClock()) {
  const media = new MediaSession(room, { environment: env, clock });
  const events: [string, unknown][] = [];
  for (const name of [
    'local-stream',
    'local-stream-removed',
    'remote-stream',
    'remote-stream-removed',
    'local-screen',
    'local-screen-removed',
    'remote-screen',
    'remote-screen-removed',
    'error',
  ] as const)
    media.on(name, (payload) => events.push([name, payload]));
  await media.start();
  await media.idle();
  /** Moves the clock on by `ms` in health-check steps, letting each check run. */
  const elapse = async (ms: number) => {
    for (let t = 0; t < ms; t += 1_000) {
      clock.advance(1_000);
      await media.idle();
    }
  };
  return { media, env, events, clock, elapse };
}

// ---- specs -----------------------------------------------------------------------------------------

describe('MediaSession', () => {
  it('publishes camera and microphone send-only in m2m: offer → publish → answer', async () => {
    const room = new FakeRoom(roomOf('m2m', [live('alice', 1, [])]), 'alice');
    const { env, events } = await started(room);
    expect(env.requests).toEqual([{ audio: true, video: { width: { ideal: 640 }, height: { ideal: 360 } } }]);
    const pc = env.pcs[0];
    expect(pc.transceivers).toEqual([
      { what: 'audio', direction: 'sendonly' },
      { what: 'video', direction: 'sendonly' },
    ]);
    expect(room.named('publish')).toEqual([['publish', ['audio', 'video'], 'v=0\r\noffer-1']]);
    expect(pc.remote).toEqual({ type: 'answer', sdp: 'v=0\r\nserver-answer' });
    expect(events.map((e) => e[0])).toEqual(['local-stream']);
  });

  it('publishes audio only in a2m and receives audio only', async () => {
    const room = new FakeRoom(roomOf('a2m', [live('alice', 1, ['audio']), live('bob', 2, [])]), 'bob');
    const { env } = await started(room);
    expect(env.requests).toEqual([{ audio: true, video: false }]);
    expect(room.named('publish')[0][1]).toEqual(['audio']);
    const sub = env.pcs.find((pc) => pc.transceivers.some((t) => t.direction === 'recvonly'))!;
    expect(sub.transceivers).toEqual([{ what: 'audio', direction: 'recvonly' }]);
  });

  it('a viewer publishes nothing and subscribes to every publisher with a stream, one connection each', async () => {
    const room = new FakeRoom(
      roomOf('m2m', [live('alice', 1), live('bob', 2, []), person('carol', 3)]),
      'carol',
    );
    const { env, media, events } = await started(room);
    expect(env.requests).toEqual([]);
    expect(room.named('publish')).toEqual([]);
    expect(room.named('subscribe')).toEqual([['subscribe', 'alice', 'v=0\r\noffer-1']]);
    expect(env.pcs[0].transceivers).toEqual([
      { what: 'audio', direction: 'recvonly' },
      { what: 'video', direction: 'recvonly' },
    ]);
    expect(env.pcs[0].remote?.sdp).toBe('v=0\r\nsub-answer-alice');
    env.pcs[0].ontrack?.({ track: new FakeTrack('video', 'remote-v'), streams: [] });
    expect(events).toContainEqual(['remote-stream', { participantId: 'alice', stream: expect.anything() }]);

    // bob starts sending: stream-ready → a second receiver.
    room.change(roomOf('m2m', [live('alice', 1), live('bob', 2), person('carol', 3)], 2));
    room.fire('stream-ready', { publisherId: 'bob' });
    await media.idle();
    expect(room.named('subscribe').map((c) => c[1])).toEqual(['alice', 'bob']);
    expect(media.receiving().sort()).toEqual(['alice', 'bob']);

    // alice stops: her receiver closes, the server is told, the app hears it.
    room.fire('stream-ended', { publisherId: 'alice' });
    await media.idle();
    expect(env.pcs[0].closed).toBe(true);
    expect(room.named('unsubscribe')).toEqual([['unsubscribe', 'alice']]);
    expect(events).toContainEqual(['remote-stream-removed', { participantId: 'alice' }]);
    expect(media.receiving()).toEqual(['bob']);
  });

  it('trickles ICE both ways keyed by publisher id, holding early server candidates until the answer', async () => {
    const room = new FakeRoom(roomOf('m2m', [live('alice', 1), person('carol', 2)]), 'carol');
    let answer!: () => void;
    const gate = new Promise<void>((resolve) => (answer = resolve));
    const subscribe = room.subscribe.bind(room);
    room.subscribe = async (id, sdp) => {
      // A server candidate arrives before the subscribe answer.
      room.fire('ice', {
        publisherId: 'alice',
        candidate: { candidate: 'candidate:1 1 udp 1 10.0.0.1 5000 typ host', sdpMid: '0', sdpMLineIndex: 0 },
      });
      // And one of ours is gathered before CASH knows the subscription: it must wait.
      env.pcs[0].onicecandidate?.({
        candidate: {
          candidate: 'candidate:0 1 udp 1 127.0.0.1 5999 typ host',
          sdpMid: '0',
          sdpMLineIndex: 0,
        },
      });
      earlySent = room.named('ice').length;
      await gate;
      return subscribe(id, sdp);
    };
    let earlySent = -1;
    const env = new FakeEnvironment();
    const media = new MediaSession(room, { environment: env, clock: new TestClock() });
    const start = media.start();
    await Promise.resolve();
    answer();
    await start;
    await media.idle();
    const pc = env.pcs[0];
    expect(pc.candidates.map((c) => c.candidate)).toEqual(['candidate:1 1 udp 1 10.0.0.1 5000 typ host']);
    pc.onicecandidate?.({
      candidate: {
        candidate: 'candidate:2 1 udp 1 127.0.0.1 6000 typ host',
        sdpMid: '1',
        sdpMLineIndex: 1,
        usernameFragment: 'u',
      },
    });
    pc.onicecandidate?.({ candidate: null });
    pc.onicecandidate?.({ candidate: { candidate: '', sdpMid: '0', sdpMLineIndex: 0 } });
    await media.idle();
    expect(earlySent).toBe(0);
    expect(room.named('ice')).toEqual([
      [
        'ice',
        'alice',
        { candidate: 'candidate:0 1 udp 1 127.0.0.1 5999 typ host', sdpMid: '0', sdpMLineIndex: 0 },
      ],
      [
        'ice',
        'alice',
        { candidate: 'candidate:2 1 udp 1 127.0.0.1 6000 typ host', sdpMid: '1', sdpMLineIndex: 1 },
      ],
    ]);
  });

  it('starts publishing once a raised hand is approved, and stops when demoted', async () => {
    const room = new FakeRoom(
      roomOf('m2m', [live('alice', 1), person('bob', 2, { handRaised: true })]),
      'bob',
    );
    const { env, events, media } = await started(room);
    expect(room.named('publish')).toEqual([]);
    room.change(roomOf('m2m', [live('alice', 1), person('bob', 2, { role: 'publisher' })], 2));
    await media.idle();
    expect(room.named('publish')).toHaveLength(1);
    expect(env.requests).toHaveLength(1);
    room.change(roomOf('m2m', [live('alice', 1), person('bob', 2, { role: 'viewer' })], 3));
    await media.idle();
    expect(room.named('unpublish')).toHaveLength(1);
    expect(env.streams[0].getTracks().every((t) => (t as FakeTrack).stopped)).toBe(true);
    expect(events.map((e) => e[0])).toContain('local-stream-removed');
  });

  it('after reoffer publishes again and re-subscribes only on stream-ready', async () => {
    const room = new FakeRoom(roomOf('m2m', [live('alice', 1), live('bob', 2)]), 'bob');
    const { env, media } = await started(room);
    expect(room.named('publish')).toHaveLength(1);
    expect(room.named('subscribe').map((c) => c[1])).toEqual(['alice']);
    const before = [...env.pcs];
    room.fire('reoffer', { reason: 'media-server-restarted' });
    await media.idle();
    expect(before.every((pc) => pc.closed)).toBe(true);
    expect(room.named('publish')).toHaveLength(2);
    expect(room.named('subscribe')).toHaveLength(1);
    room.fire('change', room.room);
    await media.idle();
    expect(room.named('subscribe')).toHaveLength(1);
    room.fire('stream-ready', { publisherId: 'alice' });
    await media.idle();
    expect(room.named('subscribe').map((c) => c[1])).toEqual(['alice', 'alice']);
  });

  it('after a reconnection starts over with the new snapshot', async () => {
    const room = new FakeRoom(roomOf('m2m', [live('alice', 1), live('bob', 2)]), 'bob');
    const { media } = await started(room);
    room.participantId = 'bob-2';
    room.room = roomOf('m2m', [live('alice', 1), live('bob-2', 3, [])], 9);
    room.fire('reconnected', { participantId: 'bob-2' });
    await media.idle();
    expect(room.named('publish')).toHaveLength(2);
    expect(room.named('subscribe').map((c) => c[1])).toEqual(['alice', 'alice']);
  });

  it('keeps receiving when the camera is refused, and reports it once', async () => {
    const room = new FakeRoom(roomOf('m2m', [live('alice', 1), live('bob', 2, [])]), 'bob');
    const env = new FakeEnvironment();
    env.refuse = Object.assign(new Error('Permission denied'), { name: 'NotAllowedError' });
    const { events, media } = await started(room, env);
    expect(room.named('subscribe').map((c) => c[1])).toEqual(['alice']);
    room.fire('change', room.room);
    await media.idle();
    expect(env.requests).toHaveLength(1);
    expect(events.filter((e) => e[0] === 'error')).toEqual([
      ['error', { error: env.refuse, step: 'publish' }],
    ]);
  });

  it('in a p2p call only the callee offers; the caller answers; candidates go through p2p-signal', async () => {
    const people = [live('caller', 1, []), live('callee', 2, [])];
    const calleeRoom = new FakeRoom(roomOf('p2p', people), 'callee');
    const callee = await started(calleeRoom);
    expect(calleeRoom.named('publish')).toEqual([['publish', ['audio', 'video'], undefined]]);
    expect(calleeRoom.named('p2p')).toEqual([['p2p', { kind: 'offer', sdp: 'v=0\r\noffer-1' }]]);
    expect(callee.env.pcs[0].tracks.map((t) => t.kind)).toEqual(['audio', 'video']);

    const callerRoom = new FakeRoom(roomOf('p2p', people), 'caller');
    const caller = await started(callerRoom);
    expect(callerRoom.named('p2p')).toEqual([]);
    expect(caller.env.pcs).toHaveLength(0);
    callerRoom.fire('p2p-signal', { from: 'callee', signal: { kind: 'offer', sdp: 'v=0\r\noffer-1' } });
    await caller.media.idle();
    expect(caller.env.pcs[0].remote).toEqual({ type: 'offer', sdp: 'v=0\r\noffer-1' });
    expect(callerRoom.named('p2p')).toEqual([['p2p', { kind: 'answer', sdp: 'v=0\r\nanswer-1' }]]);
    caller.env.pcs[0].onicecandidate?.({
      candidate: { candidate: 'candidate:9 1 udp 1 1.2.3.4 9 typ host', sdpMid: '0', sdpMLineIndex: 0 },
    });
    await caller.media.idle();
    expect(callerRoom.named('p2p')[1]).toEqual([
      'p2p',
      {
        kind: 'candidate',
        candidate: { candidate: 'candidate:9 1 udp 1 1.2.3.4 9 typ host', sdpMid: '0', sdpMLineIndex: 0 },
      },
    ]);

    calleeRoom.fire('p2p-signal', { from: 'caller', signal: { kind: 'answer', sdp: 'v=0\r\nanswer-1' } });
    calleeRoom.fire('p2p-signal', {
      from: 'caller',
      signal: {
        kind: 'candidate',
        candidate: { candidate: 'candidate:9 1 udp 1 1.2.3.4 9 typ host', sdpMid: '0', sdpMLineIndex: 0 },
      },
    });
    await callee.media.idle();
    expect(callee.env.pcs[0].remote).toEqual({ type: 'answer', sdp: 'v=0\r\nanswer-1' });
    expect(callee.env.pcs[0].candidates).toHaveLength(1);
    expect(calleeRoom.named('subscribe')).toEqual([]);
  });

  it('a media server restart (reoffer) leaves a p2p call alone', async () => {
    const room = new FakeRoom(roomOf('p2p', [live('caller', 1, []), live('callee', 2, [])]), 'callee');
    const { env, media } = await started(room);
    room.fire('reoffer', { reason: 'media-server-restarted' });
    await media.idle();
    expect(env.pcs).toHaveLength(1);
    expect(env.pcs[0].closed).toBe(false);
    expect(room.named('p2p')).toHaveLength(1);
  });

  it('sums inbound video frames and audio packets over every receiver', async () => {
    const room = new FakeRoom(roomOf('m2m', [live('alice', 1), live('bob', 2), person('carol', 3)]), 'carol');
    const { env, media } = await started(room);
    env.pcs[0].stats = [
      { type: 'inbound-rtp', kind: 'video', framesDecoded: 30 },
      { type: 'inbound-rtp', kind: 'audio', packetsReceived: 50 },
      { type: 'outbound-rtp', kind: 'video', framesEncoded: 99 },
    ];
    env.pcs[1].stats = [{ type: 'inbound-rtp', kind: 'video', framesDecoded: 12 }];
    await expect(media.inboundStats()).resolves.toEqual({ videoFramesDecoded: 42, audioPacketsReceived: 50 });
  });

  it('close stops the camera, closes every connection and ignores later room events', async () => {
    const room = new FakeRoom(roomOf('m2m', [live('alice', 1), live('bob', 2)]), 'bob');
    const { env, media } = await started(room);
    media.close();
    expect(env.pcs.every((pc) => pc.closed)).toBe(true);
    expect(env.streams[0].getTracks().every((t) => (t as FakeTrack).stopped)).toBe(true);
    expect(room.listenerCount('stream-ready')).toBe(0);
    room.fire('stream-ready', { publisherId: 'alice' });
    await media.idle();
    expect(room.named('subscribe')).toHaveLength(1);
  });
  it("reports a browser exception in our words (sdk.media-failed, the browser's error as cause), and nothing after close", async () => {
    const room = new FakeRoom(roomOf('m2m', [live('alice', 1), person('carol', 2)]), 'carol');
    const env = new FakeEnvironment();
    const broken = Object.assign(
      new Error(
        "Failed to execute 'setRemoteDescription' on 'RTCPeerConnection': signalingState is 'closed'",
      ),
      { name: 'InvalidStateError' },
    );
    const create = env.createPeerConnection.bind(env);
    env.createPeerConnection = () => {
      const pc = create() as FakePeerConnection;
      pc.setRemoteDescription = async () => {
        throw broken;
      };
      return pc;
    };
    const { events, media } = await started(room, env);
    const errors = events
      .filter((e) => e[0] === 'error')
      .map((e) => e[1] as { error: Error & { code?: string; cause?: unknown }; step: string });
    expect(errors).toHaveLength(1);
    expect(errors[0].step).toBe('subscribe');
    expect(errors[0].error.code).toBe('sdk.media-failed');
    expect(errors[0].error.message).not.toContain('setRemoteDescription');
    expect(errors[0].error.cause).toBe(broken);

    media.close();
    room.fire('stream-ready', { publisherId: 'alice' });
    await media.idle();
    expect(events.filter((e) => e[0] === 'error')).toHaveLength(1);
  });

  describe('health check', () => {
    const inbound = (frames: number, packets = frames) => [
      { type: 'inbound-rtp', kind: 'video', framesDecoded: frames, bytesReceived: frames * 1000 },
      { type: 'inbound-rtp', kind: 'audio', packetsReceived: packets },
    ];
    const outbound = (bytesSent: number) => [{ type: 'outbound-rtp', kind: 'video', bytesSent }];

    it('re-subscribes a subscription that receives nothing for stallMs, and leaves a flowing one alone', async () => {
      const room = new FakeRoom(
        roomOf('m2m', [live('alice', 1), live('bob', 2), person('carol', 3)]),
        'carol',
      );
      const { env, media, elapse } = await started(room);
      expect(room.named('subscribe').map((c) => c[1])).toEqual(['alice', 'bob']);
      const [fromAlice, fromBob] = env.pcs;
      for (let s = 1; s <= 12; s++) {
        fromBob.stats = inbound(s * 1000);
        fromAlice.stats = inbound(0, s * 50); // audio arrives, video never decodes
        await elapse(1_000);
      }
      expect(fromAlice.closed).toBe(true);
      expect(fromBob.closed).toBe(false);
      expect(room.named('subscribe').map((c) => c[1])).toEqual(['alice', 'bob', 'alice']);
      expect(media.receiving().sort()).toEqual(['alice', 'bob']);
      expect(media.recovered().resubscribed).toBe(1);
      const links = media.links();
      expect(links.find((l) => l.participantId === 'bob')).toMatchObject({
        kind: 'subscribe',
        counters: { video: 12000, audio: 12000 },
        answered: true,
        idleMs: 0,
      });
    });

    it('re-subscribes at the next check when a subscription connection failed', async () => {
      const room = new FakeRoom(roomOf('m2m', [live('alice', 1), person('carol', 2)]), 'carol');
      const { env, media, elapse } = await started(room);
      env.pcs[0].stats = inbound(500);
      await elapse(2_000);
      expect(media.recovered().resubscribed).toBe(0);
      env.pcs[0].connectionState = 'failed';
      await elapse(2_000);
      expect(env.pcs[0].closed).toBe(true);
      expect(room.named('subscribe')).toHaveLength(2);
      expect(media.recovered().resubscribed).toBe(1);
    });

    it('publishes again when our publish connection sends nothing (unpublish first, then a new offer)', async () => {
      const room = new FakeRoom(roomOf('m2m', [live('alice', 1, [])]), 'alice');
      const { env, media, elapse } = await started(room);
      expect(room.named('publish')).toHaveLength(1);
      await elapse(12_000);
      expect(env.pcs[0].closed).toBe(true);
      expect(room.named('unpublish')).toHaveLength(1);
      expect(room.named('publish')).toHaveLength(2);
      expect(media.recovered().republished).toBe(1);
      // The new connection sends: it is kept.
      for (let s = 1; s <= 12; s++) {
        env.pcs[1].stats = outbound(s * 100);
        await elapse(1_000);
      }
      expect(room.named('publish')).toHaveLength(2);
    });

    it('retries a publish the server refused, backing off, but never one the camera refused', async () => {
      const room = new FakeRoom(roomOf('m2m', [live('alice', 1, [])]), 'alice');
      room.failPublish = Object.assign(new Error('media server: no answer'), { code: 'MEDIA_UNAVAILABLE' });
      const { media, elapse, events } = await started(room);
      expect(room.named('publish')).toHaveLength(1);
      await elapse(2_000);
      expect(room.named('publish')).toHaveLength(2);
      await elapse(2_000);
      expect(room.named('publish')).toHaveLength(2); // the second wait is 4 s
      await elapse(2_000);
      expect(room.named('publish')).toHaveLength(3);
      room.failPublish = undefined;
      await elapse(8_000);
      expect(room.named('publish')).toHaveLength(4);
      await elapse(4_000);
      expect(room.named('publish')).toHaveLength(4);
      expect(media.recovered().publishRetries).toBe(3);
      expect(events.filter((e) => e[0] === 'error')).toHaveLength(3);

      const refused = new FakeRoom(roomOf('m2m', [live('bob', 1, [])]), 'bob');
      const env = new FakeEnvironment();
      env.refuse = Object.assign(new Error('Permission denied'), { name: 'NotAllowedError' });
      const camera = await started(refused, env);
      await camera.elapse(20_000);
      expect(env.requests).toHaveLength(1);
    });

    it('releases a publish the server still holds before trying again (ALREADY_PUBLISHING)', async () => {
      const room = new FakeRoom(roomOf('m2m', [live('alice', 1, [])]), 'alice');
      room.failPublish = Object.assign(new Error('you publish already'), { code: 'ALREADY_PUBLISHING' });
      const { elapse } = await started(room);
      expect(room.named('unpublish')).toHaveLength(1);
      room.failPublish = undefined;
      await elapse(2_000);
      expect(room.named('publish')).toHaveLength(2);
    });

    it("subscribes again from the room state when a refused subscription's stream-ready never comes", async () => {
      const room = new FakeRoom(roomOf('m2m', [live('alice', 1), person('carol', 2)]), 'carol');
      room.failSubscribe = Object.assign(new Error('no stream yet'), { code: 'STREAM_NOT_READY' });
      const { media, elapse } = await started(room);
      expect(media.receiving()).toEqual([]);
      room.failSubscribe = undefined;
      await elapse(2_000);
      expect(media.receiving()).toEqual(['alice']);

      // After a reoffer whose stream-ready is lost, the wait ends after stallMs.
      room.fire('reoffer', { reason: 'media-server-restarted' });
      await media.idle();
      expect(media.receiving()).toEqual([]);
      await elapse(8_000);
      expect(media.receiving()).toEqual([]);
      await elapse(4_000);
      expect(media.receiving()).toEqual(['alice']);
    });

    it('stops checking once closed, and can be turned off', async () => {
      const room = new FakeRoom(roomOf('m2m', [live('alice', 1), person('carol', 2)]), 'carol');
      const clock = new TestClock();
      const { media } = await started(room, new FakeEnvironment(), clock);
      expect(clock.pendingTimers).toBe(1);
      media.close();
      expect(clock.pendingTimers).toBe(0);
      const off = new MediaSession(new FakeRoom(room.room, 'carol'), {
        environment: new FakeEnvironment(),
        clock,
        health: false,
      });
      await off.start();
      expect(clock.pendingTimers).toBe(0);
      off.close();
    });
  });
});

describe('MediaSession: screen share', () => {
  const candidate = {
    candidate: 'candidate:1 1 udp 1 10.0.0.1 5000 typ host',
    sdpMid: '0',
    sdpMLineIndex: 0,
  };
  const outbound = (bytesSent: number) => [{ type: 'outbound-rtp', kind: 'video', bytesSent }];
  const inboundVideo = (frames: number) => [{ type: 'inbound-rtp', kind: 'video', framesDecoded: frames }];

  it("shares a screen on a second send-only connection; the browser's own stop bar unpublishes it", async () => {
    const room = new FakeRoom(roomOf('m2m', [live('alice', 1, [])]), 'alice');
    const { env, media, events } = await started(room);
    const camera = env.pcs[0];
    await media.startScreenShare();
    expect(env.displayRequests).toEqual([{ video: true, audio: false }]);
    const screenPc = env.pcs[1];
    expect(screenPc.transceivers).toEqual([{ what: 'video', direction: 'sendonly' }]);
    expect(room.named('publish')).toEqual([
      ['publish', ['audio', 'video'], 'v=0\r\noffer-1'],
      ['publish', ['screen'], 'v=0\r\noffer-2'],
    ]);
    expect(screenPc.remote).toEqual({ type: 'answer', sdp: 'v=0\r\nserver-answer' });
    expect(media.screenStream).toBe(env.screens[0]);
    expect(events.map((e) => e[0])).toEqual(['local-stream', 'local-screen']);
    expect(media.links().map((l) => [l.kind, l.participantId, l.stream])).toEqual([
      ['publish', 'alice', undefined],
      ['publish', 'alice', 'screen'],
    ]);

    // ICE of the screen's connection is kept apart from the camera's, both ways.
    room.fire('ice', { publisherId: 'alice', stream: 'screen', candidate });
    await media.idle();
    expect(screenPc.candidates).toEqual([candidate]);
    expect(camera.candidates).toEqual([]);
    screenPc.onicecandidate?.({ candidate });
    expect(room.named('ice')).toEqual([['ice', 'alice', candidate, 'screen']]);

    // Sharing twice is a no-op.
    await media.startScreenShare();
    expect(env.displayRequests).toHaveLength(1);

    const track = env.screens[0].getTracks()[0] as FakeTrack;
    track.end();
    await media.idle();
    expect(room.named('unpublish')).toEqual([['unpublish', 'screen']]);
    expect(screenPc.closed).toBe(true);
    expect(camera.closed).toBe(false);
    expect(media.screenStream).toBeUndefined();
    expect(events.map((e) => e[0])).toEqual(['local-stream', 'local-screen', 'local-screen-removed']);
  });

  it('stopScreenShare stops the capture and unpublishes only the screen', async () => {
    const room = new FakeRoom(roomOf('m2m', [live('alice', 1, [])]), 'alice');
    const { env, media } = await started(room);
    await media.startScreenShare();
    await media.stopScreenShare();
    expect(room.named('unpublish')).toEqual([['unpublish', 'screen']]);
    expect((env.screens[0].getTracks()[0] as FakeTrack).stopped).toBe(true);
    expect(env.pcs[1].closed).toBe(true);
    expect(media.local?.getTracks().every((t) => !(t as FakeTrack).stopped)).toBe(true);
    await media.stopScreenShare();
    expect(room.named('unpublish')).toHaveLength(1);
  });

  it.each([
    ['a viewer', roomOf('m2m', [live('alice', 1), person('bob', 2)]), 'bob', /raise your hand/],
    [
      'an audio-only room',
      roomOf('a2m', [live('bob', 1, ['audio'])]),
      'bob',
      /cannot be shared in this room/,
    ],
    ['a p2p call', roomOf('p2p', [live('alice', 1), live('bob', 2)]), 'bob', /cannot be shared in this room/],
    [
      'a room where someone else shares',
      roomOf('m2m', [live('alice', 1, ['audio', 'video', 'screen']), live('bob', 2)]),
      'bob',
      /Someone else is sharing/,
    ],
  ])('refuses in %s without asking the browser', async (_what, view, me, words) => {
    const room = new FakeRoom(view, me);
    const { env, media } = await started(room);
    await expect(media.startScreenShare()).rejects.toMatchObject({
      code: 'sdk.screen-share-unavailable',
      message: expect.stringMatching(words),
    });
    expect(env.displayRequests).toEqual([]);
    expect(room.named('publish').filter((c) => (c[1] as string[]).includes('screen'))).toEqual([]);
  });

  it('a closed picker is sdk.screen-share-cancelled in our words; a server refusal stops the capture', async () => {
    const room = new FakeRoom(roomOf('m2m', [live('alice', 1, [])]), 'alice');
    const env = new FakeEnvironment();
    env.refuseDisplay = Object.assign(new Error('Permission denied by system'), { name: 'NotAllowedError' });
    const { media, events } = await started(room, env);
    const cancelled = await media.startScreenShare().catch((e: unknown) => e);
    expect(cancelled).toMatchObject({
      code: 'sdk.screen-share-cancelled',
      message: 'Screen sharing was cancelled.',
    });
    expect(events.map((e) => e[0])).not.toContain('local-screen');

    env.refuseDisplay = undefined;
    room.failPublish = Object.assign(new Error('Someone else is sharing a screen'), {
      code: 'SCREEN_SHARE_TAKEN',
    });
    await expect(media.startScreenShare()).rejects.toMatchObject({ code: 'SCREEN_SHARE_TAKEN' });
    expect((env.screens[0].getTracks()[0] as FakeTrack).stopped).toBe(true);
    expect(env.pcs.at(-1)?.closed).toBe(true);
    expect(media.screenStream).toBeUndefined();
    expect(events.map((e) => e[0])).toEqual(['local-stream', 'local-screen', 'local-screen-removed']);
  });

  it("receives others' screens (video only, stream 'screen'), apart from their cameras", async () => {
    const room = new FakeRoom(
      roomOf('m2m', [live('alice', 1), live('bob', 2, ['screen']), person('carol', 3)]),
      'carol',
    );
    const { env, media, events } = await started(room);
    // bob shares only a screen: no camera subscription to him.
    expect(room.named('subscribe')).toEqual([
      ['subscribe', 'alice', 'v=0\r\noffer-1'],
      ['subscribe', 'bob', 'v=0\r\noffer-2', 'screen'],
    ]);
    const fromBob = env.pcs[1];
    expect(fromBob.transceivers).toEqual([{ what: 'video', direction: 'recvonly' }]);
    expect(fromBob.remote?.sdp).toBe('v=0\r\nsub-answer-bob-screen');
    fromBob.ontrack?.({ track: new FakeTrack('video', 'bob-screen'), streams: [] });
    expect(events).toContainEqual(['remote-screen', { participantId: 'bob', stream: expect.anything() }]);
    expect(media.receiving()).toEqual(['alice']);
    expect(media.receivingScreens()).toEqual(['bob']);
    room.fire('ice', { publisherId: 'bob', stream: 'screen', candidate });
    await media.idle();
    expect(fromBob.candidates).toEqual([candidate]);

    // bob stops: stream-ended for his screen closes that connection only.
    room.fire('stream-ended', { publisherId: 'bob', stream: 'screen' });
    await media.idle();
    expect(fromBob.closed).toBe(true);
    expect(env.pcs[0].closed).toBe(false);
    expect(events).toContainEqual(['remote-screen-removed', { participantId: 'bob' }]);
    expect(room.named('unsubscribe')).toEqual([]);

    // alice starts sharing: stream-ready for her screen subscribes to it.
    room.change(
      roomOf(
        'm2m',
        [live('alice', 1, ['audio', 'video', 'screen']), live('bob', 2, []), person('carol', 3)],
        2,
      ),
    );
    room.fire('stream-ready', { publisherId: 'alice', stream: 'screen' });
    await media.idle();
    expect(media.receivingScreens()).toEqual(['alice']);
    // The room says she stopped: dropped.
    room.change(roomOf('m2m', [live('alice', 1), person('carol', 3)], 3));
    await media.idle();
    expect(media.receivingScreens()).toEqual([]);
    expect(media.receiving()).toEqual(['alice']);
  });

  it('the health check covers the screen: a stalled screen subscription is re-subscribed, a stalled share re-published with the same capture', async () => {
    const room = new FakeRoom(roomOf('m2m', [live('alice', 1, ['screen']), person('carol', 2)]), 'carol');
    const { env, media, elapse } = await started(room);
    const fromAlice = env.pcs[0];
    expect(fromAlice.remote?.sdp).toBe('v=0\r\nsub-answer-alice-screen');
    for (let s = 1; s <= 12; s++) {
      fromAlice.stats = inboundVideo(0); // nothing decodes
      await elapse(1_000);
    }
    expect(fromAlice.closed).toBe(true);
    expect(room.named('subscribe').filter((c) => c[3] === 'screen')).toHaveLength(2);
    expect(media.recovered()).toMatchObject({ resubscribed: 1, republished: 0 });
    expect(media.links().find((l) => l.stream === 'screen')).toMatchObject({
      kind: 'subscribe',
      participantId: 'alice',
    });

    // Our own share sends nothing: unpublished and published again with the same capture.
    const mine = new FakeRoom(roomOf('m2m', [live('alice', 1, [])]), 'alice');
    const own = await started(mine);
    await own.media.startScreenShare();
    const [camera, share] = own.env.pcs;
    const screen = own.media.screenStream;
    for (let s = 1; s <= 12; s++) {
      camera.stats = outbound(s * 100);
      await own.elapse(1_000);
    }
    expect(share.closed).toBe(true);
    expect(camera.closed).toBe(false);
    expect(mine.named('unpublish')).toEqual([['unpublish', 'screen']]);
    expect(mine.named('publish').map((c) => c[1])).toEqual([['audio', 'video'], ['screen'], ['screen']]);
    expect(own.media.screenStream).toBe(screen);
    expect((own.env.screens[0].getTracks()[0] as FakeTrack).stopped).toBe(false);
    expect(own.media.recovered().republished).toBe(1);
  });

  it('a static shared screen (frames stop while nothing changes) is neither re-subscribed nor re-published', async () => {
    const room = new FakeRoom(roomOf('m2m', [live('alice', 1, ['screen']), person('carol', 2)]), 'carol');
    const { env, media, elapse } = await started(room);
    const fromAlice = env.pcs[0];
    fromAlice.stats = inboundVideo(3); // a few frames for the slide, then nothing for a minute
    for (let s = 1; s <= 60; s++) await elapse(1_000);
    expect(fromAlice.closed).toBe(false);
    expect(room.named('subscribe').filter((c) => c[3] === 'screen')).toHaveLength(1);
    expect(media.recovered()).toMatchObject({ resubscribed: 0, republished: 0 });

    const mine = new FakeRoom(roomOf('m2m', [live('alice', 1, [])]), 'alice');
    const own = await started(mine);
    await own.media.startScreenShare();
    const [camera, share] = own.env.pcs;
    share.stats = outbound(4_000); // sent the slide once
    for (let s = 1; s <= 60; s++) {
      camera.stats = outbound(s * 100);
      await own.elapse(1_000);
    }
    expect(share.closed).toBe(false);
    expect(mine.named('unpublish')).toEqual([]);
    expect(own.media.recovered().republished).toBe(0);
  });

  it('after reoffer publishes the same screen again, and waits for stream-ready before receiving screens', async () => {
    const room = new FakeRoom(roomOf('m2m', [live('alice', 1), live('bob', 2, [])]), 'bob');
    const { env, media } = await started(room);
    await media.startScreenShare();
    room.fire('reoffer', { reason: 'media-server-restarted' });
    await media.idle();
    expect(room.named('publish').map((c) => c[1])).toEqual([
      ['audio', 'video'],
      ['screen'],
      ['audio', 'video'],
      ['screen'],
    ]);
    expect(media.screenStream).toBe(env.screens[0]);

    const viewer = new FakeRoom(roomOf('m2m', [live('alice', 1, ['screen']), person('carol', 2)]), 'carol');
    const other = await started(viewer);
    expect(other.media.receivingScreens()).toEqual(['alice']);
    viewer.fire('reoffer', { reason: 'media-server-restarted' });
    await other.media.idle();
    expect(other.media.receivingScreens()).toEqual([]);
    viewer.fire('stream-ready', { publisherId: 'alice', stream: 'screen' });
    await other.media.idle();
    expect(other.media.receivingScreens()).toEqual(['alice']);
  });

  it('a demoted sharer stops sharing; close stops the capture', async () => {
    const room = new FakeRoom(roomOf('m2m', [live('alice', 1), live('bob', 2, [])]), 'bob');
    const { env, media } = await started(room);
    await media.startScreenShare();
    room.change(roomOf('m2m', [live('alice', 1), person('bob', 2)], 2));
    await media.idle();
    expect(media.screenStream).toBeUndefined();
    expect((env.screens[0].getTracks()[0] as FakeTrack).stopped).toBe(true);

    const again = new FakeRoom(roomOf('m2m', [live('alice', 1, [])]), 'alice');
    const second = await started(again);
    await second.media.startScreenShare();
    second.media.close();
    expect((second.env.screens[0].getTracks()[0] as FakeTrack).stopped).toBe(true);
    expect(second.env.pcs.every((pc) => pc.closed)).toBe(true);
  });
});
