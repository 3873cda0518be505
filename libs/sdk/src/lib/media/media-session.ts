import { systemClock, type Clock, type MediaKind, type TimerHandle } from '@hoot/domain';
import type { HlsStreamAccess } from '@hoot/contracts';
import {
  browserMediaEnvironment,
  type IceCandidateLike,
  type MediaEnvironment,
  type MediaStreamLike,
} from './media-environment';
import { CameraPublish } from './media-camera-publish';
import { CameraSubscriptions } from './media-camera-subscriptions';
import type { DeviceKind, MediaDeviceChoice } from './media-devices';
import { mediaError } from './media-errors';
import { addInboundStats, linkReport, MEDIA_HEALTH_DEFAULTS } from './media-health';
import { MediaLinks, type MediaContext } from './media-links';
import { LocalMedia } from './media-local';
import { P2pCall } from './media-p2p-call';
import { hlsAccessFor, publishKinds, publishersWithStreams, screenSharers } from './media-plan';
import { readyKey, ScreenShare } from './media-screen-share';
import type {
  InboundMediaStats,
  MediaHealthPolicy,
  MediaLinkReport,
  MediaRecoveries,
  MediaRoomEvents,
  MediaRoomSession,
  MediaSessionEvents,
  MediaSessionOptions,
} from './media-session.types';

export * from './media-session.types';
export { MEDIA_HEALTH_DEFAULTS } from './media-health';

type Listener<T> = (payload: T) => void;

/**
 * Browser media on top of a joined room: publishes the camera and microphone when we are a publisher
 * (audio only in a2m, nothing for viewers), receives every publisher (one receive-only connection per
 * publisher, as CASH wants), runs the direct connection of a p2p call (the callee offers), and starts
 * over after a media server restart (`reoffer`) or a reconnection. Uses only browser globals, through
 * `MediaEnvironment`.
 *
 * This class is the facade and the conductor: it owns the step queue, the events, the camera's publish
 * and subscriptions, reconciliation with the room and the health check; our devices (`LocalMedia`),
 * screen sharing (`ScreenShare`), the p2p call (`P2pCall`) and connection plumbing (`MediaLinks`) are
 * units of their own that it drives.
 */
export class MediaSession {
  private readonly env: MediaEnvironment;
  private readonly listeners = new Map<keyof MediaSessionEvents, Set<Listener<never>>>();
  private readonly detach: Array<() => void> = [];
  /** After `reoffer`: publishers whose new stream we wait for (`stream-ready`) before subscribing again. */
  private readonly awaitingReady = new Map<string, number>();
  private queue: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly clock: Clock;
  private readonly health: MediaHealthPolicy | undefined;
  private healthTimer: TimerHandle | undefined;
  private readonly recoveries: MediaRecoveries = { resubscribed: 0, republished: 0, publishRetries: 0 };
  private readonly connections: MediaLinks;
  private readonly localMedia: LocalMedia;
  private readonly screens: ScreenShare;
  private readonly camera: CameraPublish;
  private readonly cameras: CameraSubscriptions;
  private readonly call: P2pCall;

  constructor(
    private readonly session: MediaRoomSession,
    options: MediaSessionOptions = {},
  ) {
    this.env = options.environment ?? browserMediaEnvironment();
    this.clock = options.clock ?? systemClock;
    this.health = options.health === false ? undefined : { ...MEDIA_HEALTH_DEFAULTS, ...options.health };
    const ctx: MediaContext = {
      env: this.env,
      session,
      clock: this.clock,
      isClosed: () => this.closed,
      emit: (event, payload) => this.emit(event, payload),
      enqueue: (step, task) => this.enqueue(step, task),
      hlsAccess: (publisherId, stream) =>
        hlsAccessFor(session.room, session.participantId, session.hlsStreams, publisherId, stream),
    };
    this.connections = new MediaLinks(ctx);
    this.localMedia = new LocalMedia(ctx, options, () =>
      [this.camera.link?.pc, this.call.link?.pc].filter((pc) => pc !== undefined),
    );
    this.camera = new CameraPublish(
      ctx,
      this.connections,
      this.localMedia,
      this.health ?? MEDIA_HEALTH_DEFAULTS,
    );
    this.cameras = new CameraSubscriptions(ctx, this.connections);
    this.screens = new ScreenShare(ctx, this.connections);
    this.call = new P2pCall(ctx, this.connections, this.localMedia);
  }

  on<K extends keyof MediaSessionEvents>(event: K, listener: Listener<MediaSessionEvents[K]>): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as Listener<never>);
    return () => set.delete(listener as Listener<never>);
  }

  /** The camera/microphone stream we publish, if any. */
  get local(): MediaStreamLike | undefined {
    return this.localMedia.current;
  }

  /**
   * The streams of others we play over LL-HLS instead of WebRTC (p2m rooms with a packager), each with
   * its newest access: what `remote-hls` handed out and `remote-hls-ended` has not taken back.
   */
  playingHls(): HlsStreamAccess[] {
    const session = this.session;
    return (session.hlsStreams ?? []).filter(
      (a) => hlsAccessFor(session.room, session.participantId, [a], a.publisherId, a.stream) !== undefined,
    );
  }

  /** Participant ids we currently receive media from (over WebRTC). */
  receiving(): string[] {
    const p2p = this.call.link;
    return [...this.cameras.links.keys(), ...(p2p?.stream ? [p2p.peerId] : [])];
  }

  /** Starts: listens to the room, publishes if we may, subscribes to every publisher with a stream. */
  start(): Promise<void> {
    this.listen('stream-ready', (e) => {
      this.awaitingReady.delete(readyKey(e.publisherId, e.stream));
      if (e.stream === 'screen') void this.enqueue('subscribe', () => this.screens.subscribe(e.publisherId));
      else void this.enqueue('subscribe', () => this.cameras.subscribe(e.publisherId));
    });
    this.listen('stream-ended', (e) =>
      e.stream === 'screen'
        ? this.enqueue('unsubscribe', () => this.screens.drop(e.publisherId))
        : this.enqueue('unsubscribe', () => this.cameras.drop(e.publisherId, true)),
    );
    this.listen('participant-left', (e) =>
      this.enqueue('participant-left', () => {
        this.cameras.drop(e.participantId, false);
        this.screens.drop(e.participantId);
      }),
    );
    this.listen('ice', (e) => this.remoteCandidate(e.publisherId, e.candidate, e.stream));
    this.listen('p2p-signal', (e) => this.enqueue('p2p-signal', () => this.call.onSignal(e.from, e.signal)));
    this.listen('reoffer', () => this.enqueue('reoffer', () => this.restart(true)));
    this.listen('reconnected', () => this.enqueue('reconnected', () => this.restart(false)));
    this.listen('change', () => this.enqueue('change', () => this.reconcile()));
    this.listen('hls-stream', ({ access, renewed }) =>
      this.enqueue('hls', () => this.playHls(access, renewed)),
    );
    this.listen('hls-ended', (e) =>
      this.enqueue('hls', () =>
        this.emit('remote-hls-ended', {
          participantId: e.publisherId,
          ...(e.stream ? { stream: e.stream } : {}),
          streamId: e.streamId,
        }),
      ),
    );
    const offDevices = this.env.onDeviceChange?.(
      () => void this.enqueue('device', () => this.localMedia.checkDevices()),
    );
    if (offDevices) this.detach.push(offDevices);
    this.scheduleHealthCheck();
    for (const access of this.playingHls()) void this.enqueue('hls', () => this.playHls(access, false));
    return this.enqueue('start', () => this.reconcile(), true);
  }

  /** Each connection as the last health check saw it (the end-to-end specs log it when media stalls). */
  links(): MediaLinkReport[] {
    const now = this.clock.now();
    const me = this.session.participantId;
    const p2p = this.call.link;
    const screenLink = this.screens.link;
    return [
      ...(this.camera.link ? [linkReport('publish', me, this.camera.link, now)] : []),
      ...[...this.cameras.links].map(([id, link]) => linkReport('subscribe', id, link, now)),
      ...(p2p ? [linkReport('p2p', p2p.peerId, p2p, now)] : []),
      ...(screenLink ? [{ ...linkReport('publish', me, screenLink, now), stream: 'screen' as const }] : []),
      ...[...this.screens.subscriptions].map(([id, link]) => ({
        ...linkReport('subscribe', id, link, now),
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
    const p2p = this.call.link;
    const links = [
      ...this.cameras.links.values(),
      ...this.screens.subscriptions.values(),
      ...(p2p ? [p2p] : []),
    ];
    for (const link of links) await addInboundStats(link.pc, totals);
    return totals;
  }

  /** Enables or disables our outgoing tracks of a kind (mute), without renegotiating. */
  setEnabled(kind: MediaKind, enabled: boolean): void {
    this.localMedia.setEnabled(kind, enabled);
  }

  /** The device each kind opens (a kind left out: the browser's default). */
  chosenDevices(): MediaDeviceChoice {
    return this.localMedia.chosen();
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
      await this.localMedia.useDevice(kind, deviceId, 'switched');
      if (!this.camera.unblock()) return;
      await this.reconcile().catch((error: unknown) => this.emit('error', { error, step: 'publish' }));
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Our shared screen, while we share one. */
  get screenStream(): MediaStreamLike | undefined {
    return this.screens.stream;
  }

  /** Participant ids whose shared screen we receive. */
  receivingScreens(): string[] {
    return [...this.screens.subscriptions.keys()];
  }

  /**
   * Shares a screen: asks the browser for one (its own picker; video only), then publishes it as a
   * second stream on a connection of its own. When the user stops it from the browser's own bar the
   * share stops (unpublished). Rejects with `sdk.screen-share-unavailable` where the room does not allow
   * it (a2m, p2p, a viewer, someone else sharing), `sdk.screen-share-cancelled` when the picker was closed
   * or refused, or the server's code; nothing stays shared then. `stream` gives an already captured
   * screen instead of asking the browser (apps with their own capture, and tests).
   */
  startScreenShare(options: { stream?: MediaStreamLike } = {}): Promise<void> {
    return this.screens.start(options);
  }

  /** Stops sharing our screen (the capture is stopped and the stream unpublished); nothing when not sharing. */
  stopScreenShare(): Promise<void> {
    return this.screens.stop();
  }

  /** Stops everything: connections closed, camera released, room listeners removed. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.healthTimer !== undefined) this.clock.clearTimeout(this.healthTimer);
    this.healthTimer = undefined;
    for (const off of this.detach.splice(0)) off();
    this.closeAll();
    this.localMedia.stop();
    this.screens.release();
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
    await this.camera.reconcile(publishKinds(view.type, view.participants[me]?.role));
    if (view.type === 'p2p') return this.call.reconcile();
    await this.cameras.reconcile(view, this.awaitingReady);
    await this.screens.reconcile(this.awaitingReady);
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
    this.camera.reset();
    this.awaitingReady.clear();
    if (waitForStreams) {
      for (const id of publishersWithStreams(this.session.room, this.session.participantId))
        this.awaitingReady.set(id, this.clock.now());
      for (const id of screenSharers(this.session.room, this.session.participantId))
        this.awaitingReady.set(readyKey(id, 'screen'), this.clock.now());
    }
    await this.reconcile();
  }

  /**
   * A stream to play over LL-HLS (or its renewed access): a WebRTC subscription to it goes (an older
   * snapshot made one), and the app is handed the access. A stream we may not play this way (not p2m,
   * our own) is left to WebRTC.
   */
  private playHls(access: HlsStreamAccess, renewed: boolean): void {
    const { publisherId, stream } = access;
    const session = this.session;
    if (!hlsAccessFor(session.room, session.participantId, session.hlsStreams, publisherId, stream)) return;
    if (stream === 'screen') this.screens.drop(publisherId, true);
    else this.cameras.drop(publisherId, true);
    this.emit('remote-hls', { participantId: publisherId, ...(stream ? { stream } : {}), access, renewed });
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
    await this.cameras.checkHealth(policy, this.recoveries);
    await this.screens.checkHealth(policy, this.recoveries);
    await this.camera.checkHealth(policy, this.recoveries);
    await this.reconcile();
  }

  // ---- plumbing --------------------------------------------------------------------------------------

  private remoteCandidate(publisherId: string, candidate: IceCandidateLike, stream?: 'screen'): void {
    const me = publisherId === this.session.participantId;
    const link =
      stream === 'screen'
        ? me
          ? this.screens.link
          : this.screens.subscriptions.get(publisherId)
        : me
          ? this.camera.link
          : this.cameras.links.get(publisherId);
    if (link) void this.connections.addCandidate(link, candidate);
  }

  private closeAll(): void {
    this.camera.closeLink();
    this.cameras.dropAll();
    this.call.close();
    // Our captured screen stays: it is published again on the new connection (`ScreenShare.reconcile`).
    this.screens.closeLinks();
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
