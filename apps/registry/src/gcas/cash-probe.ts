import { cashApiUrlOf } from '../conferences/cash.client';
import type { CoreMxProbe } from './registry-node';

/**
 * The liveness probe of a suspect CoreMX: `GET <its CASH API>/health/live` within `timeoutMs`. A refused
 * connection (a killed CASH) fails at once, an unreachable host (a lost node) at the timeout; any answer
 * but 2xx counts as dead too. Redirects are not followed.
 */
export function probeCash(timeoutMs: number, fetchImpl: typeof fetch = fetch): CoreMxProbe {
  return async (view) => {
    try {
      const res = await fetchImpl(`${cashApiUrlOf(view)}/health/live`, {
        signal: AbortSignal.timeout(timeoutMs),
        redirect: 'manual',
      });
      await res.arrayBuffer().catch(() => undefined);
      return res.ok ? { ok: true } : { ok: false, reason: `answered ${res.status}` };
    } catch (error) {
      const e = error as { name?: string; cause?: { code?: string }; message?: string };
      const reason =
        e.name === 'TimeoutError' || e.name === 'AbortError'
          ? `no answer within ${timeoutMs} ms`
          : (e.cause?.code ?? e.message ?? 'unreachable');
      return { ok: false, reason };
    }
  };
}
