import type {
  Conference,
  ConferencePage,
  CoreMxAnswer,
  CreateConferenceInput,
  GcasAnswer,
  JoinAnswer,
  JoinRequest,
  ListConferencesQuery,
  RecordingCommandAnswer,
  RecordingList,
  RegistriesAnswer,
  RouletteAnswer,
  RouletteQuery,
  SignInResult,
  TokenAnswer,
  TokenGrant,
} from '@hoot/contracts';
import { CashErrorCode } from '@hoot/contracts';
import { systemClock, type Clock } from '@hoot/domain';
import { discoverRegistries } from './discovery';
import { HootApiError } from './hoot-api.error';
import {
  RegistryClient,
  type RegistryResponse,
  type SwitchListener,
  type BackoffPolicy,
} from './registry-client';
import { parseProblem, RegistryHttpError } from './registry-http.error';
import type { FetchLike } from './registry-http';
import { parseRegistryId, type RegistryEndpoint } from './registry-order';
import { RegistryUnavailableError } from './registry-unavailable.error';
import {
  conferenceIdOf,
  readRecordingCommandAnswer,
  readRecordingList,
  recordingCommandOf,
  recordingPath,
  recordingsPath,
} from './registry-client.recordings';
import { RoomSession, type JoinRoomOptions } from './room-session';
import { SdkError, SdkErrorCode } from './sdk-error-codes';
import type { WebSocketLike } from './web-socket';

// The recording API's types (issue 18), for SDK users beside the other registry API types of the index.
export type {
  RecordedStream,
  RecordingCommandAnswer,
  RecordingCommandInput,
  RecordingList,
  RecordingSummary,
} from '@hoot/contracts';

export interface HootClientOptions {
  /**
   * The registries to talk to. A URL whose first host label is a registry id (`https://reg-c1-2.hoot.mx`)
   * takes its cloud and priority from it; any other URL gets the id `registry-<n>` and its place in the
   * list as priority. Entries may also be full `RegistryEndpoint`s.
   */
  registryUrls: readonly (string | RegistryEndpoint)[];
  /** This client's cloud: its registries come first. */
  ownCloud?: string;
  /** Defaults to the global `fetch`. */
  fetch?: FetchLike;
  /** For `joinRoom`: defaults to the global `WebSocket` (in Node pass `ws`'s `WebSocket`). */
  WebSocket?: WebSocketLike;
  /** An access token to start with (e.g. kept from an earlier sign-in). */
  token?: string;
  /** Time and timers; defaults to the system clock. */
  clock?: Clock;
  /** Deadline of each registry attempt, default 2000 ms. */
  timeoutMs?: number;
  /** Backoff of a failed registry (see `RegistryClient`). */
  backoff?: Partial<BackoffPolicy>;
  /** Told when calls move to another registry. */
  onSwitch?: SwitchListener;
}

export interface DiscoverOptions extends Omit<HootClientOptions, 'registryUrls'> {
  /** One or more registry URLs to ask iroulette (`GET /v1/roulette`) for the best registries. */
  rouletteUrl: string | readonly string[];
  lat?: number;
  lon?: number;
  region?: string;
}

/** 5xx verdicts of a conference's CoreMX that the registries pass on (any registry would say the same). */
const COREMX_VERDICTS: ReadonlySet<unknown> = new Set([
  CashErrorCode.RecordingUnavailable,
  CashErrorCode.RecordingStorageFull,
]);

/** The registries' own 5xx verdicts on a conference (any registry would say the same): not a registry failure. */
function isRegistryFailure(response: RegistryResponse): boolean {
  if (response.status < 500) return false;
  const code = (response.body as { code?: unknown } | undefined)?.code;
  return !((typeof code === 'string' && code.startsWith('conference.')) || COREMX_VERDICTS.has(code));
}

function toEndpoints(list: readonly (string | RegistryEndpoint)[]): RegistryEndpoint[] {
  if (!Array.isArray(list)) {
    throw new SdkError(SdkErrorCode.RegistryListInvalid, 'registryUrls must be an array');
  }
  return list.map((entry, i) => {
    if (typeof entry !== 'string') return entry;
    let label = '';
    try {
      label = new URL(entry).hostname.split('.')[0];
    } catch {
      // Not a URL: normalizeRegistry refuses it with a clear message.
    }
    return parseRegistryId(label)
      ? { registryId: label, url: entry }
      : { registryId: `registry-${i + 1}`, url: entry, cloud: 'listed', priority: i + 1 };
  });
}

const path = (id: string): string => `/v1/conferences/${encodeURIComponent(id)}`;

/**
 * The hoot client: sign-in, conferences and joins at the registries (with priority failover through
 * `RegistryClient`), and `joinRoom` for the signaling session with the CoreMX. Every error answer of a
 * registry is thrown as `HootApiError` (its problem+json `code`); when no registry answered at all,
 * `RegistryUnavailableError` (`sdk.registry-unavailable`).
 */
export class HootClient {
  /** The failover client underneath (status, current registry, switches). */
  readonly registry: RegistryClient;
  readonly clock: Clock;
  private accessToken: string | undefined;
  private readonly webSocket: WebSocketLike | undefined;

  constructor(options: HootClientOptions) {
    this.clock = options.clock ?? systemClock;
    this.accessToken = options.token;
    this.webSocket = options.WebSocket;
    this.registry = new RegistryClient({
      registries: toEndpoints(options.registryUrls),
      ownCloud: options.ownCloud,
      fetch: options.fetch,
      clock: this.clock,
      timeoutMs: options.timeoutMs,
      backoff: options.backoff,
      onSwitch: options.onSwitch,
      authorization: () =>
        Promise.resolve(this.accessToken === undefined ? undefined : `Bearer ${this.accessToken}`),
    });
  }

  /**
   * Asks iroulette for the registries best for this client (nearest first) and returns a client on
   * them. Without `ownCloud`, the nearest registry's cloud is taken as the own cloud.
   */
  static async discover(options: DiscoverOptions): Promise<HootClient> {
    const { rouletteUrl, lat, lon, region, ...rest } = options;
    const seeds = typeof rouletteUrl === 'string' ? [rouletteUrl] : [...rouletteUrl];
    const registries = await discoverRegistries(seeds, {
      region,
      latitude: lat,
      longitude: lon,
      fetch: options.fetch,
      clock: options.clock,
      timeoutMs: options.timeoutMs,
    });
    return new HootClient({
      ...rest,
      ownCloud: rest.ownCloud ?? registries[0].cloud,
      registryUrls: registries,
    });
  }

  /** The access token calls carry (undefined before sign-in). */
  get token(): string | undefined {
    return this.accessToken;
  }

  /** Uses this access token from now on (undefined: none). */
  setToken(token: string | undefined): void {
    this.accessToken = token;
  }

  /** The WebSocket class for signaling sessions (the option, else the global one). */
  webSocketClass(): WebSocketLike | undefined {
    return this.webSocket;
  }

  /** Signs in with username and password (`POST /v1/auth/token`) and keeps the token for later calls. */
  signIn(username: string, password: string): Promise<SignInResult> {
    return this.tokenGrant({ grant_type: 'password', username, password });
  }

  /** Signs in with an API key and keeps the token for later calls. */
  signInWithApiKey(apiKey: string): Promise<SignInResult> {
    return this.tokenGrant({ grant_type: 'api_key', api_key: apiKey });
  }

  /**
   * Creates a conference: `created` is true for a new one (201), false when the same owner asked for the
   * same id again (200, the existing one). With an `id` the call is idempotent and may be retried on
   * another registry.
   */
  async createConference(
    input: CreateConferenceInput,
  ): Promise<{ conference: Conference; created: boolean }> {
    const res = await this.call<Conference>('POST', '/v1/conferences', {
      body: input,
      idempotent: input?.id !== undefined,
    });
    return { conference: res.body, created: res.status === 201 };
  }

  async getConference(id: string): Promise<Conference> {
    return (await this.call<Conference>('GET', path(id))).body;
  }

  /** The caller's own conferences by id, a page at a time. */
  async listConferences(options: ListConferencesQuery = {}): Promise<ConferencePage> {
    const query = new URLSearchParams();
    if (options.limit !== undefined) query.set('limit', String(options.limit));
    if (options.after !== undefined) query.set('after', options.after);
    const qs = query.toString();
    return (await this.call<ConferencePage>('GET', `/v1/conferences${qs ? `?${qs}` : ''}`)).body;
  }

  /** Ends a conference for everyone (owner only); ending an ended one again is fine. */
  async endConference(id: string): Promise<void> {
    await this.call('DELETE', path(id));
  }

  /**
   * Asks for a join ticket for a `hoot.mx://` address (at any registry). Safe to retry: it changes
   * nothing but issues a ticket.
   */
  async join(address: string): Promise<JoinAnswer> {
    const body: JoinRequest = { address };
    return (await this.call<JoinAnswer>('POST', '/v1/join', { body, idempotent: true })).body;
  }

  /**
   * Starts or stops recording a conference's live room (its owner only), by id or `hoot.mx://` address.
   * Refusals are `HootApiError`s: `conference.not-owner`, `conference.not-live` (nobody in the room),
   * `ALREADY_RECORDING`, `NOT_RECORDING`, `RECORDING_UNAVAILABLE`, `RECORDING_STORAGE_FULL`, … Not retried
   * on another registry (a start that reached CASH twice would answer `ALREADY_RECORDING`).
   */
  async recording(conference: string, action: 'start' | 'stop'): Promise<RecordingCommandAnswer> {
    const id = conferenceIdOf(conference);
    const res = await this.call<unknown>('POST', recordingPath(id), { body: recordingCommandOf(action) });
    return readRecordingCommandAnswer(res.body, id);
  }

  /**
   * A conference's recordings (anyone entitled to join it), by id or address: each stream's `playbackUrl`
   * is an HLS VOD playlist signed for the caller until `playbackExpiresAt` (list again for a fresh one).
   */
  async recordings(conference: string): Promise<RecordingList> {
    const id = conferenceIdOf(conference);
    return readRecordingList((await this.call<unknown>('GET', recordingsPath(id))).body, id);
  }

  /**
   * Joins a conference as a live session: a ticket from the registry (`join`), the signaling connection
   * to its CoreMX, and `join` there. The session keeps the room view and reconnects on its own.
   */
  joinRoom(address: string, options: JoinRoomOptions = {}): Promise<RoomSession> {
    return RoomSession.connect(this, address, options);
  }

  /** `GET /v1/gcas`: the raw GCAS of the registry that answers. */
  async gcas(): Promise<GcasAnswer> {
    return (await this.call<GcasAnswer>('GET', '/v1/gcas')).body;
  }

  /** `GET /v1/registries`: every registry with liveness, load and primary flag. */
  async registries(): Promise<RegistriesAnswer> {
    return (await this.call<RegistriesAnswer>('GET', '/v1/registries')).body;
  }

  /** `GET /v1/coremx`: every CoreMX with liveness, state and load. */
  async coremx(): Promise<CoreMxAnswer> {
    return (await this.call<CoreMxAnswer>('GET', '/v1/coremx')).body;
  }

  /**
   * `GET /internal/v1/coremx`: the same list for service credentials — an operator's tool signed in with
   * `signInWithApiKey` (user tokens are refused there).
   */
  async serviceCoremx(): Promise<CoreMxAnswer> {
    return (await this.call<CoreMxAnswer>('GET', '/internal/v1/coremx')).body;
  }

  /** `GET /v1/roulette`: the live registries ranked for a position or region (no sign-in needed). */
  async roulette(query: RouletteQuery = {}): Promise<RouletteAnswer> {
    const q = new URLSearchParams();
    if (query.region !== undefined) q.set('region', query.region);
    if (query.lat !== undefined) q.set('lat', String(query.lat));
    if (query.lon !== undefined) q.set('lon', String(query.lon));
    const qs = q.toString();
    return (await this.call<RouletteAnswer>('GET', `/v1/roulette${qs ? `?${qs}` : ''}`)).body;
  }

  private async tokenGrant(body: TokenGrant): Promise<SignInResult> {
    // Unchecked until read: a server's answer is untrusted.
    const res = await this.call<{ [K in keyof TokenAnswer]?: unknown }>('POST', '/v1/auth/token', {
      body,
    });
    const { access_token: accessToken, expires_in: expiresIn } = res.body ?? {};
    if (typeof accessToken !== 'string' || typeof expiresIn !== 'number') {
      throw new SdkError(SdkErrorCode.AnswerInvalid, 'POST /v1/auth/token: the answer has no access_token');
    }
    this.accessToken = accessToken;
    return { accessToken, expiresIn };
  }

  /** One call: a 2xx answer, else `HootApiError` (also for the last answer of a call that failed over). */
  private async call<T>(
    method: string,
    route: string,
    options: { body?: unknown; idempotent?: boolean } = {},
  ): Promise<RegistryResponse<T>> {
    let res: RegistryResponse<T>;
    try {
      res = await this.registry.request<T>(method, route, { ...options, retryOn: isRegistryFailure });
    } catch (error) {
      const last = error instanceof RegistryUnavailableError ? error.attempts.at(-1)?.error : undefined;
      if (last instanceof RegistryHttpError) throw HootApiError.from(last);
      throw error;
    }
    if (res.status >= 200 && res.status < 300) return res;
    throw HootApiError.from(parseProblem(res, this.clock.now()));
  }
}
