/**
 * The packager's control API over HTTP (`fetch`): bearer key, JSON bodies, each call bounded by
 * `timeoutMs`. A problem+json refusal keeps its `code`; the recording codes become CASH's
 * (`packager.storage-full` → `RECORDING_STORAGE_FULL` 507, …), anything else — the packager down, slow,
 * full or answering 5xx — is `RECORDING_UNAVAILABLE` (503) with the cause in the message. The key is
 * never logged nor put in an error.
 */
import { PackagerErrorCode } from '@hoot/contracts';
import { CashError, CashErrorCode } from '../cash-error';
import type {
  PackagerPort,
  PackagerRecordedStream,
  PackagerStream,
  PackagerStreamInput,
  PackagerStreamState,
} from './packager.port';

export interface HttpPackagerClientOptions {
  url: string;
  controlKey: string;
  timeoutMs: number;
  fetch?: typeof fetch;
}

/** A failed packager call (`CashError` with what the packager answered). */
export class PackagerError extends CashError {
  constructor(
    code: CashErrorCode,
    message: string,
    readonly status?: number,
    readonly packagerCode?: string,
    retryAfterS?: number,
  ) {
    super(code, message, retryAfterS);
    this.name = 'PackagerError';
  }
}

const CODE_OF: Partial<Record<string, CashErrorCode>> = {
  [PackagerErrorCode.RecordingUnavailable]: CashErrorCode.RecordingUnavailable,
  [PackagerErrorCode.StorageFull]: CashErrorCode.RecordingStorageFull,
  [PackagerErrorCode.RecordingExists]: CashErrorCode.AlreadyRecording,
  [PackagerErrorCode.NotRecording]: CashErrorCode.NotRecording,
};

/** The CASH error of a packager refusal. */
export function packagerFailure(
  status: number | undefined,
  code: string | undefined,
  detail: string,
): PackagerError {
  const mapped = code !== undefined ? CODE_OF[code] : undefined;
  if (mapped) return new PackagerError(mapped, `packager: ${detail}`, status, code);
  return new PackagerError(
    CashErrorCode.RecordingUnavailable,
    `the packager could not do it (${status ?? 'no answer'}${code ? ` ${code}` : ''}): ${detail}`,
    status,
    code,
    5,
  );
}

export class HttpPackagerClient implements PackagerPort {
  private readonly base: string;
  private readonly fetch: typeof fetch;

  constructor(private readonly options: HttpPackagerClientOptions) {
    this.base = options.url.replace(/\/+$/, '');
    this.fetch = options.fetch ?? fetch;
  }

  async startStream(input: PackagerStreamInput): Promise<PackagerStream> {
    const answer = await this.call('POST', '/v1/streams', input, [201]);
    const body = answer.body as Partial<PackagerStream>;
    if (
      typeof body.streamId !== 'string' ||
      typeof body.sdpOffer !== 'string' ||
      typeof body.playlistPath !== 'string'
    ) {
      throw packagerFailure(
        answer.status,
        undefined,
        'a stream answer without streamId, sdpOffer or playlistPath',
      );
    }
    return { streamId: body.streamId, playlistPath: body.playlistPath, sdpOffer: body.sdpOffer };
  }

  async rtpAnswer(streamId: string, sdpAnswer: string): Promise<void> {
    await this.call('POST', `/v1/streams/${enc(streamId)}/rtp-answer`, { sdpAnswer }, [204, 200]);
  }

  async stopStream(streamId: string): Promise<void> {
    await this.call('DELETE', `/v1/streams/${enc(streamId)}`, undefined, [200, 204, 404]);
  }

  async getStream(streamId: string): Promise<PackagerStreamState | undefined> {
    const answer = await this.call('GET', `/v1/streams/${enc(streamId)}`, undefined, [200, 404]);
    return answer.status === 404 ? undefined : (answer.body as PackagerStreamState);
  }

  async startRecording(streamId: string, recordingId: string): Promise<void> {
    await this.call('PUT', `/v1/streams/${enc(streamId)}/recording`, { recordingId }, [200, 201]);
  }

  async stopRecording(streamId: string): Promise<void> {
    await this.call('DELETE', `/v1/streams/${enc(streamId)}/recording`, undefined, [200, 204]);
  }

  async listRecordings(conferenceId: string): Promise<PackagerRecordedStream[]> {
    const answer = await this.call(
      'GET',
      `/v1/recordings?conferenceId=${enc(conferenceId)}`,
      undefined,
      [200],
    );
    const list = (answer.body as { recordings?: unknown } | undefined)?.recordings;
    if (!Array.isArray(list)) throw packagerFailure(200, undefined, 'a recording list without recordings');
    return list as PackagerRecordedStream[];
  }

  private async call(
    method: string,
    path: string,
    body: unknown,
    accepted: number[],
  ): Promise<{ status: number; body: unknown }> {
    let res: Response;
    try {
      res = await this.fetch(`${this.base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.options.controlKey}`,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (error) {
      const timedOut =
        error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      throw packagerFailure(
        undefined,
        undefined,
        timedOut
          ? `${method} ${path.split('?')[0]} took more than ${this.options.timeoutMs} ms`
          : `${method} ${path.split('?')[0]}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    const text = await res.text().catch(() => '');
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (accepted.includes(res.status)) return { status: res.status, body: parsed };
    const problem = (parsed ?? {}) as { code?: unknown; detail?: unknown; title?: unknown };
    const code = typeof problem.code === 'string' ? problem.code : undefined;
    const detail =
      typeof problem.detail === 'string'
        ? problem.detail
        : typeof problem.title === 'string'
          ? problem.title
          : `${method} ${path.split('?')[0]} answered ${res.status}`;
    throw packagerFailure(res.status, code, detail.slice(0, 300));
  }
}

const enc = encodeURIComponent;
