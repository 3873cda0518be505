import { BadRequestException, NotFoundException } from '@nestjs/common';
import { ServiceErrorCode } from '@hoot/domain';
import { HootException } from './hoot.exception';
import { toProblem } from './problem';

describe('toProblem', () => {
  it('keeps the code, status, details and headers of a HootException', () => {
    const answer = toProblem(
      new HootException('auth.rate-limited', 429, 'slow down', { scope: 'ip' }, { 'retry-after': '3' }),
    );
    expect(answer.problem).toEqual({
      type: 'https://hoot.mx/problems/auth.rate-limited',
      title: 'Too Many Requests',
      status: 429,
      detail: 'slow down',
      code: 'auth.rate-limited',
      scope: 'ip',
    });
    expect(answer.headers).toEqual({ 'retry-after': '3' });
    expect(answer.unexpected).toBe(false);
  });

  it('maps an unknown route to route.not-found', () => {
    expect(toProblem(new NotFoundException('Cannot GET /x')).problem).toMatchObject({
      status: 404,
      code: ServiceErrorCode.RouteNotFound,
    });
  });

  it('maps a plain 400 to request.invalid', () => {
    expect(toProblem(new BadRequestException('nope')).problem.code).toBe(ServiceErrorCode.RequestInvalid);
  });

  it.each([
    ['FST_ERR_CTP_BODY_TOO_LARGE', 413, ServiceErrorCode.RequestTooLarge],
    ['FST_ERR_CTP_INVALID_MEDIA_TYPE', 415, ServiceErrorCode.UnsupportedMediaType],
    ['FST_ERR_CTP_EMPTY_JSON_BODY', 400, ServiceErrorCode.RequestMalformed],
    ['FST_ERR_CTP_INVALID_JSON_BODY', 400, ServiceErrorCode.RequestMalformed],
  ])('maps Fastify error %s to %d %s', (code, status, expected) => {
    expect(toProblem(Object.assign(new Error('x'), { code, statusCode: status })).problem).toMatchObject({
      status,
      code: expected,
    });
  });

  it('hides unexpected errors behind service.internal', () => {
    const answer = toProblem(new Error('secret database detail'));
    expect(answer.problem).toMatchObject({ status: 500, code: ServiceErrorCode.Internal });
    expect(answer.problem.detail).not.toContain('secret');
    expect(answer.unexpected).toBe(true);
  });
});
