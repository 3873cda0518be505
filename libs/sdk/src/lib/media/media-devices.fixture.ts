/** In-memory devices, senders and room shared by the device specs of `MediaSession`. */
import type { RoomView } from '@hoot/domain';
import { Emitter } from '../emitter';
import { TestClock } from '../registry-fakes.fixture';
import type {
  IceCandidateLike,
  MediaDeviceInfoLike,
  MediaEnvironment,
  MediaStreamLike,
  MediaStreamTrackLike,
  PeerConnectionLike,
  RtpSenderLike,
  SessionDescriptionLike,
  StatsReportLike,
  TrackConstraintsLike,
  UserMediaConstraints,
} from './media-environment';
import {
  MediaSession,
  type MediaP2pSignal,
  type MediaRoomEvents,
  type MediaRoomSession,
  type MediaSessionEvents,
} from './media-session';

// The stream and room helpers every media spec shares.
import { FakeStream, person, roomOf } from './media-session.fixture';
export { FakeStream, person, roomOf };

export class FakeTrack implements MediaStreamTrackLike {
  private static n = 0;
  readonly id = `track-${++FakeTrack.n}`;
  enabled = true;
  readyState = 'live';
  constructor(
    readonly kind: string,
    readonly deviceId: string,
  ) {}
  getSettings(): { deviceId?: string } {
    return { deviceId: this.deviceId };
  }
  stop(): void {
    this.readyState = 'ended';
  }
  get stopped(): boolean {
    return this.readyState === 'ended';
  }
}

export class FakeSender implements RtpSenderLike {
  replaced = 0;
  refuse: Error | undefined;
  constructor(public track: MediaStreamTrackLike | null) {}
  async replaceTrack(track: MediaStreamTrackLike | null): Promise<void> {
    if (this.refuse) throw this.refuse;
    this.track = track;
    this.replaced++;
  }
}

export class FakePeerConnection implements PeerConnectionLike {
  onicecandidate: ((event: { candidate: IceCandidateLike | null }) => void) | null = null;
  ontrack: ((event: { track: MediaStreamTrackLike; streams: readonly MediaStreamLike[] }) => void) | null =
    null;
  readonly senders: FakeSender[] = [];
  closed = false;
  connectionState = 'new';
  stats: Record<string, unknown>[] = [];
  offers = 0;

  addTransceiver(trackOrKind: MediaStreamTrackLike | string): unknown {
    if (typeof trackOrKind !== 'string') this.senders.push(new FakeSender(trackOrKind));
    return {};
  }
  addTrack(track: MediaStreamTrackLike): unknown {
    const sender = new FakeSender(track);
    this.senders.push(sender);
    return sender;
  }
  getSenders(): RtpSenderLike[] {
    return [...this.senders];
  }
  async createOffer(): Promise<SessionDescriptionLike> {
    this.offers++;
    return { type: 'offer', sdp: 'v=0\r\noffer' };
  }
  async createAnswer(): Promise<SessionDescriptionLike> {
    return { type: 'answer', sdp: 'v=0\r\nanswer' };
  }
  async setLocalDescription(): Promise<void> {}
  async setRemoteDescription(): Promise<void> {}
  async addIceCandidate(): Promise<void> {}
  async getStats(): Promise<StatsReportLike> {
    const stats = this.stats;
    return { forEach: (cb) => stats.forEach(cb) };
  }
  close(): void {
    this.closed = true;
  }
  sending(kind: string): MediaStreamTrackLike | null | undefined {
    return this.senders.find((s) => s.track?.kind === kind || s.track === null)?.track;
  }
}

export const named = (name: string, message: string) => Object.assign(new Error(message), { name });

/** Two cameras and two microphones; the first of each kind is the default. */
export class FakeDevices implements MediaEnvironment {
  readonly pcs: FakePeerConnection[] = [];
  readonly requests: UserMediaConstraints[] = [];
  readonly opened: FakeTrack[] = [];
  devices: MediaDeviceInfoLike[] = [
    { deviceId: 'cam-1', kind: 'videoinput', label: 'Front camera' },
    { deviceId: 'cam-2', kind: 'videoinput', label: 'USB camera' },
    { deviceId: 'mic-1', kind: 'audioinput', label: 'Built-in microphone' },
    { deviceId: 'mic-2', kind: 'audioinput', label: 'Headset' },
  ];
  /** Devices another app holds: opening them fails as Chrome does (NotReadableError). */
  readonly busy = new Set<string>();
  private readonly listeners = new Set<() => void>();

  createPeerConnection(): PeerConnectionLike {
    const pc = new FakePeerConnection();
    this.pcs.push(pc);
    return pc;
  }
  createMediaStream(): MediaStreamLike {
    return new FakeStream();
  }
  async getUserMedia(constraints: UserMediaConstraints): Promise<MediaStreamLike> {
    this.requests.push(constraints);
    const open = (kind: 'audio' | 'video', asked: boolean | TrackConstraintsLike): FakeTrack[] => {
      if (!asked) return [];
      const input = kind === 'audio' ? 'audioinput' : 'videoinput';
      const exact = typeof asked === 'object' ? asked.deviceId?.exact : undefined;
      const device = this.devices.find(
        (d) => d.kind === input && (exact === undefined || d.deviceId === exact),
      );
      if (!device) throw named(exact ? 'OverconstrainedError' : 'NotFoundError', 'browser: no such device');
      if (this.busy.has(device.deviceId))
        throw named('NotReadableError', 'Could not start video source (browser words)');
      return [new FakeTrack(kind, device.deviceId)];
    };
    const tracks = [...open('audio', constraints.audio), ...open('video', constraints.video)];
    this.opened.push(...tracks);
    return new FakeStream(tracks);
  }
  async enumerateDevices(): Promise<MediaDeviceInfoLike[]> {
    return [...this.devices];
  }
  onDeviceChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  /** Takes a device away: its tracks end and `devicechange` fires. */
  unplug(deviceId: string): void {
    this.devices = this.devices.filter((d) => d.deviceId !== deviceId);
    for (const track of this.opened) if (track.deviceId === deviceId) track.stop();
    for (const listener of this.listeners) listener();
  }
  get listening(): number {
    return this.listeners.size;
  }
}

export class FakeRoom extends Emitter<MediaRoomEvents> implements MediaRoomSession {
  readonly calls: [string, ...unknown[]][] = [];
  constructor(
    public room: RoomView,
    public participantId: string,
  ) {
    super();
  }
  change(room: RoomView): void {
    this.room = room;
    this.emit('change', room);
  }
  async publish(kinds: ('audio' | 'video')[], sdpOffer?: string) {
    this.calls.push(['publish', kinds]);
    return sdpOffer === undefined ? {} : { sdpAnswer: 'v=0\r\nserver-answer' };
  }
  async unpublish() {
    this.calls.push(['unpublish']);
  }
  async subscribe(publisherId: string) {
    this.calls.push(['subscribe', publisherId]);
    return { sdpAnswer: 'v=0\r\nsub-answer' };
  }
  async unsubscribe(publisherId: string) {
    this.calls.push(['unsubscribe', publisherId]);
  }
  async addIceCandidate() {
    this.calls.push(['ice']);
  }
  async p2pSignal(signal: MediaP2pSignal) {
    this.calls.push(['p2p', signal.kind]);
  }
  count(name: string): number {
    return this.calls.filter((c) => c[0] === name).length;
  }
}

export const live = (id: string, order: number, streams: ('audio' | 'video')[] = []) =>
  person(id, order, { role: 'publisher', streams });

export async function started(
  room: FakeRoom,
  options: { devices?: Record<string, string>; env?: FakeDevices } = {},
) {
  const env = options.env ?? new FakeDevices();
  const clock = new TestClock();
  const media = new MediaSession(room, { environment: env, clock, devices: options.devices });
  const events: { [K in keyof MediaSessionEvents]?: MediaSessionEvents[K][] } = {};
  const record = <K extends keyof MediaSessionEvents>(name: K) =>
    media.on(name, (payload) => ((events[name] ??= []) as MediaSessionEvents[K][]).push(payload));
  record('local-stream');
  record('device-change');
  record('error');
  await media.start();
  await media.idle();
  const elapse = async (ms: number) => {
    for (let t = 0; t < ms; t += 1_000) {
      clock.advance(1_000);
      await media.idle();
    }
  };
  return { media, env, events, elapse };
}

/** What each of the connection's senders sends: `kind:device`. */
export const sent = (pc: FakePeerConnection) =>
  pc.senders.map((s) => `${s.track?.kind}:${(s.track as FakeTrack | null)?.deviceId}`);

export const localDevices = (media: MediaSession) =>
  (media.local?.getTracks() ?? []).map((t) => `${t.kind}:${(t as FakeTrack).deviceId}`);
