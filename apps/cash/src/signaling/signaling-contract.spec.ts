import {
  SignalingCloseCode,
  parseClientMessage,
  type ClientMessage,
  type IceCandidate,
  type ServerMessage,
} from '@hoot/contracts';
import type { MediaIceCandidate, MediaPort } from '@hoot/media';
import { CLOSE_CODES } from '../rooms/room-manager';
import { JOIN_TIMEOUT_CLOSE_CODE, RATE_LIMITED_CLOSE_CODE, REVOKED_CLOSE_CODE } from './signaling.session';
import type { SignalingSession } from './signaling.session';

/** True when A and B are the same type (each assignable to the other). */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** True when A is assignable to B. */
type Fits<A, B> = [A] extends [B] ? true : false;

describe('CASH speaks the signaling contract', () => {
  it('sends and parses the contract types (the ones the SDK speaks)', () => {
    true satisfies Same<Parameters<SignalingSession['send']>[0], ServerMessage>;
    true satisfies Same<
      Extract<ReturnType<typeof parseClientMessage>, { ok: true }>['message'],
      ClientMessage
    >;
    // A client's candidate goes to the media server as is, and the media server's back to the client.
    true satisfies Fits<IceCandidate, MediaIceCandidate>;
    true satisfies Fits<MediaIceCandidate, IceCandidate>;
    true satisfies Fits<IceCandidate, Parameters<MediaPort['addIceCandidate']>[1]>;
    expect(parseClientMessage('{"type":"leave","id":"1"}', 1024)).toEqual({
      ok: true,
      message: { type: 'leave', id: '1' },
    });
  });

  it('closes connections with the close codes of the contract', () => {
    expect(CLOSE_CODES).toEqual({
      roomEnded: SignalingCloseCode.RoomEnded,
      kicked: SignalingCloseCode.Kicked,
      replaced: SignalingCloseCode.Replaced,
      left: SignalingCloseCode.Left,
    });
    expect([JOIN_TIMEOUT_CLOSE_CODE, REVOKED_CLOSE_CODE, RATE_LIMITED_CLOSE_CODE]).toEqual([
      SignalingCloseCode.JoinTimeout,
      SignalingCloseCode.Revoked,
      SignalingCloseCode.RateLimited,
    ]);
  });
});
