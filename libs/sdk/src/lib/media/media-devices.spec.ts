import type { ParticipantView, RoomView } from '@hoot/domain';
import { Emitter } from '../emitter';
import { TestClock } from '../registry-fakes.fixture';
import { SdkError } from '../sdk-error-codes';
import { deviceGone, userMediaConstraints } from './media-devices';
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

// ---- fakes: devices with ids, senders with replaceTrack ---------------------------------------------

class FakeTrack implements MediaStreamTrackLike {
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

class FakeSender implements RtpSenderLike {
  replaced = 0;
  refuse: Error | undefined;
  constructor(public track: MediaStreamTrackLike | null) {}
  async replaceTrack(track: MediaStreamTrackLike | null): Promise<void> {
    if (this.refuse) throw this.refuse;
    this.track = track;
    this.replaced++;
  }
}

class FakePeerConnection implements PeerConnectionLike {
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

const named = (name: string, message: string) => Object.assign(new Error(message), { name });

/** Two cameras and two microphones; the first of each kind is the default. */
class FakeDevices implements MediaEnvironment {
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

class FakeRoom extends Emitter<MediaRoomEvents> implements MediaRoomSession {
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

const live = (id: string, order: number, streams: ('audio' | 'video')[] = []) =>
  person(id, order, { role: 'publisher', streams });

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

async function started(
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
const sent = (pc: FakePeerConnection) =>
  pc.senders.map((s) => `${s.track?.kind}:${(s.track as FakeTrack | null)?.deviceId}`);

const localDevices = (media: MediaSession) =>
  (media.local?.getTracks() ?? []).map((t) => `${t.kind}:${(t as FakeTrack).deviceId}`);

// ---- specs -----------------------------------------------------------------------------------------

describe('userMediaConstraints', () => {
  it('asks for the chosen devices exactly and keeps the camera size ideal; nothing chosen: the defaults', () => {
    const size = { width: 640, height: 360 };
    expect(userMediaConstraints(['audio', 'video'], size, {})).toEqual({
      audio: true,
      video: { width: { ideal: 640 }, height: { ideal: 360 } },
    });
    expect(userMediaConstraints(['audio', 'video'], size, { audio: 'mic-2', video: 'cam-2' })).toEqual({
      audio: { deviceId: { exact: 'mic-2' } },
      video: { width: { ideal: 640 }, height: { ideal: 360 }, deviceId: { exact: 'cam-2' } },
    });
    expect(userMediaConstraints(['audio'], size, { video: 'cam-2' })).toEqual({ audio: true, video: false });
  });
});

describe('deviceGone', () => {
  const devices = [{ deviceId: 'cam-1', kind: 'videoinput', label: '' }];
  it('is true for an ended track or a device no longer listed, and proves nothing from an empty list', () => {
    expect(deviceGone(new FakeTrack('video', 'cam-1'), devices, undefined)).toBe(false);
    expect(deviceGone(new FakeTrack('video', 'cam-2'), devices, undefined)).toBe(true);
    const ended = new FakeTrack('video', 'cam-1');
    ended.stop();
    expect(deviceGone(ended, devices, undefined)).toBe(true);
    expect(deviceGone(new FakeTrack('video', 'cam-2'), [], undefined)).toBe(false);
    expect(deviceGone(new FakeTrack('video', 'cam-2'), undefined, undefined)).toBe(false);
  });
});

describe('MediaSession.switchDevice', () => {
  it('m2m: replaces the camera on the publish sender — no new connection, no new offer, no new publish', async () => {
    const room = new FakeRoom(roomOf('m2m', [live('alice', 1)]), 'alice');
    const { media, env, events } = await started(room);
    const pc = env.pcs[0];
    expect(sent(pc)).toEqual(['audio:mic-1', 'video:cam-1']);
    const [oldMic, oldCam] = env.opened as FakeTrack[];

    await media.switchDevice('video', 'cam-2');

    expect(env.requests[1]).toEqual({
      audio: false,
      video: { width: { ideal: 640 }, height: { ideal: 360 }, deviceId: { exact: 'cam-2' } },
    });
    expect(sent(pc)).toEqual(['audio:mic-1', 'video:cam-2']);
    expect(pc.senders.map((s) => s.replaced)).toEqual([0, 1]);
    expect(env.pcs).toHaveLength(1);
    expect(pc.offers).toBe(1);
    expect(room.count('publish')).toBe(1);
    expect(room.count('unpublish')).toBe(0);
    expect(oldCam.stopped).toBe(true);
    expect(oldMic.stopped).toBe(false);
    // The preview follows: a new local stream with the same microphone and the new camera.
    expect(localDevices(media)).toEqual(['audio:mic-1', 'video:cam-2']);
    expect(events['local-stream']?.at(-1)).toEqual({ stream: media.local, kinds: ['audio', 'video'] });
    expect(events['device-change']).toEqual([{ kind: 'video', deviceId: 'cam-2', reason: 'switched' }]);
    expect(media.chosenDevices()).toEqual({ video: 'cam-2' });
  });

  it('keeps the mute state: a muted microphone stays muted on the new device', async () => {
    const room = new FakeRoom(roomOf('m2m', [live('alice', 1)]), 'alice');
    const { media, env } = await started(room);
    media.setEnabled('audio', false);
    await media.switchDevice('audio', 'mic-2');
    const micSender = env.pcs[0].senders[0];
    expect((micSender.track as FakeTrack).deviceId).toBe('mic-2');
    expect(micSender.track?.enabled).toBe(false);
    media.setEnabled('audio', true);
    expect(micSender.track?.enabled).toBe(true);

    // And an unmuted camera stays on.
    await media.switchDevice('video', 'cam-2');
    expect(env.pcs[0].senders[1].track?.enabled).toBe(true);
  });

  it.each([
    ['in use by another app (NotReadableError)', 'cam-2', true],
    ['that does not exist (OverconstrainedError)', 'cam-9', false],
  ])(
    'a camera %s: rejects in our words, the old camera keeps sending, nothing remembered',
    async (_what, deviceId, busy) => {
      const room = new FakeRoom(roomOf('m2m', [live('alice', 1)]), 'alice');
      const { media, env, events } = await started(room);
      if (busy) env.busy.add(deviceId);
      const before = media.local;

      const error = await media.switchDevice('video', deviceId).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(SdkError);
      expect((error as SdkError).code).toBe('sdk.device-unavailable');
      expect((error as SdkError).message).toBe(
        'The camera you picked could not be started (another app may be using it, or it was unplugged); the camera you had stays on.',
      );
      expect((error as SdkError).message).not.toContain('browser');
      expect(sent(env.pcs[0])).toEqual(['audio:mic-1', 'video:cam-1']);
      expect(env.opened.filter((t) => t.stopped)).toEqual([]);
      expect(media.local).toBe(before);
      expect(media.chosenDevices()).toEqual({});
      expect(events['device-change']).toBeUndefined();
      expect(events['error']).toBeUndefined(); // told to the caller, not as an event
      // The session goes on: a later switch works.
      await media.switchDevice('video', 'cam-1');
      expect(media.chosenDevices()).toEqual({ video: 'cam-1' });
    },
  );

  it('a sender that refuses the new track: all senders go back to the old one, the new track is stopped', async () => {
    const room = new FakeRoom(roomOf('m2m', [live('alice', 1)]), 'alice');
    const { media, env } = await started(room);
    env.pcs[0].senders[1].refuse = new Error('InvalidModificationError (browser words)');
    await expect(media.switchDevice('video', 'cam-2')).rejects.toMatchObject({
      code: 'sdk.device-unavailable',
    });
    expect(sent(env.pcs[0])).toEqual(['audio:mic-1', 'video:cam-1']);
    expect(env.opened.map((t) => `${t.deviceId}:${t.readyState}`)).toEqual([
      'mic-1:live',
      'cam-1:live',
      'cam-2:ended',
    ]);
  });

  it('p2p: replaces the track on the call connection without a new offer', async () => {
    const room = new FakeRoom(roomOf('p2p', [live('caller', 1), live('callee', 2)]), 'callee');
    const { media, env } = await started(room);
    expect(room.calls.filter((c) => c[0] === 'p2p')).toEqual([['p2p', 'offer']]);
    const pc = env.pcs[0];
    expect(sent(pc)).toEqual(['audio:mic-1', 'video:cam-1']);
    await media.switchDevice('video', 'cam-2');
    await media.switchDevice('audio', 'mic-2');
    expect(sent(pc)).toEqual(['audio:mic-2', 'video:cam-2']);
    expect(env.pcs).toHaveLength(1);
    expect(pc.offers).toBe(1);
    expect(room.calls.filter((c) => c[0] === 'p2p')).toEqual([['p2p', 'offer']]);
  });

  it('while sending nothing only remembers the choice, and the next publish opens it', async () => {
    const room = new FakeRoom(roomOf('m2m', [live('alice', 1, ['audio', 'video']), person('bob', 2)]), 'bob');
    const { media, env } = await started(room);
    await media.switchDevice('video', 'cam-2');
    expect(env.requests).toEqual([]);
    expect(media.chosenDevices()).toEqual({ video: 'cam-2' });
    room.change(roomOf('m2m', [live('alice', 1, ['audio', 'video']), live('bob', 2)], 2));
    await media.idle();
    const publish = env.pcs.find((pc) => pc.senders.length > 0)!;
    expect(sent(publish)).toEqual(['audio:mic-1', 'video:cam-2']);
  });

  it('opens the devices given at start (chosen before joining); a remembered one that is gone gives way to the default', async () => {
    const room = new FakeRoom(roomOf('m2m', [live('alice', 1)]), 'alice');
    const { env } = await started(room, { devices: { audio: 'mic-2', video: 'cam-2' } });
    expect(sent(env.pcs[0])).toEqual(['audio:mic-2', 'video:cam-2']);

    const other = new FakeRoom(roomOf('m2m', [live('alice', 1)]), 'alice');
    const gone = await started(other, { devices: { video: 'cam-unplugged' } });
    expect(sent(gone.env.pcs[0])).toEqual(['audio:mic-1', 'video:cam-1']);
    expect(gone.events['device-change']).toEqual([{ kind: 'video', deviceId: undefined, reason: 'missing' }]);
    expect(gone.media.chosenDevices()).toEqual({});
  });

  it('a publish the camera refused is tried again once another camera is picked', async () => {
    const env = new FakeDevices();
    env.busy.add('cam-1');
    const room = new FakeRoom(roomOf('m2m', [live('alice', 1)]), 'alice');
    const { media, events } = await started(room, { env });
    expect(room.count('publish')).toBe(0);
    expect(events['error']?.map((e) => e.step)).toEqual(['publish']);
    await media.switchDevice('video', 'cam-2');
    expect(room.count('publish')).toBe(1);
    expect(sent(env.pcs[0])).toEqual(['audio:mic-1', 'video:cam-2']);
  });

  it('the health check still rebuilds a stalled publish after a switch, with the switched camera', async () => {
    const room = new FakeRoom(roomOf('m2m', [live('alice', 1)]), 'alice');
    const { media, env, elapse } = await started(room);
    await media.switchDevice('video', 'cam-2');
    await elapse(12_000);
    expect(media.recovered().republished).toBe(1);
    expect(env.pcs[0].closed).toBe(true);
    expect(sent(env.pcs[1])).toEqual(['audio:mic-1', 'video:cam-2']);
  });

  it('after close a switch does nothing', async () => {
    const room = new FakeRoom(roomOf('m2m', [live('alice', 1)]), 'alice');
    const { media, env } = await started(room);
    media.close();
    await media.switchDevice('video', 'cam-2');
    expect(env.requests).toHaveLength(1);
    expect(env.listening).toBe(0);
  });
});

describe('MediaSession on devicechange', () => {
  it('the camera in use unplugged: the default camera takes over on the same sender, the choice is forgotten', async () => {
    const room = new FakeRoom(roomOf('m2m', [live('alice', 1)]), 'alice');
    const { media, env, events } = await started(room, { devices: { video: 'cam-2' } });
    media.setEnabled('video', false);
    expect(sent(env.pcs[0])).toEqual(['audio:mic-1', 'video:cam-2']);

    env.unplug('cam-2');
    await media.idle();

    expect(env.requests.at(-1)).toEqual({
      audio: false,
      video: { width: { ideal: 640 }, height: { ideal: 360 } },
    });
    expect(sent(env.pcs[0])).toEqual(['audio:mic-1', 'video:cam-1']);
    expect(env.pcs[0].senders[1].track?.enabled).toBe(false); // the camera was off: it stays off
    expect(env.pcs).toHaveLength(1);
    expect(room.count('publish')).toBe(1);
    expect(localDevices(media)).toEqual(['audio:mic-1', 'video:cam-1']);
    expect(media.chosenDevices()).toEqual({});
    expect(events['device-change']).toEqual([{ kind: 'video', deviceId: undefined, reason: 'unplugged' }]);
  });

  it('a device not in use unplugged changes nothing', async () => {
    const room = new FakeRoom(roomOf('m2m', [live('alice', 1)]), 'alice');
    const { media, env, events } = await started(room);
    env.unplug('mic-2');
    await media.idle();
    expect(env.requests).toHaveLength(1);
    expect(events['device-change']).toBeUndefined();
  });

  it('no camera left: reported once in our words (sdk.device-lost)', async () => {
    const room = new FakeRoom(roomOf('m2m', [live('alice', 1)]), 'alice');
    const { media, env, events } = await started(room);
    env.devices = env.devices.filter((d) => d.deviceId !== 'cam-2');
    env.unplug('cam-1');
    await media.idle();
    expect(events['error']).toHaveLength(1);
    expect(events['error']?.[0]).toMatchObject({ step: 'device', error: { code: 'sdk.device-lost' } });
    expect((events['error']?.[0].error as Error).message).not.toContain('browser');
  });
});
