/** The parts of an answer `parseProblem` reads (a `RegistryResponse` fits). */
export interface ProblemSource {
  status: number;
  /** Header names in lower case. */
  headers: Readonly<Record<string, string>>;
  body: unknown;
  registryId?: string;
}

/**
 * A non-2xx answer, typed: the server's problem+json `code` (stable, branch on it), `title`, `detail`,
 * and `retryAfterMs` from a `Retry-After` header. `problem` keeps the whole body for extensions.
 */
export class RegistryHttpError extends Error {
  override readonly name: string = 'RegistryHttpError';

  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail: string,
    readonly retryAfterMs: number | undefined,
    readonly problem: Readonly<Record<string, unknown>> | undefined,
    readonly registryId: string | undefined,
  ) {
    super(`${status} ${code}: ${detail}`);
  }
}

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date (relative to `nowMs`). */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/**
 * Reads an error answer into a `RegistryHttpError`. A problem+json body gives `code`, `title` and
 * `detail`; any other body (HTML from a proxy, plain text, nothing) still gives a usable error with
 * the code `http.<status>`, so callers never have to handle a missing code.
 */
export function parseProblem(response: ProblemSource, nowMs: number = Date.now()): RegistryHttpError {
  const body = response.body;
  const problem =
    typeof body === 'object' && body !== null && !Array.isArray(body)
      ? (body as Record<string, unknown>)
      : undefined;
  const code = text(problem?.code) ?? `http.${response.status}`;
  const title = text(problem?.title) ?? `HTTP ${response.status}`;
  const detail =
    text(problem?.detail) ?? (typeof body === 'string' && body.length > 0 ? body.slice(0, 500) : title);
  return new RegistryHttpError(
    response.status,
    code,
    title,
    detail,
    parseRetryAfter(response.headers['retry-after'], nowMs),
    problem,
    response.registryId,
  );
}
