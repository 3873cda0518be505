import type { RecordingCommandInput } from '@hoot/contracts';
import type { ConferenceRecord, RoomType } from '@hoot/domain';

/** What the registry asks a CASH to reserve (its `POST /internal/v1/rooms` body). */
export interface ReserveRequest {
  id: string;
  type: RoomType;
  owner?: string;
  allowed?: string[];
  public?: boolean;
  maxParticipants?: number;
  movedFrom?: {
    coremxId: string;
    reason: 'coremx-down' | 'drain' | 'rebalance' | 'manual';
    /** Who was in it there, in join order: CASH restores their roles if they rejoin within its grace. */
    participants?: { identity: string; role: 'publisher' | 'viewer' }[];
  };
  /**
   * A reopen after the platform closed the conference's last room (a drain): who was in it, owner and
   * oldest publishers first. CASH restores their roles if they rejoin within its grace. Never with
   * `movedFrom.participants`.
   */
  returning?: { identity: string; role: 'publisher' | 'viewer' }[];
}

/** What a CASH is asked to reserve for an existing conference (its owner is admitted as allowed). */
export function reserveRequestOf(record: ConferenceRecord): ReserveRequest {
  return {
    id: record.conferenceId,
    type: record.type,
    ...(record.owner ? { owner: record.owner } : {}),
    allowed: record.owner ? [record.owner, ...record.allowed] : record.allowed,
    public: record.public,
    ...(record.maxParticipants !== null ? { maxParticipants: record.maxParticipants } : {}),
  };
}

/** Why a CASH call failed: `unavailable` (full, draining, unreachable: try another) or `refused`. */
export class CashCallError extends Error {
  constructor(
    readonly kind: 'unavailable' | 'refused' | 'not-found',
    message: string,
    readonly status?: number,
    readonly code?: string,
    readonly retryAfterS?: number,
  ) {
    super(message);
    this.name = 'CashCallError';
  }
}

/** The registry's calls to CASH service APIs (`HttpCashClient`; a fake in unit specs). */
export interface CashClient {
  reserve(apiUrl: string, request: ReserveRequest): Promise<{ created: boolean }>;
  /** Ends the room (`by`: the owner who ended it). A room the CASH does not have is `not-found`. */
  end(apiUrl: string, conferenceId: string, by?: string): Promise<void>;
}

/**
 * The recording calls of CASH's service API (issue 18). Their answers are CASH's, untrusted: returned as
 * parsed JSON (`undefined` when the body is not JSON or larger than `CASH_ANSWER_MAX_BYTES`) for the
 * caller to check (`recording-answers.ts`); a refusal is a `CashCallError` with CASH's problem code.
 */
export interface CashRecordingClient {
  /** `POST /internal/v1/rooms/{roomId}/recording {action, by}`: `by` is the owner the registry checked. */
  recording(
    apiUrl: string,
    roomId: string,
    command: RecordingCommandInput & { by: string },
  ): Promise<unknown>;
  /** `GET /internal/v1/rooms/{roomId}/recordings?viewer=`: playback URLs signed for `viewer`. */
  recordings(apiUrl: string, roomId: string, viewer: string): Promise<unknown>;
}

/** The most of a CASH answer the registry reads (a recording list of thousands of streams fits). */
export const CASH_ANSWER_MAX_BYTES = 2 * 1024 * 1024;

/** Service API base URL of a CoreMX: the one it reports, else its signaling URL's host over http(s). */
export function cashApiUrlOf(entry: { apiUrl?: string; signalingUrl: string }): string {
  if (entry.apiUrl) return entry.apiUrl.replace(/\/$/, '');
  const url = new URL(entry.signalingUrl);
  return `${url.protocol === 'wss:' ? 'https:' : 'http:'}//${url.host}`;
}

export class HttpCashClient implements CashClient, CashRecordingClient {
  constructor(
    private readonly authorization: () => Promise<string>,
    private readonly timeoutMs: number,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  async reserve(apiUrl: string, request: ReserveRequest): Promise<{ created: boolean }> {
    const response = await this.call(`${apiUrl}/internal/v1/rooms`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request),
    });
    if (response.status === 200 || response.status === 201) return { created: response.status === 201 };
    throw await failure(response, 'reserve');
  }

  async end(apiUrl: string, conferenceId: string, by?: string): Promise<void> {
    const query = by ? `?by=${encodeURIComponent(by)}` : '';
    const response = await this.call(
      `${apiUrl}/internal/v1/rooms/${encodeURIComponent(conferenceId)}${query}`,
      { method: 'DELETE' },
    );
    if (response.status === 204 || response.status === 200) return;
    throw await failure(response, 'end');
  }

  async recording(
    apiUrl: string,
    roomId: string,
    command: RecordingCommandInput & { by: string },
  ): Promise<unknown> {
    const response = await this.call(`${apiUrl}/internal/v1/rooms/${encodeURIComponent(roomId)}/recording`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ action: command.action, by: command.by }),
    });
    if (response.status === 200 || response.status === 201) return readJson(response);
    throw await failure(response, 'recording');
  }

  async recordings(apiUrl: string, roomId: string, viewer: string): Promise<unknown> {
    const response = await this.call(
      `${apiUrl}/internal/v1/rooms/${encodeURIComponent(roomId)}/recordings?viewer=${encodeURIComponent(viewer)}`,
      { method: 'GET' },
    );
    if (response.status === 200) return readJson(response);
    throw await failure(response, 'recordings');
  }

  private async call(url: string, init: RequestInit): Promise<Response> {
    try {
      return await this.fetchImpl(url, {
        ...init,
        headers: { ...(init.headers as Record<string, string>), authorization: await this.authorization() },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new CashCallError('unavailable', `CASH at ${url} unreachable: ${(error as Error).message}`);
    }
  }
}

/**
 * A CASH answer's JSON, read up to `CASH_ANSWER_MAX_BYTES` (a larger body is dropped unread, not
 * buffered); `undefined` when it is larger, cut off, or not JSON.
 */
async function readJson(response: Response): Promise<unknown> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > CASH_ANSWER_MAX_BYTES) {
    await response.body?.cancel().catch(() => undefined);
    return undefined;
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    const reader = response.body?.getReader();
    if (!reader) return undefined;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > CASH_ANSWER_MAX_BYTES) {
        await reader.cancel().catch(() => undefined);
        return undefined;
      }
      chunks.push(value);
    }
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

async function failure(response: Response, what: string): Promise<CashCallError> {
  // Not problem+json (or too large): the status says enough.
  const body = (await readJson(response)) as { code?: unknown } | null | undefined;
  const code = typeof body?.code === 'string' ? body.code.slice(0, 100) : undefined;
  // No header is no delay (`Number(null)` would be 0).
  const retryAfter = Number(response.headers.get('retry-after') ?? Number.NaN);
  const message = `CASH ${what} answered ${response.status}${code ? ` (${code})` : ''}`;
  if (response.status === 404) return new CashCallError('not-found', message, 404, code);
  const kind = response.status >= 500 || response.status === 429 ? 'unavailable' : 'refused';
  return new CashCallError(
    kind,
    message,
    response.status,
    code,
    Number.isFinite(retryAfter) ? retryAfter : undefined,
  );
}
