import { HootApiError, type FetchLike } from '@hoot/sdk';

/** A refusal of the registry, as the SDK raises it. */
export const refusal = (status: number, code: string, detail: string, retryAfterMs?: number) =>
  new HootApiError(status, code, 'Refused', detail, retryAfterMs, { code, detail }, 'reg-c1-1');

/** A fetch answering from a table of `METHOD url` → [status, body]; anything else fails like a dead host. */
export function fakeFetch(
  routes: Record<string, [number, unknown]>,
  seen: { url: string; init: unknown }[] = [],
): FetchLike {
  return async (url, init) => {
    seen.push({ url, init });
    const route = routes[`${init.method} ${url}`];
    if (!route) throw new TypeError('fetch failed');
    const [status, body] = route;
    const json = status >= 400 ? 'application/problem+json' : 'application/json';
    return {
      status,
      headers: { forEach: (cb) => cb(json, 'content-type') },
      text: async () => (body === undefined ? '' : JSON.stringify(body)),
    };
  };
}
