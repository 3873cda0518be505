import { Controller, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ServiceErrorCode, httpStatusOf } from '@hoot/contracts';
import { HootException } from '@hoot/service-kit';
import { REGISTRY_CONFIG } from '../registry.tokens';
import type { RegistryConfig } from '../config/registry.config';

interface ForwardReply {
  status(code: number): ForwardReply;
  header(name: string, value: string): ForwardReply;
  send(body: string): unknown;
}

/** Headers of the auth service's answer that reach the client. */
const PASSED_BACK = ['content-type', 'retry-after', 'cache-control', 'pragma'];

/**
 * `POST /v1/auth/token`: the auth service is cluster-internal, so users sign in through any registry,
 * which forwards the request as is (with the client's address for auth's per-address rate limits).
 */
@ApiTags('auth')
@Controller('v1/auth')
export class AuthTokenController {
  constructor(@Inject(REGISTRY_CONFIG) private readonly config: RegistryConfig) {}

  @Post('token')
  @HttpCode(200)
  async token(
    @Req() request: { body: unknown; ip?: string; headers: Record<string, string | string[] | undefined> },
    @Res() reply: ForwardReply,
  ): Promise<void> {
    // Everything but the call itself happens outside the try: a failure here is ours (500), never
    // "auth unreachable".
    const url = `${this.config.AUTH_URL.replace(/\/$/, '')}/v1/tokens`;
    const init: RequestInit = {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        // The client address this registry determined (the socket's peer unless it is one of
        // TRUSTED_PROXIES), alone: auth, trusting the registries' network, counts its limits per client.
        ...(request.ip ? { 'x-forwarded-for': request.ip } : {}),
      },
      body: JSON.stringify(request.body ?? {}),
      signal: AbortSignal.timeout(this.config.CASH_TIMEOUT_MS),
    };
    let answer: Response;
    let body: string;
    try {
      answer = await fetch(url, init);
      body = await answer.text();
    } catch (error) {
      if (!isNoAnswer(error)) throw error;
      throw new HootException(
        ServiceErrorCode.Unavailable,
        httpStatusOf(ServiceErrorCode.Unavailable),
        'the auth service is unreachable; retry',
        undefined,
        {
          'Retry-After': '2',
        },
      );
    }
    reply.status(answer.status);
    for (const name of PASSED_BACK) {
      const value = answer.headers.get(name);
      if (value) reply.header(name, value);
    }
    reply.send(body);
  }
}

/**
 * No (complete) answer from auth: the deadline passed, or `fetch`'s network error (a `TypeError`
 * "fetch failed": refused, reset, DNS …; "terminated": the connection was cut while reading the answer).
 * Anything else (a URL that does not parse …) is not auth's absence.
 */
function isNoAnswer(error: unknown): boolean {
  // By name, not `instanceof`: fetch's errors may come from another realm (Node's bundled undici).
  const { name, message } = (error ?? {}) as { name?: unknown; message?: unknown };
  if (name === 'TimeoutError' || name === 'AbortError') return true;
  return name === 'TypeError' && (message === 'fetch failed' || message === 'terminated');
}
