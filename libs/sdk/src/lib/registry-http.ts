import type { Clock } from '@hoot/domain';
import { SdkError, SdkErrorCode } from './sdk-error-codes';

/** What the SDK passes to `fetch`: a subset of `RequestInit` that every runtime supports. */
export interface FetchInit {
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
}

/** What the SDK reads from an answer: a subset of the standard `Response`. */
export interface FetchResponseLike {
  status: number;
  headers: { forEach(callback: (value: string, name: string) => void): void };
  text(): Promise<string>;
}

/** The global `fetch` (browsers, Node ≥ 18), or a fake in tests. */
export type FetchLike = (url: string, init: FetchInit) => Promise<FetchResponseLike>;

/** An answer read in full. `headers` are lower-cased; `body` is parsed JSON for JSON content types, else text. */
export interface HttpAnswer<T = unknown> {
  status: number;
  headers: Record<string, string>;
  body: T;
}

/** The global fetch, bound (some runtimes refuse `fetch` called with another `this`). */
export function globalFetch(): FetchLike {
  const f = (globalThis as { fetch?: unknown }).fetch;
  if (typeof f !== 'function') {
    throw new SdkError(SdkErrorCode.OptionsInvalid, 'no global fetch in this runtime: pass options.fetch');
  }
  return (url, init) => (f as FetchLike).call(globalThis, url, init);
}

export interface SendOnce {
  fetch: FetchLike;
  clock: Clock;
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  /** The caller's signal: aborting it ends the attempt with the signal's reason (not a registry failure). */
  signal?: AbortSignal;
  /** Names the target in error messages. */
  label: string;
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new Error('aborted');
}

function decode(text: string, contentType: string | undefined): unknown {
  if (text.length === 0) return undefined;
  if (contentType && /\bjson\b/i.test(contentType)) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

/**
 * One HTTP exchange with a deadline covering the whole answer (headers and body). Rejects with an
 * `SdkError` coded `sdk.registry-timeout` or `sdk.registry-network`, or with the caller's abort reason.
 * The deadline runs on the injected clock and does not trust `fetch` to honour the signal.
 */
export async function sendOnce(req: SendOnce): Promise<HttpAnswer> {
  const { signal, clock } = req;
  if (signal?.aborted) throw abortReason(signal);
  const controller = new AbortController();
  let timeoutError: SdkError | undefined;
  let stop!: (reason: unknown) => void;
  const stopped = new Promise<never>((_, reject) => (stop = reject));
  const timer = clock.setTimeout(() => {
    timeoutError = new SdkError(
      SdkErrorCode.RegistryTimeout,
      `${req.label}: no answer within ${req.timeoutMs} ms`,
    );
    controller.abort(timeoutError);
    stop(timeoutError);
  }, req.timeoutMs);
  const onAbort = (): void => {
    controller.abort(signal?.reason);
    stop(signal ? abortReason(signal) : new Error('aborted'));
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  const work = (async (): Promise<HttpAnswer> => {
    const res = await req.fetch(req.url, {
      method: req.method,
      headers: req.headers,
      ...(req.body === undefined ? {} : { body: req.body }),
      signal: controller.signal,
    });
    const headers: Record<string, string> = {};
    res.headers.forEach((value, name) => (headers[name.toLowerCase()] = value));
    const text = await res.text();
    return { status: res.status, headers, body: decode(text, headers['content-type']) };
  })();
  // The loser of the race must not become an unhandled rejection.
  work.catch(() => undefined);
  try {
    return await Promise.race([work, stopped]);
  } catch (error) {
    if (signal?.aborted) throw abortReason(signal);
    if (timeoutError) throw timeoutError;
    if (error instanceof SdkError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new SdkError(SdkErrorCode.RegistryNetwork, `${req.label}: ${message}`, { cause: error });
  } finally {
    clock.clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}
