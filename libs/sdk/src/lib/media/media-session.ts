import {
  systemClock,
  type Clock,
  type MediaKind,
  type RoomView,
  type StreamSource,
  type TimerHandle,
} from '@hoot/domain';
import {
  MediaUnsupportedError,
  browserMediaEnvironment,
  type IceCandidateLike,
  type MediaEnvironment,
  type MediaStreamLike,
  type MediaStreamTrackLike,
  type PeerConnectionLike,
  type StatsReportLike,
} from './media-environment';
import { SdkError, SdkErrorCode } from '../sdk-error-codes';
import {
  hasCameraStream,
  p2pSides,
  publishKinds,
  publishersWithStreams,
  receiveKinds,
  screenShareAllowed,
  screenSharers,
} from './media-plan';
import {
  deviceGone,
  deviceLost,
  deviceUnavailable,
  isMissingDevice,
  replaceSentTrack,
  userMediaConstraints,
  withTrack,
  type DeviceChangeReason,
  type DeviceKind,
  type MediaDeviceChoice,
} from './media-devices';

/** A p2p signal as CASH relays it (`p2p-signal`). */
export type MediaP2pSignal =
  | { kind: 'offer'; sdp: string }
  | { kind: 'answer'; sdp: string }
  | { kind: 'candidate'; candidate: { candidate: string; sdpMid: string; sdpMLineIndex: number } };

/** The room events `MediaSession` follows (a subset of `RoomSessionEvents`). */
export interface MediaRoomEvents {
  change: RoomView;
  'participant-left': { participantId: string };
  /** `stream: 'screen'`: the publisher's shared screen (its second stream), else its camera. */
  'stream-ready': { publisherId: string; stream?: 'screen' };
  'stream-ended': { publisherId: string; stream?: 'screen' };
  ice: { publisherId: string; stream?: 'screen'; candidate: IceCandidateLike };
  'p2p-signal': { from: string; signal: MediaP2pSignal };
  reoffer: { reason: string };
  reconnected: { participantId: string };
}

/**
 * What `MediaSession` needs of a joined room (the SDK's `RoomSession` has all of it): the current room
 * object, our participant id, its events and the media commands of the signaling protocol.
 */
export interface MediaRoomSession {
  readonly room: RoomView;
  readonly participantId: string;
  /** Returns the unsubscribe function. */
  on<K extends keyof MediaRoomEvents>(event: K, listener: (payload: MediaRoomEvents[K]) => void): () => void;
  /** With an SDP offer in SFU rooms (answered with `sdpAnswer`); without in p2p (room state only). */
  publish(kinds: MediaKind[], sdpOffer?: string): Promise<{ sdpAnswer?: string }>;
  /** The camera, or (`'screen'`) the shared screen. */
  unpublish(stream?: StreamSource): Promise<unknown>;
  subscribe(publisherId: string, sdpOffer: string, stream?: StreamSource): Promise<{ sdpAnswer: string }>;
  unsubscribe(publisherId: string, stream?: StreamSource): Promise<unknown>;
  addIceCandidate(
    publisherId: string,
    candidate: { candidate: string; sdpMid: string; sdpMLineIndex: number },
    stream?: StreamSource,
  ): Promise<unknown>;
  p2pSignal(signal: MediaP2pSignal): Promise<unknown>;
}

export interface MediaSessionEvents {
  'local-stream': { stream: MediaStreamLike; kinds: MediaKind[] };
  'local-stream-removed': Record<string, never>;
  'remote-stream': { participantId: string; stream: MediaStreamLike };
  'remote-stream-removed': { participantId: string };
  /** Our shared screen, from `startScreenShare` until it stops (by us, the browser's bar, or a refusal). */
  'local-screen': { stream: MediaStreamLike };
  'local-screen-removed': Record<string, never>;
  /** Another participant's shared screen. */
  'remote-screen': { participantId: string; stream: MediaStreamLike };
  'remote-screen-removed': { participantId: string };
  /** A media step failed (camera refused, SDP refused, …); the session keeps going. */
  error: { error: unknown; step: string };
  /** The device of a kind changed (`deviceId` undefined: the browser's default); see `switchDevice`. */
  'device-change': { kind: DeviceKind; deviceId: string | undefined; reason: DeviceChangeReason };
}

export interface MediaSessionOptions {
  environment?: MediaEnvironment;
  /** Preferred camera size (ideal, not exact). */
  video?: { width: number; height: number };
  /** The camera and microphone to open (device ids, e.g. chosen before joining); the defaults otherwise. */
  devices?: MediaDeviceChoice;
  /** Timers of the health check (the system clock by default). */
  clock?: Clock;
  /**
   * The health check: every `intervalMs` each connection's counters are read (video frames decoded and
   * audio packets received per kind a subscription should carry, bytes sent by our publish); one that
   * failed, or whose counter of some kind stood still for `stallMs` after it was answered, is built again
   * (a publish is re-published, a subscription re-subscribed), and a publish the server refused is tried
   * again. `false` turns it off.
   */
  health?: Partial<MediaHealthPolicy> | false;
}

export interface MediaHealthPolicy {
  intervalMs: number;
  stallMs: number;
  /** First wait before a refused publish is tried again; doubles up to `maxRetryMs`. */
  retryMs: number;
  maxRetryMs: number;
}

export const MEDIA_HEALTH_DEFAULTS: MediaHealthPolicy = {
  intervalMs: 2_000,
  stallMs: 10_000,
  retryMs: 2_000,
  maxRetryMs: 30_000,
};

export interface InboundMediaStats {
  videoFramesDecoded: number;
  audioPacketsReceived: number;
}

/** One media connection as the health check sees it (`MediaSession.links()`). */
export interface MediaLinkReport {
  /** `publish` for our own stream, `subscribe` for a publisher's, `p2p` for a call. */
  kind: 'publish' | 'subscribe' | 'p2p';
  /** The publisher (ourselves for `publish`, the peer for `p2p`). */
  participantId: string;
  /** The publisher's shared screen rather than its camera. */
  stream?: 'screen';
  connectionState: string;
  /** The counters at the last check: `video` frames decoded, `audio` packets received, `sent` bytes. */
  counters: Record<string, number>;
  answered: boolean;
  /** Milliseconds since the most idle counter last grew (or since the answer). */
  idleMs: number;
}

/** What the health check has done since the session started. */
export interface MediaRecoveries {
  resubscribed: number;
  republished: number;
  publishRetries: number;
}

type Listener<T> = (payload: T) => void;

interface Link {
  pc: PeerConnectionLike;
  /** Candidates that arrived before the remote description. */
  pending: IceCandidateLike[];
  remoteSet: boolean;
  /** Our candidates gathered before the server knew the connection (sent once it answered). */
  outbox?: WireCandidate[];
  sendCandidate?: (candidate: WireCandidate) => void;
  stream?: MediaStreamLike;
  /** When the answer was applied (the health check starts counting then). */
  answeredAt?: number;
  /** Each counter at the last health check, and when it last grew. */
  progress: Map<string, { value: number; at: number }>;
}

/**
 * Browser media on top of a joined room: publishes the camera and microphone when we are a publisher
 * (audio only in a2m, nothing for viewers), receives every publisher (one receive-only connection per
 * publisher, as CASH wants), runs the direct connection of a p2p call (the callee offers), and starts
 * over after a media server restart (`reoffer`) or a reconnection. Uses only browser globals, through
 * `MediaEnvironment`.
 */
export class MediaSession {
  private readonly env: MediaEnvironment;
  private readonly listeners = new Map<keyof MediaSessionEvents, Set<Listener<never>>>();
  private readonly detach: Array<() => void> = [];
  private readonly subscriptions = new Map<string, Link>();
  /** Other participants' shared screens we receive, by participant id. */
  private readonly screenSubscriptions = new Map<string, Link>();
  /** Our shared screen: the captured stream, and its publish connection while it has one. */
  private screen: { stream: MediaStreamLike; link?: Link; off: () => void } | undefined;
  private publishing: Link | undefined;
  private p2p: (Link & { peerId: string }) | undefined;
  private localStream: MediaStreamLike | undefined;
  private localKinds: MediaKind[] = [];
  /** Published state on the room (p2p has no media server: publish is room state only). */
  private published = false;
  /** Getting the camera or publishing failed: not retried on every room change, only after a restart. */
  private publishBlocked = false;
  /** After `reoffer`: publishers whose new stream we wait for (`stream-ready`) before subscribing again. */
  private readonly awaitingReady = new Map<string, number>();
  private queue: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly clock: Clock;
  private readonly health: MediaHealthPolicy | undefined;
  private healthTimer: TimerHandle | undefined;
  /** A publish the server refused (or that timed out) is tried again from this time on. */
  private publishRetryAt: number | undefined;
  private publishFailures = 0;
  private readonly recoveries: MediaRecoveries = { resubscribed: 0, republished: 0, publishRetries: 0 };
  /** The device each kind opens (`switchDevice` changes it; a kind left out: the default). */
  private readonly devices: MediaDeviceChoice;

  constructor(
    private readonly session: MediaRoomSession,
    private readonly options: MediaSessionOptions = {},
  ) {
    this.env = options.environment ?? browserMediaEnvironment();
    this.clock = options.clock ?? systemClock;
    this.health = options.health === false ? undefined : { ...MEDIA_HEALTH_DEFAULTS, ...options.health };
    this.devices = { ...options.devices };
  }

  on<K extends keyof MediaSessionEvents>(event: K, listener: Listener<MediaSessionEvents[K]>): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as Listener<never>);
    return () => set.delete(listener as Listener<never>);
  }

  /** The camera/microphone stream we publish, if any. */
  get local(): MediaStreamLike | undefined {
    return this.localStream;
  }

  /** Participant ids we currently receive media from. */
  receiving(): string[] {
    return [...this.subscriptions.keys(), ...(this.p2p?.stream ? [this.p2p.peerId] : [])];
  }

  /** Starts: listens to the room, publishes if we may, subscribes to every publisher with a stream. */
  start(): Promise<void> {
    this.listen('stream-ready', (e) => {
      this.awaitingReady.delete(readyKey(e.publisherId, e.stream));
      if (e.stream === 'screen') void this.enqueue('subscribe', () => this.subscribeScreen(e.publisherId));
      else void this.enqueue('subscribe', () => this.subscribeTo(e.publisherId));
    });
    this.listen('stream-ended', (e) =>
      e.stream === 'screen'
        ? this.enqueue('unsubscribe', () => this.dropScreenSubscription(e.publisherId))
        : this.enqueue('unsubscribe', () => this.dropSubscription(e.publisherId, true)),
    );
    this.listen('participant-left', (e) =>
      this.enqueue('participant-left', () => {
        this.dropSubscription(e.participantId, false);
        this.dropScreenSubscription(e.participantId);
      }),
    );
    this.listen('ice', (e) => this.remoteCandidate(e.publisherId, e.candidate, e.stream));
    this.listen('p2p-signal', (e) => this.enqueue('p2p-signal', () => this.onP2pSignal(e.from, e.signal)));
    this.listen('reoffer', () => this.enqueue('reoffer', () => this.restart(true)));
    this.listen('reconnected', () => this.enqueue('reconnected', () => this.restart(false)));
    this.listen('change', () => this.enqueue('change', () => this.reconcile()));
    const offDevices = this.env.onDeviceChange?.(
      () => void this.enqueue('device', () => this.checkDevices()),
    );
    if (offDevices) this.detach.push(offDevices);
    this.scheduleHealthCheck();
    return this.enqueue('start', () => this.reconcile(), true);
  }

  /** Each connection as the last health check saw it (the end-to-end specs log it when media stalls). */
  links(): MediaLinkReport[] {
    const now = this.clock.now();
    const report = (kind: MediaLinkReport['kind'], participantId: string, link: Link): MediaLinkReport => ({
      kind,
      participantId,
      connectionState: link.pc.connectionState ?? 'unknown',
      counters: Object.fromEntries([...link.progress].map(([name, p]) => [name, p.value])),
      answered: link.answeredAt !== undefined,
      idleMs:
        link.answeredAt === undefined
          ? 0
          : Math.max(0, ...[...link.progress.values()].map((p) => now - p.at)),
    });
    return [
      ...(this.publishing ? [report('publish', this.session.participantId, this.publishing)] : []),
      ...[...this.subscriptions].map(([id, link]) => report('subscribe', id, link)),
      ...(this.p2p ? [report('p2p', this.p2p.peerId, this.p2p)] : []),
      ...(this.screen?.link
        ? [{ ...report('publish', this.session.participantId, this.screen.link), stream: 'screen' as const }]
        : []),
      ...[...this.screenSubscriptions].map(([id, link]) => ({
        ...report('subscribe', id, link),
        stream: 'screen' as const,
      })),
    ];
  }

  /** How often the health check rebuilt a connection or retried a publish. */
  recovered(): MediaRecoveries {
    return { ...this.recoveries };
  }

  /** Resolves once every media step queued so far has run (specs, and apps before reading state). */
  async idle(): Promise<void> {
    let last: Promise<void> | undefined;
    while (last !== this.queue) {
      last = this.queue;
      await last;
    }
  }

  /** Sums the inbound RTP counters of every receiving connection (video frames decoded, audio packets). */
  async inboundStats(): Promise<InboundMediaStats> {
    const totals: InboundMediaStats = { videoFramesDecoded: 0, audioPacketsReceived: 0 };
    const links = [
      ...this.subscriptions.values(),
      ...this.screenSubscriptions.values(),
      ...(this.p2p ? [this.p2p] : []),
    ];
    for (const link of links) {
      const report: StatsReportLike = await link.pc.getStats();
      report.forEach((stat) => {
        if (stat['type'] !== 'inbound-rtp') return;
        const kind = stat['kind'] ?? stat['mediaType'];
        if (kind === 'video') totals.videoFramesDecoded += Number(stat['framesDecoded'] ?? 0);
        if (kind === 'audio') totals.audioPacketsReceived += Number(stat['packetsReceived'] ?? 0);
      });
    }
    return totals;
  }

  /** Enables or disables our outgoing tracks of a kind (mute), without renegotiating. */
  setEnabled(kind: MediaKind, enabled: boolean): void {
    for (const track of this.localStream?.getTracks() ?? []) {
      if (track.kind === kind) (track as { enabled?: boolean }).enabled = enabled;
    }
  }

  /** The device each kind opens (a kind left out: the browser's default). */
  chosenDevices(): MediaDeviceChoice {
    return { ...this.devices };
  }

  /**
   * Moves a kind to another device mid-call: opens it (`deviceId` exact), sends it in place of the old
   * track on the connections that send it (`replaceTrack`: no renegotiation, no new publish), keeps it
   * muted if the old one was, stops the old track, emits `local-stream` with the new preview stream and
   * remembers the choice (a later publish opens it). When we send nothing yet, only remembers it, and a
   * publish the camera refused is tried again with it. Rejects with `sdk.device-unavailable` when the
   * device cannot be opened or sent: the old one goes on.
   */
  switchDevice(kind: DeviceKind, deviceId: string): Promise<void> {
    // Runs in turn with the other media steps; its failure is the caller's (not an `error` event).
    const run = this.queue.then(async () => {
      if (this.closed) return;
      await this.useDevice(kind, deviceId, 'switched');
      if (!this.publishBlocked) return;
      this.publishBlocked = false;
      await this.reconcile().catch((error: unknown) => this.emit('error', { error, step: 'publish' }));
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Stops everything: connections closed, camera released, room listeners removed. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.healthTimer !== undefined) this.clock.clearTimeout(this.healthTimer);
    this.healthTimer = undefined;
    for (const off of this.detach.splice(0)) off();
    this.closeAll();
    this.stopLocal();
    this.releaseScreen();
  }

  // ---- reconciliation --------------------------------------------------------------------------------

  /**
   * Brings the media in line with the room: publish when we are a publisher and do not yet, stop when we
   * no longer are, subscribe to every publisher with a stream, drop receivers of publishers gone, and run
   * the p2p connection when both sides of a call are in.
   */
  private async reconcile(): Promise<void> {
    const view = this.session.room;
    const me = this.session.participantId;
    const kinds = publishKinds(view.type, view.participants[me]?.role);
    if (kinds.length === 0) {
      this.publishBlocked = false;
      this.publishRetryAt = undefined;
    }
    const retryDue = this.publishRetryAt === undefined || this.clock.now() >= this.publishRetryAt;
    if (kinds.length > 0 && !this.published && !this.publishBlocked && retryDue) {
      try {
        await this.publish(kinds);
        this.publishRetryAt = undefined;
        this.publishFailures = 0;
      } catch (error) {
        this.publishing?.pc.close();
        this.publishing = undefined;
        if (error instanceof CameraError) {
          // Receiving still works without a camera; the app shows why. Tried again only after a restart.
          this.publishBlocked = true;
          this.emit('error', { error: error.original, step: 'publish' });
        } else {
          // The server refused or did not answer (a move, a media server restarting): try again later,
          // after releasing a publish the server may still hold for us.
          this.publishRetryAt = this.clock.now() + this.retryDelay(++this.publishFailures);
          if (errorCode(error) === 'ALREADY_PUBLISHING')
            await this.session.unpublish().catch(() => undefined);
          this.emit('error', { error, step: 'publish' });
        }
      }
    }
    if (kinds.length === 0 && this.published) await this.unpublish();
    if (view.type === 'p2p') return this.reconcileP2p();
    for (const publisherId of publishersWithStreams(view, me)) {
      if (!this.subscriptions.has(publisherId) && !this.awaitingReady.has(publisherId)) {
        await this.subscribeTo(publisherId).catch((error: unknown) =>
          this.emit('error', { error, step: 'subscribe' }),
        );
      }
    }
    for (const id of [...this.subscriptions.keys()]) {
      const p = view.participants[id];
      if (!p || p.role !== 'publisher' || !hasCameraStream(p)) this.dropSubscription(id, false);
    }
    await this.reconcileScreens();
  }

  /**
   * After `reoffer` (media server restarted) or a reconnection every connection is gone on the server
   * side: publish again; after a reoffer the other publishers' streams come back one by one with
   * `stream-ready`, after a reconnection they are in the new snapshot.
   */
  private async restart(waitForStreams: boolean): Promise<void> {
    // A call's media never touches the media server: its restart changes nothing for us.
    if (waitForStreams && this.session.room.type === 'p2p') return;
    this.closeAll();
    this.published = false;
    this.publishBlocked = false;
    this.publishRetryAt = undefined;
    this.publishFailures = 0;
    this.awaitingReady.clear();
    if (waitForStreams) {
      for (const id of publishersWithStreams(this.session.room, this.session.participantId))
        this.awaitingReady.set(id, this.clock.now());
      for (const id of screenSharers(this.session.room, this.session.participantId))
        this.awaitingReady.set(readyKey(id, 'screen'), this.clock.now());
    }
    await this.reconcile();
  }

  // ---- publishing ------------------------------------------------------------------------------------

  private async ensureLocal(kinds: MediaKind[]): Promise<MediaStreamLike> {
    const sameKinds =
      kinds.length === this.localKinds.length && kinds.every((k) => this.localKinds.includes(k));
    if (this.localStream && sameKinds) return this.localStream;
    this.stopLocal();
    const stream = await this.openLocal(kinds);
    this.localStream = stream;
    this.localKinds = kinds;
    this.emit('local-stream', { stream, kinds });
    return stream;
  }

  private async publish(kinds: MediaKind[]): Promise<void> {
    const stream = await this.ensureLocal(kinds).catch((error: unknown) => {
      throw new CameraError(error);
    });
    if (this.session.room.type === 'p2p') {
      await this.session.publish(kinds);
      this.published = true;
      return;
    }
    const link = this.link(this.session.participantId);
    for (const track of stream.getTracks())
      link.pc.addTransceiver(track, { direction: 'sendonly', streams: [stream] });
    this.publishing = link;
    await this.offerAndAnswer(link, (sdp) => this.session.publish(kinds, sdp), 'publish');
    this.published = true;
  }

  // ---- health ----------------------------------------------------------------------------------------

  private scheduleHealthCheck(): void {
    if (!this.health || this.closed) return;
    this.healthTimer = this.clock.setTimeout(() => {
      this.healthTimer = undefined;
      void this.enqueue('health', () => this.checkHealth()).then(() => this.scheduleHealthCheck());
    }, this.health.intervalMs);
  }

  /**
   * Rebuilds what carries no media: a subscription whose connection failed or received nothing for
   * `stallMs` since its answer is subscribed again (the server replaces its endpoint), our publish whose
   * connection failed or sent nothing is published again; then the room is reconciled, which also retries
   * a publish the server refused and subscriptions refused while a stream was not ready yet.
   */
  private async checkHealth(): Promise<void> {
    const policy = this.health;
    if (!policy || this.session.room.type === 'p2p') return;
    // A `stream-ready` that never came (its publisher moved on): subscribe from the room state instead.
    for (const [id, since] of [...this.awaitingReady])
      if (this.clock.now() - since >= policy.stallMs) this.awaitingReady.delete(id);
    for (const [publisherId, link] of [...this.subscriptions]) {
      const streams = this.session.room.participants[publisherId]?.streams ?? [];
      const kinds = receiveKinds(this.session.room.type).filter((kind) => streams.includes(kind));
      if (await this.stalled(link, kinds, policy)) {
        this.recoveries.resubscribed++;
        this.dropSubscription(publisherId, false);
      }
    }
    // A shared screen may stand still for long (a static slide: browsers stop sending frames while nothing
    // changes), so a screen link is rebuilt only when its connection failed or it never carried anything.
    for (const [publisherId, link] of [...this.screenSubscriptions]) {
      if (await this.stalled(link, ['video'], policy, { idleAllowed: true })) {
        this.recoveries.resubscribed++;
        this.dropScreenSubscription(publisherId);
      }
    }
    const screen = this.screen;
    const screenLink = screen?.link;
    if (screen && screenLink && (await this.stalled(screenLink, ['sent'], policy, { idleAllowed: true }))) {
      // Published again by the reconcile below, with the same captured screen.
      this.recoveries.republished++;
      screenLink.pc.close();
      screen.link = undefined;
      await this.session.unpublish('screen').catch(() => undefined);
    }
    const publishing = this.publishing;
    if (publishing && this.published && (await this.stalled(publishing, ['sent'], policy))) {
      this.recoveries.republished++;
      publishing.pc.close();
      this.publishing = undefined;
      this.published = false;
      await this.session.unpublish().catch(() => undefined);
    }
    if (this.publishRetryAt !== undefined && this.clock.now() >= this.publishRetryAt)
      this.recoveries.publishRetries++;
    await this.reconcile();
  }

  /**
   * Reads the link's counters; true when its connection failed or one of `counters` stood still for
   * `stallMs` since the answer (or since it last grew). With `idleAllowed`, a counter that grew once may
   * stand still for good (only one that never grew since the answer is a stall).
   */
  private async stalled(
    link: Link,
    counters: string[],
    policy: MediaHealthPolicy,
    options: { idleAllowed?: boolean } = {},
  ): Promise<boolean> {
    const answeredAt = link.answeredAt;
    if (answeredAt === undefined) return false;
    if (link.pc.connectionState === 'failed') return true;
    const now = this.clock.now();
    const values = await mediaCounters(link.pc).catch(() => undefined);
    let stalled = false;
    for (const name of counters) {
      const last = link.progress.get(name) ?? { value: 0, at: answeredAt };
      const value = values?.[name] ?? last.value;
      if (value > last.value) link.progress.set(name, { value, at: now });
      else {
        link.progress.set(name, last);
        if (now - last.at >= policy.stallMs && !(options.idleAllowed && last.value > 0)) stalled = true;
      }
    }
    return stalled;
  }

  private retryDelay(failures: number): number {
    const policy = this.health ?? MEDIA_HEALTH_DEFAULTS;
    return Math.min(policy.maxRetryMs, policy.retryMs * 2 ** Math.max(0, failures - 1));
  }

  private async unpublish(): Promise<void> {
    this.publishing?.pc.close();
    this.publishing = undefined;
    this.published = false;
    this.stopLocal();
    await this.session.unpublish().catch(() => undefined);
  }

  // ---- subscribing -----------------------------------------------------------------------------------

  private async subscribeTo(publisherId: string): Promise<void> {
    if (this.closed || publisherId === this.session.participantId || this.subscriptions.has(publisherId))
      return;
    if (this.session.room.type === 'p2p') return;
    await this.receive(
      publisherId,
      undefined,
      this.subscriptions,
      receiveKinds(this.session.room.type),
      (stream) => this.emit('remote-stream', { participantId: publisherId, stream }),
    );
  }

  /**
   * A receive-only connection for one stream of a publisher (its camera, or its screen), kept in `links`
   * while it lives: offer, answer, and `onStream` for the stream its tracks fill. A failure forgets it.
   */
  private async receive(
    publisherId: string,
    source: 'screen' | undefined,
    links: Map<string, Link>,
    kinds: readonly MediaKind[],
    onStream: (stream: MediaStreamLike) => void,
  ): Promise<void> {
    const link = this.link(publisherId, source);
    links.set(publisherId, link);
    const stream = this.env.createMediaStream();
    link.stream = stream;
    link.pc.ontrack = (event) => {
      stream.addTrack(event.track);
      if (links.get(publisherId) === link) onStream(stream);
    };
    for (const kind of kinds) link.pc.addTransceiver(kind, { direction: 'recvonly' });
    try {
      const ask = (sdp: string) =>
        source ? this.session.subscribe(publisherId, sdp, source) : this.session.subscribe(publisherId, sdp);
      await this.offerAndAnswer(link, ask, 'subscribe');
    } catch (error) {
      if (links.get(publisherId) === link) links.delete(publisherId);
      link.pc.close();
      throw error;
    }
  }

  /** Our offer on `link`, `ask` sends it to CASH, and its SDP answer is applied. */
  private async offerAndAnswer(
    link: Link,
    ask: (sdpOffer: string) => Promise<{ sdpAnswer?: string }>,
    what: string,
  ): Promise<void> {
    const offer = await link.pc.createOffer();
    await link.pc.setLocalDescription(offer);
    const { sdpAnswer } = await ask(offer.sdp ?? '');
    if (typeof sdpAnswer !== 'string') throw new Error(`${what} was not answered with an SDP`);
    await this.applyAnswer(link, sdpAnswer);
  }

  private dropSubscription(publisherId: string, tellServer: boolean): void {
    const link = this.subscriptions.get(publisherId);
    if (!link) return;
    this.subscriptions.delete(publisherId);
    link.pc.close();
    this.emit('remote-stream-removed', { participantId: publisherId });
    if (tellServer) void this.session.unsubscribe(publisherId).catch(() => undefined);
  }

  // ---- p2p -------------------------------------------------------------------------------------------

  private async reconcileP2p(): Promise<void> {
    const me = this.session.participantId;
    const sides = p2pSides(this.session.room, me);
    if (!sides) {
      if (this.p2p) this.closeP2p();
      return;
    }
    if (this.p2p && this.p2p.peerId !== sides.peerId) this.closeP2p();
    // Only the callee offers; the caller answers when the offer arrives.
    if (!this.p2p && sides.offererId === me) {
      const link = await this.p2pLink(sides.peerId);
      const offer = await link.pc.createOffer();
      await link.pc.setLocalDescription(offer);
      await this.session.p2pSignal({ kind: 'offer', sdp: offer.sdp ?? '' });
    }
  }

  private async p2pLink(peerId: string): Promise<Link & { peerId: string }> {
    const pc = this.env.createPeerConnection();
    const link: Link & { peerId: string } = {
      pc,
      pending: [],
      remoteSet: false,
      peerId,
      progress: new Map(),
    };
    this.p2p = link;
    pc.onicecandidate = (event) => {
      const c = toWireCandidate(event.candidate);
      if (c && this.p2p === link)
        void this.session
          .p2pSignal({ kind: 'candidate', candidate: c })
          .catch((error: unknown) => this.emit('error', { error, step: 'p2p-candidate' }));
    };
    const stream = this.env.createMediaStream();
    pc.ontrack = (event) => {
      stream.addTrack(event.track);
      link.stream = stream;
      if (this.p2p === link) this.emit('remote-stream', { participantId: peerId, stream });
    };
    const kinds = publishKinds('p2p', 'publisher');
    const local = await this.ensureLocal(kinds);
    for (const track of local.getTracks()) pc.addTrack(track, local);
    return link;
  }

  private async onP2pSignal(from: string, signal: MediaP2pSignal): Promise<void> {
    if (signal.kind === 'offer') {
      if (this.p2p) this.closeP2p();
      const link = await this.p2pLink(from);
      await link.pc.setRemoteDescription({ type: 'offer', sdp: signal.sdp });
      await this.flush(link);
      const answer = await link.pc.createAnswer();
      await link.pc.setLocalDescription(answer);
      await this.session.p2pSignal({ kind: 'answer', sdp: answer.sdp ?? '' });
      return;
    }
    const link = this.p2p;
    if (!link || link.peerId !== from) return;
    if (signal.kind === 'answer') return this.applyAnswer(link, signal.sdp);
    await this.addCandidate(link, signal.candidate);
  }

  private closeP2p(): void {
    if (!this.p2p) return;
    const { peerId, pc } = this.p2p;
    this.p2p = undefined;
    pc.close();
    this.emit('remote-stream-removed', { participantId: peerId });
  }

  // ---- screen share ----------------------------------------------------------------------------------

  /** Our shared screen, while we share one. */
  get screenStream(): MediaStreamLike | undefined {
    return this.screen?.stream;
  }

  /** Participant ids whose shared screen we receive. */
  receivingScreens(): string[] {
    return [...this.screenSubscriptions.keys()];
  }

  /**
   * Shares a screen: asks the browser for one (its own picker; video only), then publishes it as a
   * second stream on a connection of its own. When the user stops it from the browser's own bar the
   * share stops (unpublished). Rejects with `sdk.screen-share-unavailable` where the room does not allow
   * it (a2m, p2p, a viewer, someone else sharing), `sdk.screen-share-cancelled` when the picker was closed
   * or refused, or the server's code; nothing stays shared then. `stream` gives an already captured
   * screen instead of asking the browser (apps with their own capture, and tests).
   */
  async startScreenShare(options: { stream?: MediaStreamLike } = {}): Promise<void> {
    if (this.closed) throw new SdkError(SdkErrorCode.ScreenShareUnavailable, 'The room is closed.');
    if (this.screen) return;
    const allowed = screenShareAllowed(this.session.room, this.session.participantId);
    if (!allowed.ok) {
      throw new SdkError(SdkErrorCode.ScreenShareUnavailable, SCREEN_UNAVAILABLE_WORDS[allowed.reason]);
    }
    let stream = options.stream;
    if (!stream) {
      if (!this.env.getDisplayMedia)
        throw new SdkError(SdkErrorCode.ScreenShareUnavailable, 'This browser cannot share a screen.');
      try {
        stream = await this.env.getDisplayMedia({ video: true, audio: false });
      } catch (error) {
        if (error instanceof MediaUnsupportedError)
          throw new SdkError(SdkErrorCode.ScreenShareUnavailable, 'This browser cannot share a screen.', {
            cause: error,
          });
        throw new SdkError(SdkErrorCode.ScreenShareCancelled, 'Screen sharing was cancelled.', {
          cause: error,
        });
      }
    }
    if (this.closed || this.screen) {
      for (const track of stream.getTracks()) track.stop();
      return;
    }
    const captured = stream;
    const track = captured.getTracks().find((t) => t.kind === 'video');
    const onEnded = () => void this.stopScreenShare();
    track?.addEventListener?.('ended', onEnded);
    this.screen = { stream: captured, off: () => track?.removeEventListener?.('ended', onEnded) };
    this.emit('local-screen', { stream: captured });
    let failure: unknown;
    await this.enqueue('screen-share', async () => {
      try {
        await this.publishScreen();
      } catch (error) {
        failure = error;
        this.releaseScreen();
      }
    });
    if (failure !== undefined) throw mediaError(failure, 'screen-share');
  }

  /** Stops sharing our screen (the capture is stopped and the stream unpublished); nothing when not sharing. */
  async stopScreenShare(): Promise<void> {
    if (!this.screen) return;
    await this.enqueue('screen-share', async () => {
      if (!this.screen) return;
      this.releaseScreen();
      await this.session.unpublish('screen').catch(() => undefined);
    });
  }

  /**
   * Screens in line with the room: ours published again when its connection is gone (a media server
   * restart, a stalled connection) or stopped when we may no longer share; every other participant's
   * shared screen received, and dropped once it stops.
   */
  private async reconcileScreens(): Promise<void> {
    const view = this.session.room;
    const me = this.session.participantId;
    if (this.screen && view.participants[me]?.role !== 'publisher') {
      this.releaseScreen();
    } else if (this.screen && !this.screen.link) {
      await this.publishScreen().catch((error: unknown) => {
        this.releaseScreen();
        void this.session.unpublish('screen').catch(() => undefined);
        this.emit('error', { error, step: 'screen-share' });
      });
    }
    for (const publisherId of screenSharers(view, me)) {
      if (
        this.screenSubscriptions.has(publisherId) ||
        this.awaitingReady.has(readyKey(publisherId, 'screen'))
      )
        continue;
      await this.subscribeScreen(publisherId).catch((error: unknown) =>
        this.emit('error', { error, step: 'subscribe' }),
      );
    }
    for (const id of [...this.screenSubscriptions.keys()]) {
      if (!view.participants[id]?.streams.includes('screen')) this.dropScreenSubscription(id);
    }
  }

  private async publishScreen(): Promise<void> {
    const screen = this.screen;
    if (!screen || screen.link || this.closed) return;
    const link = this.link(this.session.participantId, 'screen');
    for (const track of screen.stream.getTracks())
      link.pc.addTransceiver(track, { direction: 'sendonly', streams: [screen.stream] });
    screen.link = link;
    try {
      await this.offerAndAnswer(link, (sdp) => this.session.publish(['screen'], sdp), 'the screen share');
    } catch (error) {
      link.pc.close();
      if (screen.link === link) screen.link = undefined;
      throw error;
    }
  }

  /** Stops our capture and closes its connection (the caller tells the server when it should know). */
  private releaseScreen(): void {
    const screen = this.screen;
    if (!screen) return;
    this.screen = undefined;
    screen.off();
    screen.link?.pc.close();
    for (const track of screen.stream.getTracks()) track.stop();
    this.emit('local-screen-removed', {});
  }

  private async subscribeScreen(publisherId: string): Promise<void> {
    const view = this.session.room;
    if (this.closed || publisherId === this.session.participantId || view.type === 'p2p') return;
    if (this.screenSubscriptions.has(publisherId)) return;
    await this.receive(publisherId, 'screen', this.screenSubscriptions, ['video'], (stream) =>
      this.emit('remote-screen', { participantId: publisherId, stream }),
    );
  }

  /** The server ends a screen subscription with its share (`stream-ended`): nothing to tell it. */
  private dropScreenSubscription(publisherId: string): void {
    const link = this.screenSubscriptions.get(publisherId);
    if (!link) return;
    this.screenSubscriptions.delete(publisherId);
    link.pc.close();
    this.emit('remote-screen-removed', { participantId: publisherId });
  }

  // ---- devices ---------------------------------------------------------------------------------------

  /** Opens the chosen devices; a chosen one that is gone gives way to the default (`missing`). */
  private async openLocal(asked: MediaKind[]): Promise<MediaStreamLike> {
    const kinds = asked.filter((kind): kind is DeviceKind => kind !== 'screen');
    const constraints = userMediaConstraints(kinds, this.cameraSize(), this.devices);
    try {
      return await this.env.getUserMedia(constraints);
    } catch (error) {
      const chosen = kinds.filter((kind) => this.devices[kind] !== undefined);
      if (chosen.length === 0 || !isMissingDevice(error)) throw error;
      for (const kind of chosen) this.remember(kind, undefined, 'missing');
      return this.env.getUserMedia(userMediaConstraints(kinds, this.cameraSize(), this.devices));
    }
  }

  private cameraSize(): { width: number; height: number } {
    return this.options.video ?? { width: 640, height: 360 };
  }

  /**
   * Puts `deviceId` (undefined: the default) in place of the track of `kind` we send. Throws in our words
   * and leaves the old track in place when the device cannot be opened or a connection refuses it.
   */
  private async useDevice(
    kind: DeviceKind,
    deviceId: string | undefined,
    reason: DeviceChangeReason,
  ): Promise<void> {
    const stream = this.localStream;
    const previous = stream?.getTracks().find((t) => t.kind === kind);
    if (!stream || !previous) return this.remember(kind, deviceId, reason);
    const fail = (error: unknown) =>
      reason === 'unplugged' ? deviceLost(kind, error) : deviceUnavailable(kind, error);
    let next: MediaStreamTrackLike | undefined;
    try {
      const opened = await this.env.getUserMedia(
        userMediaConstraints([kind], this.cameraSize(), deviceId ? { [kind]: deviceId } : {}),
      );
      for (const track of opened.getTracks()) {
        if (track.kind === kind && !next) next = track;
        else track.stop();
      }
      if (!next) throw new Error(`getUserMedia gave no ${kind} track`);
    } catch (error) {
      throw fail(error);
    }
    if (this.closed || this.localStream !== stream) {
      next.stop();
      return;
    }
    if (previous.enabled !== undefined) next.enabled = previous.enabled;
    const connections = [this.publishing?.pc, this.p2p?.pc].filter((pc) => pc !== undefined);
    try {
      await replaceSentTrack(connections, previous, next);
    } catch (error) {
      next.stop();
      throw fail(error);
    }
    this.localStream = withTrack(this.env, stream, previous, next);
    previous.stop();
    this.remember(kind, deviceId, reason);
    this.emit('local-stream', { stream: this.localStream, kinds: this.localKinds });
  }

  /** After `devicechange`: a device we send from that is gone gives way to the default of its kind. */
  private async checkDevices(): Promise<void> {
    const stream = this.localStream;
    if (!stream) return;
    const listed = await this.env.enumerateDevices?.().catch(() => undefined);
    for (const track of stream.getTracks()) {
      const kind = track.kind as DeviceKind;
      if (!deviceGone(track, listed, this.devices[kind])) continue;
      await this.useDevice(kind, undefined, 'unplugged').catch((error: unknown) =>
        this.emit('error', { error, step: 'device' }),
      );
    }
  }

  private remember(kind: DeviceKind, deviceId: string | undefined, reason: DeviceChangeReason): void {
    if (deviceId) this.devices[kind] = deviceId;
    else delete this.devices[kind];
    this.emit('device-change', { kind, deviceId, reason });
  }

  // ---- plumbing --------------------------------------------------------------------------------------

  /**
   * A connection to the media server for `publisherId` (ourselves = our publish endpoint), for its camera
   * or (`'screen'`) its shared screen.
   */
  private link(publisherId: string, stream?: 'screen'): Link {
    const pc = this.env.createPeerConnection();
    const link: Link = {
      pc,
      pending: [],
      remoteSet: false,
      outbox: [],
      progress: new Map(),
    };
    const send = (c: WireCandidate) =>
      void this.session
        .addIceCandidate(publisherId, c, stream)
        .catch((error: unknown) => this.emit('error', { error, step: 'ice' }));
    link.sendCandidate = send;
    pc.onicecandidate = (event) => {
      const c = toWireCandidate(event.candidate);
      if (!c) return;
      // CASH takes candidates for a publish or subscription once it has answered it.
      if (link.outbox) link.outbox.push(c);
      else send(c);
    };
    return link;
  }

  private remoteCandidate(publisherId: string, candidate: IceCandidateLike, stream?: 'screen'): void {
    const me = publisherId === this.session.participantId;
    const link =
      stream === 'screen'
        ? me
          ? this.screen?.link
          : this.screenSubscriptions.get(publisherId)
        : me
          ? this.publishing
          : this.subscriptions.get(publisherId);
    if (link) void this.addCandidate(link, candidate);
  }

  private async addCandidate(link: Link, candidate: IceCandidateLike): Promise<void> {
    if (!link.remoteSet) {
      link.pending.push(candidate);
      return;
    }
    await link.pc
      .addIceCandidate(candidate)
      .catch((error: unknown) => this.emit('error', { error, step: 'ice' }));
  }

  private async applyAnswer(link: Link, sdp: string): Promise<void> {
    await link.pc.setRemoteDescription({ type: 'answer', sdp });
    link.answeredAt = this.clock.now();
    await this.flush(link);
  }

  private async flush(link: Link): Promise<void> {
    link.remoteSet = true;
    const outbox = link.outbox;
    link.outbox = undefined;
    for (const c of outbox ?? []) link.sendCandidate?.(c);
    for (const candidate of link.pending.splice(0)) await this.addCandidate(link, candidate);
  }

  private closeAll(): void {
    this.publishing?.pc.close();
    this.publishing = undefined;
    for (const id of [...this.subscriptions.keys()]) this.dropSubscription(id, false);
    this.closeP2p();
    // Our captured screen stays: it is published again on the new connection (`reconcileScreens`).
    if (this.screen) {
      this.screen.link?.pc.close();
      this.screen.link = undefined;
    }
    for (const id of [...this.screenSubscriptions.keys()]) this.dropScreenSubscription(id);
  }

  private stopLocal(): void {
    if (!this.localStream) return;
    for (const track of this.localStream.getTracks()) track.stop();
    this.localStream = undefined;
    this.localKinds = [];
    this.emit('local-stream-removed', {});
  }

  private listen<K extends keyof MediaRoomEvents>(
    event: K,
    listener: (payload: MediaRoomEvents[K]) => void,
  ): void {
    this.detach.push(this.session.on(event, listener));
  }

  /**
   * Media steps run one at a time, in order (a `stream-ready` during a `reoffer` waits for it). A failed
   * step is reported as `error` and does not stop the next ones; `start` also rejects with it.
   */
  private enqueue(step: string, task: () => Promise<void> | void, rethrow = false): Promise<void> {
    const run = this.queue.then(async () => {
      if (this.closed) return;
      await task();
    });
    this.queue = run.catch((error: unknown) => this.emit('error', { error, step }));
    return rethrow ? run : this.queue;
  }

  private emit<K extends keyof MediaSessionEvents>(event: K, payload: MediaSessionEvents[K]): void {
    if (event === 'error') {
      // After close a connection being torn down may still fail: nobody is in that room any more.
      if (this.closed) return;
      const { error, step } = payload as MediaSessionEvents['error'];
      payload = { error: mediaError(error, step), step } as MediaSessionEvents[K];
    }
    for (const listener of this.listeners.get(event) ?? []) {
      try {
        (listener as Listener<MediaSessionEvents[K]>)(payload);
      } catch {
        // A listener's failure is its own.
      }
    }
  }
}

type WireCandidate = { candidate: string; sdpMid: string; sdpMLineIndex: number };

/** Keys of `awaitingReady`: the publisher id for its camera, with a suffix for its screen. */
function readyKey(publisherId: string, stream: 'screen' | undefined): string {
  return stream === 'screen' ? `${publisherId}\u0000screen` : publisherId;
}

const SCREEN_UNAVAILABLE_WORDS: Record<'room-type' | 'not-publisher' | 'taken', string> = {
  'room-type': 'Screens cannot be shared in this room.',
  'not-publisher': 'Only speakers can share a screen: raise your hand first.',
  taken: 'Someone else is sharing a screen; wait until they stop.',
};

/** Getting the camera or microphone failed (as opposed to the server refusing the publish). */
class CameraError extends Error {
  constructor(readonly original: unknown) {
    super(original instanceof Error ? original.message : String(original));
    this.name = 'CameraError';
  }
}

const STEP_WORDS: Record<string, string> = {
  publish: 'sending your camera and microphone',
  'screen-share': 'sharing your screen',
  subscribe: 'receiving a participant',
  ice: 'connecting the media',
  'p2p-candidate': 'connecting the call',
  'p2p-signal': 'connecting the call',
  device: 'changing the camera or microphone',
};

/**
 * The error a media step reports: a server's or the SDK's own (it has a `code`) as it is, a camera refusal
 * as the browser's (the app says "allow the camera"), and any other browser exception as `sdk.media-failed`
 * in our words, the browser's error kept as the cause.
 */
function mediaError(error: unknown, step: string): unknown {
  if (errorCode(error) !== undefined) return error;
  const name = (error as { name?: unknown } | null)?.name;
  if (
    step === 'publish' &&
    typeof name === 'string' &&
    /^(NotAllowed|NotFound|NotReadable|Overconstrained|Security)Error$/.test(name)
  )
    return error;
  return new SdkError(
    SdkErrorCode.MediaFailed,
    `The browser failed while ${STEP_WORDS[step] ?? 'setting up media'}; it is tried again.`,
    { cause: error },
  );
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * A connection's progress counters: `video` frames decoded and `audio` packets received (inbound RTP),
 * `sent` bytes (outbound RTP), each summed over its streams.
 */
async function mediaCounters(pc: PeerConnectionLike): Promise<Record<string, number>> {
  const report = await pc.getStats();
  const counters: Record<string, number> = { video: 0, audio: 0, sent: 0 };
  report.forEach((stat) => {
    const kind = stat['kind'] ?? stat['mediaType'];
    if (stat['type'] === 'inbound-rtp' && kind === 'video')
      counters['video'] += Number(stat['framesDecoded'] ?? 0);
    if (stat['type'] === 'inbound-rtp' && kind === 'audio')
      counters['audio'] += Number(stat['packetsReceived'] ?? 0);
    if (stat['type'] === 'outbound-rtp') counters['sent'] += Number(stat['bytesSent'] ?? 0);
  });
  return counters;
}

/** A browser candidate in the wire shape CASH accepts; the end-of-candidates marker is not sent. */
function toWireCandidate(c: IceCandidateLike | null): WireCandidate | undefined {
  if (!c || !c.candidate) return undefined;
  return { candidate: c.candidate, sdpMid: c.sdpMid ?? '0', sdpMLineIndex: c.sdpMLineIndex ?? 0 };
}
