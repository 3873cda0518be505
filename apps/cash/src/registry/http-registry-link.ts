import type { CoreMxReport, RegistryAnswer, RegistryLink } from './registry-link.port';

export interface HttpRegistryLinkOptions {
  /** Registry base URLs in priority order: own cloud first, then the global list. */
  urls: string[];
  /** `Bearer <service token>` (auth-kit's `ServiceCredentialClient.authorization()`). */
  authorization: () => Promise<string>;
  /** Forget the service token after a 401 (the next call fetches a new one). */
  invalidateCredentials?: () => void;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export class RegistryUnreachableError extends Error {
  constructor(readonly failures: { url: string; error: string }[]) {
    super(`no registry answered: ${failures.map((f) => `${f.url}: ${f.error}`).join('; ')}`);
    this.name = 'RegistryUnreachableError';
  }
}

/**
 * The membership API over HTTP with simple priority failover: every call tries the registries in order
 * and stops at the first that answers 2xx (so it returns to a higher-priority registry as soon as that one
 * is back). A 401 renews the service token once; 4xx other than 401/404/408/429 stop the round (our
 * report is wrong, another registry would say the same).
 */
export class HttpRegistryLink implements RegistryLink {
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: HttpRegistryLinkOptions) {
    if (!options.urls.length) throw new Error('HttpRegistryLink needs at least one registry URL');
    this.fetchImpl = options.fetch ?? fetch;
  }

  report(coremxId: string, report: CoreMxReport): Promise<RegistryAnswer> {
    return this.call('PUT', `/internal/v1/coremx/${encodeURIComponent(coremxId)}`, report);
  }

  deregister(coremxId: string, version: { incarnation: number; seq: number }): Promise<RegistryAnswer> {
    return this.call('POST', `/internal/v1/coremx/${encodeURIComponent(coremxId)}/deregister`, version);
  }

  private async call(method: string, path: string, body: object): Promise<RegistryAnswer> {
    const failures: { url: string; error: string }[] = [];
    for (const base of this.options.urls) {
      const url = base.replace(/\/$/, '');
      try {
        let response = await this.send(method, url + path, body);
        if (response.status === 401) {
          this.options.invalidateCredentials?.();
          response = await this.send(method, url + path, body);
        }
        if (response.ok) {
          const answer = (await response.json()) as { accepted?: unknown; registryId?: unknown };
          if (typeof answer.accepted !== 'boolean' || typeof answer.registryId !== 'string') {
            throw new Error('answer lacks accepted or registryId');
          }
          return { accepted: answer.accepted, registryId: answer.registryId, url };
        }
        const text = await response.text().catch(() => '');
        failures.push({ url, error: `HTTP ${response.status} ${text.slice(0, 200)}` });
        if (
          response.status >= 400 &&
          response.status < 500 &&
          ![401, 404, 408, 429].includes(response.status)
        ) {
          break;
        }
      } catch (error) {
        failures.push({ url, error: error instanceof Error ? error.message : String(error) });
      }
    }
    throw new RegistryUnreachableError(failures);
  }

  private async send(method: string, url: string, body: object): Promise<Response> {
    return this.fetchImpl(url, {
      method,
      headers: { 'content-type': 'application/json', authorization: await this.options.authorization() },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 3_000),
    });
  }
}
