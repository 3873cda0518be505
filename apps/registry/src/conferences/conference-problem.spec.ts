import type { ExecutionContext } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { AuthGuard } from '@hoot/auth-kit';
import {
  CashErrorCode as X,
  ConferenceErrorCode as C,
  TokenRejection as T,
  httpStatusOf,
} from '@hoot/contracts';
import { ProblemJsonFilter } from '@hoot/service-kit';
import { CONFERENCE_SERVICE } from '../registry.tokens';
import { CONFERENCE_HTTP_STATUS, conferenceHttpStatus, conferenceProblem } from './conference-problem';
import { ConferenceError } from './conference.error';
import { ConferencesController } from './conferences.controller';

describe('conference refusals: the HTTP status is chosen at the edge', () => {
  it("every conference code has the catalogue's status; a disabled subject stays 403", () => {
    for (const code of Object.values(C))
      expect([code, CONFERENCE_HTTP_STATUS[code]]).toEqual([code, httpStatusOf(code)]);
    expect(CONFERENCE_HTTP_STATUS[T.Revoked]).toBe(401);
    expect(CONFERENCE_HTTP_STATUS[T.AccountDisabled]).toBe(403);
  });

  it("CASH's codes that a recording command passes on keep the catalogue's status", () => {
    for (const code of Object.values(X))
      expect([code, conferenceHttpStatus(code)]).toEqual([code, httpStatusOf(code)]);
    expect(conferenceProblem(new ConferenceError(X.RecordingStorageFull, 'full'))).toMatchObject({
      code: X.RecordingStorageFull,
      status: 507,
    });
    expect(conferenceHttpStatus(C.NotLive)).toBe(409);
  });

  it('the error the services throw carries a code and a retry delay, never a status', () => {
    const error = new ConferenceError(C.NoCoreMxAvailable, 'no CoreMX', undefined, 7);
    expect(error).not.toHaveProperty('status');
    expect(conferenceProblem(error)).toMatchObject({
      code: C.NoCoreMxAvailable,
      status: 503,
      headers: { 'Retry-After': '7' },
    });
    expect(conferenceProblem(new ConferenceError(C.NotFound, 'no conference x')).headers).toBeUndefined();
    expect(conferenceProblem(new ConferenceError(T.Revoked, 'sign in again')).headers).toEqual({
      'www-authenticate': 'Bearer realm="hoot", error="invalid_token", error_description="sign in again"',
    });
  });

  describe('through the conferences API', () => {
    let app: NestFastifyApplication;
    let refusal: ConferenceError;

    beforeAll(async () => {
      const refuse = async () => {
        throw refusal;
      };
      const moduleRef = await Test.createTestingModule({
        controllers: [ConferencesController],
        providers: [{ provide: CONFERENCE_SERVICE, useValue: { get: refuse, end: refuse, join: refuse } }],
      })
        .overrideGuard(AuthGuard)
        .useValue({
          canActivate: (context: ExecutionContext) => {
            context.switchToHttp().getRequest().hootIdentity = { subject: 'acc_bob', name: 'Bob' };
            return true;
          },
        })
        .compile();
      app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter());
      app.useGlobalFilters(new ProblemJsonFilter());
      await app.init();
      await app.getHttpAdapter().getInstance().ready();
    });
    afterAll(async () => {
      await app.close();
    });

    it.each([
      [C.NotFound, 404, new ConferenceError(C.NotFound, 'no conference standup'), {}],
      [C.Ended, 410, new ConferenceError(C.Ended, 'the conference standup has ended'), {}],
      [
        C.RateLimited,
        429,
        new ConferenceError(C.RateLimited, 'too many joins', undefined, 3),
        { 'retry-after': '3' },
      ],
      [T.AccountDisabled, 403, new ConferenceError(T.AccountDisabled, 'your account is disabled'), {}],
    ])('%s leaves as problem+json with status %i', async (_code, status, error, headers) => {
      refusal = error;
      const answer = await app.inject({ method: 'GET', url: '/v1/conferences/standup' });
      expect(answer.statusCode).toBe(status);
      expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(answer.headers).toMatchObject(headers);
      expect(answer.json()).toMatchObject({ status, code: error.code, detail: error.message });
    });
  });
});
