import {
  AuthErrorCode,
  ConferenceErrorCode,
  RoomErrorCode,
  ServiceErrorCode,
  TokenRejection,
  WebhookErrorCode,
} from '@hoot/domain';
import {
  CashErrorCode,
  ERROR_CODE_ENUMS,
  GossipErrorCode,
  HOOT_ERROR_CODES,
  MembershipErrorCode,
  SdkErrorCode,
  WebAssetsErrorCode,
  cashProblemCode,
  httpStatusOf,
  isHootErrorCode,
  type HootErrorCode,
  type ServerErrorCode,
} from '../../index';

const serverCodes = (): ServerErrorCode[] =>
  HOOT_ERROR_CODES.filter((code): code is ServerErrorCode => !code.startsWith('sdk.'));

describe('the error catalogue', () => {
  it('holds every code of every enum, each wire value once (no two enums share a value)', () => {
    const all = Object.values(ERROR_CODE_ENUMS).flatMap((codes) => Object.values(codes));
    expect(new Set(all).size).toBe(all.length);
    expect(HOOT_ERROR_CODES).toHaveLength(all.length);
    for (const code of [
      ...Object.values(ServiceErrorCode),
      ...Object.values(AuthErrorCode),
      ...Object.values(TokenRejection),
      ...Object.values(ConferenceErrorCode),
      ...Object.values(WebhookErrorCode),
      ...Object.values(RoomErrorCode),
    ])
      expect([code, isHootErrorCode(code)]).toEqual([code, true]);
  });

  it('keeps the wire values clients already branch on (stable: never renamed)', () => {
    expect(CashErrorCode.Overloaded).toBe('OVERLOADED');
    expect(CashErrorCode.TicketUsed).toBe('TICKET_USED');
    expect(CashErrorCode.SessionReplaced).toBe('SESSION_REPLACED');
    expect(CashErrorCode.Internal).toBe('INTERNAL');
    expect(SdkErrorCode.RegistryUnavailable).toBe('sdk.registry-unavailable');
    expect(SdkErrorCode.DeviceLost).toBe('sdk.device-lost');
    expect(MembershipErrorCode.NotBound).toBe('coremx.not-bound');
    expect(GossipErrorCode.NotARegistry).toBe('gossip.not-a-registry');
    expect(WebAssetsErrorCode.NotBuilt).toBe('web.not-built');
  });

  it('tells a code of the catalogue from anything else on the wire', () => {
    expect(isHootErrorCode('conference.ended')).toBe(true);
    expect(isHootErrorCode('ROOM_FULL')).toBe(true);
    expect(isHootErrorCode('sdk.device-lost')).toBe(true);
    for (const other of ['http.502', 'conference.nope', 'room_full', '', 7, null, undefined, {}])
      expect(isHootErrorCode(other)).toBe(false);
  });
});

describe('httpStatusOf', () => {
  it('gives every server code a 4xx or 5xx status', () => {
    const codes = serverCodes();
    expect(codes.length).toBeGreaterThan(100);
    for (const code of codes) {
      const status = httpStatusOf(code);
      expect([code, status >= 400 && status <= 599]).toEqual([code, true]);
    }
  });

  it('answers the statuses each service has always answered', () => {
    const expected: Array<[ServerErrorCode, number]> = [
      [ServiceErrorCode.RequestInvalid, 400],
      [ServiceErrorCode.RequestMalformed, 400],
      [ServiceErrorCode.RequestTooLarge, 413],
      [ServiceErrorCode.UnsupportedMediaType, 415],
      [ServiceErrorCode.RouteNotFound, 404],
      [ServiceErrorCode.Unavailable, 503],
      [ServiceErrorCode.NotReady, 503],
      [ServiceErrorCode.Internal, 500],
      [AuthErrorCode.InvalidCredentials, 401],
      [AuthErrorCode.RateLimited, 429],
      [AuthErrorCode.Unauthenticated, 401],
      [AuthErrorCode.Forbidden, 403],
      [AuthErrorCode.AccountExists, 409],
      [AuthErrorCode.AccountNotFound, 404],
      [AuthErrorCode.KeysUnavailable, 503],
      [AuthErrorCode.SubjectDisabled, 403],
      [AuthErrorCode.SubjectRevoked, 403],
      [AuthErrorCode.SubjectTokenInvalid, 403],
      [AuthErrorCode.TicketKeyExists, 409],
      ...Object.values(TokenRejection).map((code): [ServerErrorCode, number] => [code, 401]),
      [ConferenceErrorCode.AddressInvalid, 400],
      [ConferenceErrorCode.UnknownIdentity, 400],
      [ConferenceErrorCode.NotFound, 404],
      [ConferenceErrorCode.IdTaken, 409],
      [ConferenceErrorCode.NotOwner, 403],
      [ConferenceErrorCode.NotEntitled, 403],
      [ConferenceErrorCode.LimitReached, 403],
      [ConferenceErrorCode.Ended, 410],
      [ConferenceErrorCode.CoreMxUnavailable, 503],
      [ConferenceErrorCode.NoCoreMxAvailable, 503],
      [ConferenceErrorCode.TicketUnavailable, 503],
      [ConferenceErrorCode.RateLimited, 429],
      [WebhookErrorCode.NotFound, 404],
      [WebhookErrorCode.UrlInvalid, 400],
      [WebhookErrorCode.UrlNotAllowed, 400],
      [WebhookErrorCode.DeadLetterNotFound, 404],
      [MembershipErrorCode.NotFound, 404],
      [MembershipErrorCode.NotBound, 403],
      [GossipErrorCode.NotARegistry, 403],
      [GossipErrorCode.MessageInvalid, 400],
      [WebAssetsErrorCode.NotBuilt, 503],
      // CASH's service API (before this table it fell back to 400 for any code it did not list)
      [CashErrorCode.RoomNotFound, 404],
      [CashErrorCode.RoomExists, 409],
      [CashErrorCode.Overloaded, 503],
      [CashErrorCode.Draining, 503],
      [CashErrorCode.MediaUnavailable, 503],
      [CashErrorCode.EventsUnavailable, 503],
      [CashErrorCode.MovedFromSelf, 400],
      [CashErrorCode.ReservationTooLarge, 400],
      [CashErrorCode.InvalidMessage, 400],
      [RoomErrorCode.INVALID_ROOM, 400],
      [RoomErrorCode.ROOM_ENDED, 409],
    ];
    for (const [code, status] of expected) expect([code, httpStatusOf(code)]).toEqual([code, status]);
  });

  it('gives the codes that travel over WebSocket only the status they would have on HTTP', () => {
    expect(httpStatusOf(CashErrorCode.TicketExpired)).toBe(401);
    expect(httpStatusOf(CashErrorCode.NotEntitled)).toBe(403);
    expect(httpStatusOf(CashErrorCode.RateLimited)).toBe(429);
    expect(httpStatusOf(CashErrorCode.Internal)).toBe(500);
    expect(httpStatusOf(RoomErrorCode.NOT_OWNER)).toBe(403);
    expect(httpStatusOf(RoomErrorCode.ROOM_FULL)).toBe(409);
    expect(httpStatusOf(RoomErrorCode.CHILD_TEXT_TOO_LONG)).toBe(400);
  });

  it("is a table the compiler holds exhaustive: the SDK's own codes never travel, so they have no status", () => {
    // @ts-expect-error an SDK code is raised by the client, never answered by a server
    const sdk: ServerErrorCode = SdkErrorCode.RegistryTimeout;
    const any: HootErrorCode = sdk;
    expect(any).toBe('sdk.registry-timeout');
  });
});

describe('cashProblemCode', () => {
  it("names CASH's codes in the dotted style of problem+json", () => {
    expect(cashProblemCode(CashErrorCode.Overloaded)).toBe('cash.overloaded');
    expect(cashProblemCode(CashErrorCode.MovedFromSelf)).toBe('cash.moved-from-self');
    expect(cashProblemCode(RoomErrorCode.ROOM_ENDED)).toBe('cash.room-ended');
  });
});
