/** In-memory fakes of the browser and of the room shared by the `MediaSession` specs. */
import type { MediaKind, ParticipantView, RoomView, StreamSource } from '@hoot/domain';
import { Emitter } from '../emitter';
import { TestClock } from '../registry-fakes.fixture';
import type { HlsStreamAccess } from '@hoot/contracts';
import type {
  CodecLike,
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

export class FakeTrack implements MediaStreamTrackLike {
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

export class FakeStream implements MediaStreamLike {
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

export class FakePeerConnection implements PeerConnectionLike {
  onicecandidate: ((event: { candidate: IceCandidateLike | null }) => void) | null = null;
  ontrack: ((event: { track: MediaStreamTrackLike; streams: readonly MediaStreamLike[] }) => void) | null =
    null;
  readonly transceivers: { what: string; direction?: string; codecs?: CodecLike[] }[] = [];
  /** False: transceivers without `setCodecPreferences` (older browsers). */
  codecPreferences = true;
  readonly tracks: MediaStreamTrackLike[] = [];
  readonly candidates: IceCandidateLike[] = [];
  local: SessionDescriptionLike | undefined;
  remote: SessionDescriptionLike | undefined;
  closed = false;
  connectionState = 'new';
  stats: Record<string, unknown>[] = [];

  constructor(readonly n: number) {}

  addTransceiver(trackOrKind: MediaStreamTrackLike | string, init?: { direction?: string }): unknown {
    const entry: { what: string; direction?: string; codecs?: CodecLike[] } = {
      what: typeof trackOrKind === 'string' ? trackOrKind : trackOrKind.kind,
      direction: init?.direction,
    };
    this.transceivers.push(entry);
    if (!this.codecPreferences) return {};
    return { setCodecPreferences: (codecs: CodecLike[]) => (entry.codecs = codecs) };
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

export class FakeEnvironment implements MediaEnvironment {
  readonly pcs: FakePeerConnection[] = [];
  readonly requests: UserMediaConstraints[] = [];
  readonly streams: FakeStream[] = [];
  refuse: Error | undefined;
  readonly displayRequests: DisplayMediaConstraints[] = [];
  readonly screens: FakeStream[] = [];
  refuseDisplay: Error | undefined;
  /** What `codecCapabilities('video')` answers (undefined: the browser does not say). */
  videoCodecs: CodecLike[] | undefined;
  /** Transceivers of the next connections have `setCodecPreferences`. */
  codecPreferences = true;
  createPeerConnection(): PeerConnectionLike {
    const pc = new FakePeerConnection(this.pcs.length + 1);
    pc.codecPreferences = this.codecPreferences;
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
  codecCapabilities(kind: 'audio' | 'video'): CodecLike[] | undefined {
    return kind === 'video' ? this.videoCodecs : undefined;
  }
  async getDisplayMedia(constraints: DisplayMediaConstraints): Promise<MediaStreamLike> {
    this.displayRequests.push(constraints);
    if (this.refuseDisplay) throw this.refuseDisplay;
    const stream = new FakeStream([new FakeTrack('video', `screen-${this.displayRequests.length}`)]);
    this.screens.push(stream);
    return stream;
  }
}

export type Call = [string, ...unknown[]];

export class FakeRoom extends Emitter<MediaRoomEvents> implements MediaRoomSession {
  readonly calls: Call[] = [];
  failSubscribe: Error | undefined;
  failPublish: Error | undefined;
  /** The live HLS streams the room offers us (`RoomSession.hlsStreams`). */
  hlsStreams: HlsStreamAccess[] = [];

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

export function person(id: string, joinOrder: number, extra: Partial<ParticipantView> = {}): ParticipantView {
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

export function roomOf(type: RoomView['type'], people: ParticipantView[], version = 1): RoomView {
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

export const live = (id: string, order: number, streams: MediaKind[] = ['audio', 'video']) =>
  person(id, order, { role: 'publisher', streams });

export async function started(room: FakeRoom, env = new FakeEnvironment(), clock = new TestClock()) {
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
    'remote-hls',
    'remote-hls-ended',
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
