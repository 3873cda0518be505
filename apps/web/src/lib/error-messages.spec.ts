import { AuthErrorCode, HOOT_ERROR_CODES, SdkErrorCode } from '@hoot/contracts';
import { ConferenceErrorCode, RoomErrorCode } from '@hoot/domain';
import {
  describeError,
  errorCode,
  hasMessage,
  isKnownErrorCode,
  WebErrorCode,
  type ErrorMessages,
} from './error-messages';

describe('describeError', () => {
  it('has a message of its own for every conference error code and the room rules clients meet', () => {
    for (const code of Object.values(ConferenceErrorCode))
      expect([code, hasMessage(code)]).toEqual([code, true]);
    const roomCodes = [
      RoomErrorCode.ROOM_FULL,
      RoomErrorCode.ROOM_ENDED,
      RoomErrorCode.P2P_FULL,
      RoomErrorCode.NOT_OWNER,
      RoomErrorCode.NOT_A_PUBLISHER,
      RoomErrorCode.TICKET_KICKED,
      RoomErrorCode.BANNED,
      RoomErrorCode.CANNOT_KICK_OWNER,
      RoomErrorCode.CANNOT_KICK_CREATOR,
      RoomErrorCode.NOT_CREATOR,
      RoomErrorCode.VIDEO_NOT_ALLOWED,
      RoomErrorCode.PARTICIPANT_LIMIT_REACHED,
      RoomErrorCode.SCREEN_SHARE_NOT_ALLOWED,
      RoomErrorCode.SCREEN_SHARE_TAKEN,
    ];
    for (const code of roomCodes) expect([code, hasMessage(code)]).toEqual([code, true]);
    for (const code of [
      'TICKET_EXPIRED',
      'TICKET_USED',
      'RATE_LIMITED',
      'NOT_ENTITLED',
      'OVERLOADED',
      'DRAINING',
      'MEDIA_UNAVAILABLE',
      'auth.invalid-credentials',
      'auth.rate-limited',
      'sdk.screen-share-unavailable',
      'sdk.screen-share-cancelled',
    ])
      expect([code, hasMessage(code)]).toEqual([code, true]);
  });

  it("says in our words that a picked camera could not be started or was lost, never the browser's text", () => {
    const browser = 'Could not start video source';
    for (const code of ['sdk.device-unavailable', 'sdk.device-lost']) {
      const human = describeError({ name: 'SdkError', code, message: browser, cause: new Error(browser) });
      expect(hasMessage(code)).toBe(true);
      expect(human.message).not.toContain(browser);
      expect(human.leavesRoom).toBe(false);
    }
    expect(describeError({ code: 'sdk.device-unavailable' }).message).toContain('The one you had stays on.');
  });

  it('says when to retry a 503 coremx-unavailable and leaves the room', () => {
    const human = describeError({
      name: 'HootApiError',
      status: 503,
      code: 'conference.coremx-unavailable',
      retryAfterS: 5,
      message: 'x',
    });
    expect(human).toMatchObject({
      code: 'conference.coremx-unavailable',
      retryable: true,
      leavesRoom: true,
      retryAfterS: 5,
    });
    expect(human.message).toContain('Try again in 5 s');
  });

  it('takes Retry-After in milliseconds from SDK errors too', () => {
    expect(describeError({ code: 'conference.rate-limited', retryAfterMs: 2500 })).toMatchObject({
      retryAfterS: 3,
      retryable: true,
    });
  });

  it('asks to sign in again for token problems, including unknown token codes and a bare 401', () => {
    expect(describeError({ code: 'token.expired' }).signInAgain).toBe(true);
    expect(describeError({ code: 'token.some-new-code' }).signInAgain).toBe(true);
    expect(describeError({ code: 'http.401' }).signInAgain).toBe(true);
    expect(describeError({ code: 'conference.not-found' }).signInAgain).toBe(false);
  });

  it('treats kicks, ends and refusals as the end of the room, not a toast', () => {
    for (const code of [
      'room.kicked',
      'room.ended',
      'NOT_ENTITLED',
      'TICKET_KICKED',
      'conference.ended',
      'conference.not-entitled',
      // A newer session of the account (another window) took this one's place (issue 17 item 2).
      'SESSION_REPLACED',
    ])
      expect([code, describeError(code).leavesRoom]).toEqual([code, true]);
    for (const code of ['ROOM_FULL', 'NOT_OWNER', 'HAND_ALREADY_RAISED'])
      expect([code, describeError(code).leavesRoom]).toEqual([code, false]);
  });

  it("tells a replaced session in the app's words, never the server's text, with a way back", () => {
    const human = describeError({
      code: 'SESSION_REPLACED',
      message: 'a new session of your account joined this room and took your place: this one is closed',
    });
    expect(human).toMatchObject({ title: 'Joined elsewhere', retryable: true, leavesRoom: true });
    expect(human.message).not.toContain('took your place');
  });

  it('maps browser media errors and network failures by name', () => {
    expect(errorCode({ name: 'NotAllowedError', message: 'Permission denied' })).toBe('media.denied');
    expect(errorCode({ name: 'NotFoundError' })).toBe('media.not-found');
    expect(errorCode(new TypeError('Failed to fetch'))).toBe('web.offline');
    expect(describeError({ name: 'NotAllowedError' }).title).toBe('Camera blocked');
  });

  it('falls back to the server message for an unknown code, keeping the code', () => {
    expect(describeError({ code: 'brand.new', message: 'Something specific' })).toMatchObject({
      code: 'brand.new',
      message: 'Something specific',
      retryable: false,
    });
    expect(describeError({ code: 'http.502' })).toMatchObject({ retryable: true });
    expect(describeError(undefined)).toMatchObject({ code: 'web.unexpected' });
  });

  it("never shows a browser's own exception text: users read our words", () => {
    const browser = Object.assign(
      new Error(
        "Failed to execute 'setRemoteDescription' on 'RTCPeerConnection': signalingState is 'closed'",
      ),
      { name: 'InvalidStateError' },
    );
    const human = describeError(browser);
    expect(human.code).toBe('web.unexpected');
    expect(human.message).not.toContain('setRemoteDescription');
    expect(human.message).toBe('An unexpected error happened.');
    expect(describeError({ code: 'sdk.media-failed', message: 'x' })).toMatchObject({
      title: 'Media problem',
      leavesRoom: false,
    });
  });

  it("decides every code of the error catalogue and every code of the app's own (the table is exhaustive)", () => {
    for (const code of [...HOOT_ERROR_CODES, ...Object.values(WebErrorCode)])
      expect([code, isKnownErrorCode(code)]).toEqual([code, true]);
    for (const code of ['brand.new', 'http.502', 'toString', 'constructor'])
      expect([code, isKnownErrorCode(code)]).toEqual([code, false]);
    // @ts-expect-error a table that leaves a code out does not compile
    const partial: ErrorMessages = { [AuthErrorCode.Forbidden]: null };
    expect(Object.keys(partial)).toEqual([AuthErrorCode.Forbidden]);
  });

  it("keeps the server's words for a code it has none of its own for, and never mistakes an inherited property for a code", () => {
    expect(hasMessage(SdkErrorCode.SignalingTimeout)).toBe(false);
    expect(describeError({ code: SdkErrorCode.SignalingTimeout, message: 'no answer in 5 s' })).toMatchObject(
      {
        code: 'sdk.signaling-timeout',
        message: 'no answer in 5 s',
      },
    );
    expect(describeError({ code: 'token.bad-signature' }).signInAgain).toBe(true);
    expect(describeError({ code: 'toString', message: 'from a server' })).toMatchObject({
      code: 'toString',
      title: 'Something went wrong',
      message: 'from a server',
    });
  });
});
