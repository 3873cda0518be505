import { systemClock, type Clock } from '@hoot/domain';
import {
  callKurento,
  closeKurentoNow,
  connectKurento,
  isKurentoConnected,
  kurentoIceCandidate,
  listenForClientErrors,
  realKurentoClient,
  type KurentoCallError,
  type KurentoConnectOptions,
  type KurentoHandle,
} from './kurento-connection';
import { MEDIA_DEFAULTS } from './media.defaults';
import { KURENTO_CODES, MediaError, MediaErrorCode, toMediaError } from './media-error.exception';
import {
  validateEndpointOptions,
  validateIceCandidate,
  validateRoomId,
  validateSdpOffer,
  validateListener,
  validateWiring,
} from './media-input.validation';
import { MediaRefRegistry, type EndpointEntry } from './media-ref.registry';
import type {
  IceCandidateListener,
  MediaEndpointOptions,
  MediaEndpointRef,
  MediaHealth,
  MediaIceCandidate,
  MediaObjectRef,
  MediaPipelineRef,
  MediaPort,
  MediaRtpEndpointRef,
  MediaServerInfo,
  RtpOfferOptions,
  Unsubscribe,
} from './media.port';
import { KurentoRtpEndpoints } from './kurento-rtp-endpoints';
import { withTimeout } from './with-timeout';

export type KurentoConnector = (url: string, options: KurentoConnectOptions) => Promise<KurentoHandle>;

export interface KurentoMediaPortOptions {
  /** ws://host:8888/kurento */
  url: string;
  clock?: Clock;
  callTimeoutMs?: number;
  healthTimeoutMs?: number;
  connectTimeoutMs?: number;
  cpuSampleMs?: number;
  /** Reconnection attempts before kurento-client gives up (then `health()` asks for a renewal). */
  failAfter?: number;
  /** Errors that belong to no call: a throwing candidate listener, a late failure. Default: ignored. */
  onBackgroundError?: (error: unknown) => void;
  /** Opens a client; tests replace it. Default: the unmodified kurento-client (`connectKurento`). */
  connector?: KurentoConnector;
}

/** What the port watches on one kurento-client connection. */
interface Connection {
  readonly client: KurentoHandle;
  /** kurento-client reconnected but the server no longer knew its session (`reconnected(false)`). */
  sessionLost: boolean;
  /** kurento-client gave up reconnecting (`disconnect`): the client is dead for good. */
  gaveUp: boolean;
  detach(): void;
}

interface RawIceCandidate {
  candidate?: unknown;
  sdpMid?: unknown;
  sdpMLineIndex?: unknown;
}

function unavailable(operation: string, reason: string): MediaError {
  return new MediaError(MediaErrorCode.Unavailable, `${operation}: ${reason}`, { operation });
}

function toCandidate(raw: RawIceCandidate | undefined): MediaIceCandidate | undefined {
  if (!raw || typeof raw.candidate !== 'string') return undefined;
  if (typeof raw.sdpMid !== 'string' || typeof raw.sdpMLineIndex !== 'number') return undefined;
  return { candidate: raw.candidate, sdpMid: raw.sdpMid, sdpMLineIndex: raw.sdpMLineIndex };
}

/**
 * The media port over an unmodified kurento-client 7.2.0. Every call goes through the callback API
 * (the promise API swallows server errors), has a timeout, and rejects only with a MediaError.
 *
 * One kurento-client connection at a time; `renew()` replaces it with a fresh session and makes every
 * earlier ref gone. `health()` reports what a KmsHealthMonitor needs to tell a KMS restart apart from
 * a dropped socket: the ServerManager's identity, a lost session, and pipelines that vanished.
 */
export class KurentoMediaPort implements MediaPort {
  private readonly clock: Clock;
  private readonly callTimeoutMs: number;
  private readonly healthTimeoutMs: number;
  private readonly connectTimeoutMs: number;
  private readonly cpuSampleMs: number;
  private readonly failAfter: number;
  private readonly connector: KurentoConnector;
  private readonly reportError: (error: unknown) => void;
  private readonly registry: MediaRefRegistry<KurentoHandle, KurentoHandle>;
  private readonly rtp: KurentoRtpEndpoints;
  private connection?: Connection;
  private renewing?: Promise<void>;
  private closed = false;

  constructor(private readonly options: KurentoMediaPortOptions) {
    this.clock = options.clock ?? systemClock;
    this.callTimeoutMs = options.callTimeoutMs ?? MEDIA_DEFAULTS.callTimeoutMs;
    this.healthTimeoutMs = options.healthTimeoutMs ?? MEDIA_DEFAULTS.healthTimeoutMs;
    this.connectTimeoutMs = options.connectTimeoutMs ?? MEDIA_DEFAULTS.connectTimeoutMs;
    this.cpuSampleMs = options.cpuSampleMs ?? MEDIA_DEFAULTS.cpuSampleMs;
    this.failAfter = options.failAfter ?? MEDIA_DEFAULTS.failAfter;
    this.connector = options.connector ?? connectKurento;
    this.reportError = options.onBackgroundError ?? (() => undefined);
    this.registry = new MediaRefRegistry(this.reportError);
    this.rtp = new KurentoRtpEndpoints({
      registry: this.registry,
      live: (operation) => this.live(operation),
      call: (operation, target, method, args, callOptions) =>
        this.call(operation, target, method, args, callOptions),
      releaseQuietly: (object) => this.releaseQuietly(object),
      reportError: (error) => this.reportError(error),
    });
  }

  /** A port with an open connection (rejects with MEDIA_UNAVAILABLE when KMS cannot be reached). */
  static async connect(options: KurentoMediaPortOptions): Promise<KurentoMediaPort> {
    const port = new KurentoMediaPort(options);
    await port.renew();
    return port;
  }

  /** Generation of the current connection (0 before the first; each renewal adds one). */
  get generation(): number {
    return this.registry.generation;
  }

  async createPipeline(roomId: string): Promise<MediaPipelineRef> {
    const operation = 'createPipeline';
    validateRoomId(roomId, operation);
    const { client, generation } = this.live(operation);
    const native = await this.call<KurentoHandle>(operation, client, 'create', ['MediaPipeline'], {
      onLate: (late) => this.releaseQuietly(late),
    });
    if (generation !== this.registry.generation) {
      this.releaseQuietly(native);
      throw new MediaError(MediaErrorCode.ObjectGone, `${operation}: the connection was renewed meanwhile`, {
        operation,
      });
    }
    listenForClientErrors(native, (error) => this.reportError(toMediaError(error, operation)));
    return this.registry.addPipeline(roomId, String(native.id), native).ref;
  }

  async createEndpoint(pipeline: MediaPipelineRef, options: MediaEndpointOptions): Promise<MediaEndpointRef> {
    const operation = 'createEndpoint';
    const validOptions = validateEndpointOptions(options, operation);
    const entry = this.registry.pipeline(pipeline, operation);
    this.live(operation);
    const constructorParams = validOptions.kind === 'publish' ? { recvonly: true } : { sendonly: true };
    const native = await this.call<KurentoHandle>(
      operation,
      entry.native,
      'create',
      ['WebRtcEndpoint', constructorParams],
      { onLate: (late) => this.releaseQuietly(late) },
    );
    if (!this.registry.hasPipeline(entry.ref.id) || entry.ref.generation !== this.registry.generation) {
      this.releaseQuietly(native);
      throw new MediaError(MediaErrorCode.ObjectGone, `${operation}: pipeline ${entry.ref.id} is gone`, {
        operation,
      });
    }
    const endpoint = this.registry.addEndpoint(entry, String(native.id), native, validOptions);
    listenForClientErrors(native, (error) => {
      // Only subscriptions fail this way; the one that matters is the candidates'.
      const mediaError = toMediaError(error, 'onIceCandidate');
      endpoint.subscriptionError = mediaError;
      this.reportError(mediaError);
    });
    // Subscribe at once, before anyone can call gatherCandidates: kurento-client keeps its calls in
    // order, so the subscription reaches the server first and no candidate is missed.
    native.on('IceCandidateFound', (event: { candidate?: RawIceCandidate }) => {
      const candidate = toCandidate(event?.candidate);
      if (candidate) endpoint.candidates.emit(candidate);
      else this.reportError(new Error(`endpoint ${endpoint.ref.id}: malformed IceCandidateFound event`));
    });
    return endpoint.ref;
  }

  async processOffer(endpoint: MediaEndpointRef, sdpOffer: string): Promise<string> {
    const operation = 'processOffer';
    const entry = this.registry.endpoint(endpoint, operation);
    const sdp = validateSdpOffer(sdpOffer, operation);
    this.live(operation);
    const answer = await this.call<unknown>(operation, entry.native, 'processOffer', [sdp]);
    if (typeof answer !== 'string')
      throw new MediaError(MediaErrorCode.Internal, `${operation}: the server answered no SDP`, {
        operation,
      });
    return answer;
  }

  async gatherCandidates(endpoint: MediaEndpointRef): Promise<void> {
    const operation = 'gatherCandidates';
    const entry = this.registry.endpoint(endpoint, operation);
    this.live(operation);
    this.throwIfUnsubscribed(entry);
    await this.call(operation, entry.native, 'gatherCandidates', []);
    // The subscription's reply came before this one: a failure of it is known by now.
    this.throwIfUnsubscribed(entry);
  }

  async addIceCandidate(endpoint: MediaEndpointRef, candidate: MediaIceCandidate): Promise<void> {
    const operation = 'addIceCandidate';
    const entry = this.registry.endpoint(endpoint, operation);
    const valid = validateIceCandidate(candidate, operation);
    // An empty candidate is a browser's end-of-candidates; Kurento has no call for it.
    if (valid.candidate === '') return;
    this.live(operation);
    await this.call(operation, entry.native, 'addIceCandidate', [kurentoIceCandidate(valid)]);
  }

  onIceCandidate(endpoint: MediaEndpointRef, listener: IceCandidateListener): Unsubscribe {
    const operation = 'onIceCandidate';
    const entry = this.registry.endpoint(endpoint, operation);
    return entry.candidates.add(validateListener(listener, operation));
  }

  async connect(source: MediaEndpointRef, sink: MediaEndpointRef): Promise<void> {
    const operation = 'connect';
    const from = this.registry.endpoint(source, operation);
    const to = this.registry.endpoint(sink, operation);
    validateWiring(from.ref, to.ref, operation);
    this.live(operation);
    const audioOnly = from.ref.audioOnly || to.ref.audioOnly;
    await this.call(operation, from.native, 'connect', audioOnly ? [to.native, 'AUDIO'] : [to.native]);
  }

  createRtpEndpoint(pipeline: MediaPipelineRef): Promise<MediaRtpEndpointRef> {
    return this.rtp.create(pipeline);
  }

  processRtpOffer(rtp: MediaRtpEndpointRef, sdpOffer: string): Promise<string> {
    return this.rtp.processOffer(rtp, sdpOffer);
  }

  generateRtpOffer(rtp: MediaRtpEndpointRef, options?: RtpOfferOptions): Promise<string> {
    return this.rtp.generateOffer(rtp, options);
  }

  processRtpAnswer(rtp: MediaRtpEndpointRef, sdpAnswer: string): Promise<string> {
    return this.rtp.processAnswer(rtp, sdpAnswer);
  }

  connectRtp(source: MediaEndpointRef, rtp: MediaRtpEndpointRef): Promise<void> {
    return this.rtp.connect(source, rtp);
  }

  async release(object: MediaObjectRef): Promise<void> {
    const operation = 'release';
    const entry = this.registry.find(object, operation);
    if (!entry) return;
    this.live(operation);
    try {
      await this.call(operation, entry.native, 'release', []);
    } catch (error) {
      if (!(error instanceof MediaError && error.code === MediaErrorCode.ObjectGone)) throw error;
    }
    this.registry.remove(entry.ref);
  }

  async serverInfo(): Promise<MediaServerInfo> {
    const operation = 'serverInfo';
    const { client } = this.live(operation);
    const timeoutMs = this.callTimeoutMs + this.cpuSampleMs;
    const work = (async () => {
      const manager = await callKurento<KurentoHandle>(client, 'getServerManager');
      const [info, created, usedCpu, usedMemory, cpuCount, pipelines] = await Promise.all([
        callKurento<{ version?: unknown }>(manager, 'getInfo'),
        callKurento<unknown>(manager, 'getCreationTime'),
        callKurento<unknown>(manager, 'getUsedCpu', this.cpuSampleMs),
        callKurento<unknown>(manager, 'getUsedMemory'),
        callKurento<unknown>(manager, 'getCpuCount'),
        listPipelines(manager),
      ]);
      return {
        serverId: serverIdOf(info, created),
        version: String(info?.version ?? 'unknown'),
        usedCpuPercent: Number(usedCpu),
        usedMemoryKiB: Number(usedMemory),
        cpuCount: Number(cpuCount),
        pipelines: Array.isArray(pipelines) ? pipelines.length : 0,
      };
    })();
    return withTimeout(work, timeoutMs, this.clock, operation);
  }

  async health(): Promise<MediaHealth> {
    const operation = 'health';
    const connection = this.connection;
    if (this.closed) return down(unavailable(operation, 'the port is closed'), false);
    if (this.renewing) return down(unavailable(operation, 'a fresh connection is being opened'), false);
    if (!connection) return down(unavailable(operation, 'not connected'), true);
    if (connection.gaveUp) return down(unavailable(operation, 'kurento-client gave up reconnecting'), true);
    if (!isKurentoConnected(connection.client))
      return down(unavailable(operation, 'kurento-client is reconnecting'), false);
    const started = this.clock.now();
    // Only pipelines held before the probe count as lost: one created meanwhile may miss the list.
    const held = this.registry.pipelineIds();
    const probe = (async () => {
      const manager = await callKurento<KurentoHandle>(connection.client, 'getServerManager');
      const [info, created, pipelines] = await Promise.all([
        callKurento<{ version?: unknown }>(manager, 'getInfo'),
        callKurento<unknown>(manager, 'getCreationTime'),
        listPipelines(manager),
      ]);
      return { serverId: serverIdOf(info, created), listed: new Set((pipelines ?? []).map((p) => p?.id)) };
    })();
    try {
      const { serverId, listed } = await withTimeout(probe, this.healthTimeoutMs, this.clock, operation);
      if (connection !== this.connection)
        return down(unavailable(operation, 'the connection was renewed during the probe'), false);
      const lostPipelineIds = held.filter((id) => !listed.has(id) && this.registry.hasPipeline(id));
      return {
        status: 'up',
        serverId,
        latencyMs: this.clock.now() - started,
        sessionLost: connection.sessionLost,
        lostPipelineIds,
      };
    } catch (error) {
      return down(toMediaError(error, operation), connection.gaveUp);
    }
  }

  renew(): Promise<void> {
    if (this.closed) return Promise.reject(unavailable('renew', 'the port is closed'));
    this.renewing ??= this.openFresh().finally(() => {
      this.renewing = undefined;
    });
    return this.renewing;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.dropConnection();
    this.registry.reset();
  }

  private async openFresh(): Promise<void> {
    const operation = 'renew';
    this.dropConnection();
    const held = this.registry.reset();
    let client: KurentoHandle;
    try {
      client = await withTimeout(
        this.connector(this.options.url, { failAfter: this.failAfter }),
        this.connectTimeoutMs,
        this.clock,
        operation,
        (late) => closeKurentoNow(late),
      );
    } catch (error) {
      const cause = toMediaError(error, operation);
      throw new MediaError(
        MediaErrorCode.Unavailable,
        `${operation}: cannot reach ${this.options.url}: ${cause.message}`,
        {
          operation,
          cause,
        },
      );
    }
    if (this.closed) {
      closeKurentoNow(client);
      throw unavailable(operation, 'the port was closed meanwhile');
    }
    this.connection = this.watch(client);
    // What the old session held may still exist (a long network cut rather than a restart): release
    // it by id on the fresh session. Kurento's release never fails for unknown ids.
    for (const entry of held) this.releaseById(client, entry.ref.id);
  }

  private watch(client: KurentoHandle): Connection {
    // Connection events come from the KurentoClient instance itself, not from its unthenable copy.
    const emitter = realKurentoClient(client);
    const connection: Connection = {
      client,
      sessionLost: false,
      gaveUp: false,
      detach: () => {
        emitter.removeListener('reconnected', onReconnected);
        emitter.removeListener('disconnect', onGaveUp);
      },
    };
    const onReconnected = (sameSession: boolean) => {
      if (sameSession === false) connection.sessionLost = true;
    };
    const onGaveUp = () => {
      connection.gaveUp = true;
    };
    emitter.on('reconnected', onReconnected);
    emitter.on('disconnect', onGaveUp);
    return connection;
  }

  private dropConnection(): void {
    const connection = this.connection;
    this.connection = undefined;
    if (!connection) return;
    connection.detach();
    try {
      closeKurentoNow(connection.client);
    } catch (error) {
      this.reportError(error);
    }
  }

  /** The connection calls go through, or MEDIA_UNAVAILABLE at once when there is none to wait for. */
  private live(operation: string): { client: KurentoHandle; generation: number } {
    if (this.closed) throw unavailable(operation, 'the port is closed');
    const connection = this.connection;
    if (!connection)
      throw unavailable(operation, this.renewing ? 'a fresh connection is being opened' : 'not connected');
    if (connection.gaveUp) throw unavailable(operation, 'kurento-client gave up reconnecting');
    return { client: connection.client, generation: this.registry.generation };
  }

  private call<T>(
    operation: string,
    target: KurentoHandle,
    method: string,
    args: unknown[],
    options: { onLate?: (value: T) => void } = {},
  ): Promise<T> {
    return withTimeout(
      callKurento<T>(target, method, ...args),
      this.callTimeoutMs,
      this.clock,
      operation,
      options.onLate,
    );
  }

  private throwIfUnsubscribed(entry: EndpointEntry<KurentoHandle>): void {
    if (entry.subscriptionError) throw entry.subscriptionError;
  }

  private releaseQuietly(object: KurentoHandle): void {
    callKurento(object, 'release').catch(() => undefined);
  }

  private releaseById(client: KurentoHandle, id: string): void {
    const attempt = (async () => {
      const object = await callKurento<KurentoHandle>(client, 'getMediaobjectById', id);
      await callKurento(object, 'release');
    })();
    withTimeout(attempt, this.callTimeoutMs, this.clock, 'renew').catch(() => undefined);
  }
}

const KURENTO_OBJECT_NOT_FOUND = KURENTO_CODES.MEDIA_OBJECT_NOT_FOUND;

/** Attempts of `listPipelines` (the first and two more). */
const LIST_PIPELINES_ATTEMPTS = 3;

/**
 * The server's pipelines. kurento-client describes each listed id it does not hold (one more call per
 * id), and a pipeline released between the list and its description fails the whole call with
 * MEDIA_OBJECT_NOT_FOUND (40101): the list is then asked again, as the pipeline is no longer in it. A
 * probe that failed that way reported a healthy server as down, and CASH refused joins for seconds.
 */
async function listPipelines(manager: KurentoHandle): Promise<{ id?: unknown }[]> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return (await callKurento<{ id?: unknown }[] | undefined>(manager, 'getPipelines')) ?? [];
    } catch (error) {
      const gone = (error as KurentoCallError | undefined)?.code === KURENTO_OBJECT_NOT_FOUND;
      if (!gone || attempt >= LIST_PIPELINES_ATTEMPTS) throw error;
    }
  }
}

function down(error: MediaError, renewRequired: boolean): MediaHealth {
  return { status: 'down', error, renewRequired };
}

/** Kurento's ServerManager is created when the server starts: its creation time marks the instance. */
function serverIdOf(info: { version?: unknown } | undefined, created: unknown): string {
  return `kms/${String(info?.version ?? 'unknown')}/${String(created)}`;
}
