import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { NotFoundException, ServiceUnavailableException } from '@nestjs/common';
import {
  AuthErrorCode,
  ServiceErrorCode,
  TokenRejection,
  httpStatusOf,
  isHootErrorCode,
  type ServerErrorCode,
} from '@hoot/contracts';
import {
  KeysUnavailableError,
  TokenRejectedError,
  toAuthHttpException,
  unauthenticated,
} from '@hoot/auth-kit';
import {
  PROBLEM_CONTENT_TYPE,
  invalidRequest,
  readJsonBody,
  sendProblem,
  type ReplyLike,
} from '@hoot/service-kit';
import { authError } from './auth-error';

/**
 * The status auth answered each of its own codes with before statuses came from the catalogue, written out
 * by hand from the old inline `new HootException(code, <status>, …)` calls. A `Record` over the enum: a new
 * auth code does not compile until it is given its status here too.
 */
const AUTH_STATUS_BEFORE: Record<AuthErrorCode, number> = {
  [AuthErrorCode.InvalidCredentials]: 401,
  [AuthErrorCode.RateLimited]: 429,
  [AuthErrorCode.Unauthenticated]: 401,
  [AuthErrorCode.Forbidden]: 403,
  [AuthErrorCode.AccountExists]: 409,
  [AuthErrorCode.AccountNotFound]: 404,
  [AuthErrorCode.KeysUnavailable]: 503,
  [AuthErrorCode.SubjectDisabled]: 403,
  [AuthErrorCode.SubjectRevoked]: 403,
  [AuthErrorCode.SubjectTokenInvalid]: 403,
  [AuthErrorCode.TicketKeyExists]: 409,
};

/** What the problem+json edge (service-kit's filter and Fastify error handler) writes for one error. */
interface Answer {
  status: number;
  headers: Record<string, string>;
  body: { status: number; code: string; detail: string; [extension: string]: unknown };
}

function answerOf(error: unknown): Answer {
  const answer: Answer = { status: 0, headers: {}, body: { status: 0, code: '', detail: '' } };
  const reply: ReplyLike = {
    sent: false,
    status(code) {
      answer.status = code;
      return reply;
    },
    headers(values) {
      Object.assign(answer.headers, values);
      return reply;
    },
    header(name, value) {
      answer.headers[name] = value;
      return reply;
    },
    send(payload) {
      answer.body = payload as Answer['body'];
      return reply;
    },
  };
  sendProblem(reply, error, { error: () => undefined });
  return answer;
}

describe('authError: auth raises codes, the edge answers the catalogue status', () => {
  it.each(Object.values(AuthErrorCode))(
    'answers %s with the status auth has always answered, which is the catalogue status',
    (code) => {
      const answer = answerOf(authError(code, `because ${code}`));
      expect(answer.status).toBe(AUTH_STATUS_BEFORE[code]);
      expect(answer.status).toBe(httpStatusOf(code));
      expect(answer.headers['content-type']).toBe(PROBLEM_CONTENT_TYPE);
      expect(answer.body).toMatchObject({
        status: AUTH_STATUS_BEFORE[code],
        code,
        detail: `because ${code}`,
        type: `https://hoot.mx/problems/${code}`,
      });
    },
  );

  it('keeps the details and headers of a refusal (429 auth.rate-limited with Retry-After)', () => {
    const answer = answerOf(
      authError(
        AuthErrorCode.RateLimited,
        'too many attempts; retry in 3 s',
        { retryAfterSeconds: 3 },
        { 'retry-after': '3' },
      ),
    );
    expect(answer.status).toBe(429);
    expect(answer.headers['retry-after']).toBe('3');
    expect(answer.body).toMatchObject({ code: 'auth.rate-limited', retryAfterSeconds: 3 });
  });

  it.each(Object.values(TokenRejection))(
    'answers a token refused as %s 401 with that code and a Bearer challenge (the catalogue status)',
    (reason) => {
      const answer = answerOf(toAuthHttpException(new TokenRejectedError(reason, `refused: ${reason}`)));
      expect(answer.status).toBe(401);
      expect(answer.status).toBe(httpStatusOf(reason));
      expect(answer.body.code).toBe(reason);
      expect(answer.headers['www-authenticate']).toContain('error="invalid_token"');
    },
  );

  it("answers auth-kit's own refusals with the status auth has always answered (the catalogue status)", () => {
    const none = answerOf(unauthenticated());
    expect([none.status, none.body.code]).toEqual([401, AuthErrorCode.Unauthenticated]);
    expect(none.status).toBe(httpStatusOf(AuthErrorCode.Unauthenticated));
    expect(none.headers['www-authenticate']).toContain('error="invalid_request"');

    const keys = answerOf(toAuthHttpException(new KeysUnavailableError('jwks down')));
    expect([keys.status, keys.body.code]).toEqual([503, AuthErrorCode.KeysUnavailable]);
    expect(keys.status).toBe(httpStatusOf(AuthErrorCode.KeysUnavailable));
    expect(keys.headers['retry-after']).toBe('5');
  });

  it('answers the request and service codes of every service with the catalogue status', () => {
    const json = { maxDepth: 8, parse: (text: string) => JSON.parse(text) as unknown };
    const thrown = (run: () => unknown): unknown => {
      try {
        run();
      } catch (error) {
        return error;
      }
      throw new Error('expected a throw');
    };
    const walked: Array<[unknown, ServerErrorCode, number]> = [
      [invalidRequest([{ field: 'username', problems: ['is empty'] }]), ServiceErrorCode.RequestInvalid, 400],
      [
        thrown(() => readJsonBody(Buffer.from('{"a":'), 'application/json', json)),
        ServiceErrorCode.RequestMalformed,
        400,
      ],
      [
        thrown(() => readJsonBody(Buffer.from('{}'), 'application/json; charset=latin1', json)),
        ServiceErrorCode.UnsupportedMediaType,
        415,
      ],
      [
        Object.assign(new Error('too large'), { code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 }),
        ServiceErrorCode.RequestTooLarge,
        413,
      ],
      [new NotFoundException('Cannot GET /v1/nope'), ServiceErrorCode.RouteNotFound, 404],
      [new ServiceUnavailableException('down'), ServiceErrorCode.Unavailable, 503],
      [new Error('a database detail'), ServiceErrorCode.Internal, 500],
    ];
    for (const [error, code, before] of walked) {
      const answer = answerOf(error);
      expect([code, answer.status, answer.body.code]).toEqual([code, before, code]);
      expect([code, answer.status]).toEqual([code, httpStatusOf(code)]);
    }
    // /health/ready answers 503 service.not-ready (service-kit's health controller)
    expect(httpStatusOf(ServiceErrorCode.NotReady)).toBe(503);
  });

  it('sends only codes of the catalogue', () => {
    const sent = [
      ...Object.values(AuthErrorCode),
      ...Object.values(TokenRejection),
      ...Object.values(ServiceErrorCode),
    ];
    for (const code of sent) expect([code, isHootErrorCode(code)]).toEqual([code, true]);
  });

  it('is the only place in auth that picks a status: no inline HootException or Nest exception', () => {
    const root = join(__dirname, '..');
    const production = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) return entry.name === 'testing' ? [] : production(path);
        return /\.ts$/.test(entry.name) && !/\.spec\.ts$/.test(entry.name) ? [path] : [];
      });
    const files = production(root).filter((path) => path !== join(__dirname, 'auth-error.ts'));
    expect(files.length).toBeGreaterThan(20);
    const inline = files.flatMap((path) =>
      readFileSync(path, 'utf8')
        .split('\n')
        .map((line, index) => ({ line, at: `${relative(root, path)}:${index + 1}` }))
        .filter(({ line }) => /new \w*(HootException|HttpException)\(|\bforbidden\(/.test(line))
        .map(({ at, line }) => `${at} ${line.trim()}`),
    );
    expect(inline).toEqual([]);
  });
});
