import { httpStatusOf } from '@hoot/contracts';
import { RoomErrorCode } from '@hoot/domain';
import { HootException } from '@hoot/service-kit';
import { CashError, CashErrorCode } from '../cash-error';
import { httpCode, toHttp } from './cash-http';

const answer = (error: CashError): HootException => {
  const http = toHttp(error);
  expect(http).toBeInstanceOf(HootException);
  return http as HootException;
};

describe('toHttp (the service API edge)', () => {
  it('keeps the statuses the service API has always answered', () => {
    const cases: Array<[CashErrorCode | RoomErrorCode, string, number]> = [
      [CashErrorCode.RoomNotFound, 'cash.room-not-found', 404],
      [CashErrorCode.RoomExists, 'cash.room-exists', 409],
      [CashErrorCode.Overloaded, 'cash.overloaded', 503],
      [CashErrorCode.Draining, 'cash.draining', 503],
      [CashErrorCode.MediaUnavailable, 'cash.media-unavailable', 503],
      [CashErrorCode.EventsUnavailable, 'cash.events-unavailable', 503],
      [CashErrorCode.MovedFromSelf, 'cash.moved-from-self', 400],
      [CashErrorCode.ReservationTooLarge, 'cash.reservation-too-large', 400],
      [RoomErrorCode.INVALID_ROOM, 'cash.invalid-room', 400],
      [RoomErrorCode.ROOM_ENDED, 'cash.room-ended', 409],
    ];
    for (const [code, problemCode, status] of cases) {
      const http = answer(new CashError(code, 'refused'));
      expect([code, http.code, http.status, http.message]).toEqual([code, problemCode, status, 'refused']);
    }
  });

  it('takes every status from the one catalogue instead of falling back to 400', () => {
    expect(answer(new CashError(CashErrorCode.RateLimited, 'slow down')).status).toBe(429);
    expect(answer(new CashError(CashErrorCode.Internal, 'oops')).status).toBe(500);
    expect(answer(new CashError(RoomErrorCode.NOT_OWNER, 'no')).status).toBe(403);
    for (const code of [...Object.values(CashErrorCode), ...Object.values(RoomErrorCode)])
      expect([code, answer(new CashError(code, 'x')).status]).toEqual([code, httpStatusOf(code)]);
  });

  it('says when to retry a temporary refusal, and passes anything else through untouched', () => {
    expect(answer(new CashError(CashErrorCode.Overloaded, 'busy', 7)).headers).toEqual({
      'retry-after': '7',
    });
    expect(answer(new CashError(CashErrorCode.RoomExists, 'exists')).headers).toBeUndefined();
    const other = new Error('not ours');
    expect(toHttp(other)).toBe(other);
    expect(httpCode(CashErrorCode.TicketWrongCoreMx)).toBe('cash.ticket-wrong-coremx');
  });
});
