import { RoomErrorCode } from '@hoot/domain';
import { CashErrorCode } from '../errors';
import {
  SERVER_PUSH_TYPES,
  isServerPush,
  type ClientMessage,
  type ClientMessageType,
  type ClientSignal,
  type ServerMessage,
  type ServerPush,
  type ServerSignal,
  type SignalAnswer,
  type SignalAnswerOf,
  type SignalRefusal,
} from './messages';
import { SignalingCloseCode } from './signaling.limits';
import { CLIENT_MESSAGE_TYPES } from './validation';

/** True when A and B are the same type (each assignable to the other). */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** `Omit` over each member of a union. */
type OmitEach<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

describe('the signaling contract', () => {
  it('lists every push type once in SERVER_PUSH_TYPES (the SDK listens to exactly these)', () => {
    // Compiles only while the list names every push type of `ServerPush`.
    const every: [Exclude<ServerPush['type'], (typeof SERVER_PUSH_TYPES)[number]>] extends [never]
      ? true
      : never = true;
    expect(every).toBe(true);
    expect(new Set(SERVER_PUSH_TYPES).size).toBe(SERVER_PUSH_TYPES.length);
    for (const type of SERVER_PUSH_TYPES) expect(isServerPush({ type } as ServerMessage)).toBe(true);
  });

  it('is one type for both sides: what the SDK sends is what CASH parses, what CASH sends is what the SDK reads', () => {
    // The SDK sends ClientSignal plus an id; CASH parses ClientMessage.
    true satisfies Same<OmitEach<ClientMessage, 'id'>, ClientSignal>;
    true satisfies Same<ClientMessage['type'], ClientSignal['type']>;
    // The SDK reads ServerSignal; CASH sends ServerMessage.
    true satisfies Same<ServerSignal, ServerMessage>;
    true satisfies Same<ServerMessage, SignalAnswer | ServerPush | SignalRefusal>;
    // Every request type has its answer type, and nothing else does.
    true satisfies Same<keyof SignalAnswerOf, ClientMessageType>;
    // The refusal codes CASH sends fit the wire's `code`.
    true satisfies Same<
      Extract<CashErrorCode | RoomErrorCode, SignalRefusal['code']>,
      CashErrorCode | RoomErrorCode
    >;

    const types: Record<ClientMessageType, true> = {
      join: true,
      publish: true,
      unpublish: true,
      subscribe: true,
      unsubscribe: true,
      ice: true,
      'raise-hand': true,
      'lower-hand': true,
      approve: true,
      deny: true,
      kick: true,
      unban: true,
      leave: true,
      end: true,
      'p2p-signal': true,
      chat: true,
      record: true,
    };
    expect([...CLIENT_MESSAGE_TYPES].sort()).toEqual(Object.keys(types).sort());
  });

  it('tells pushes from answers and refusals', () => {
    const pushes: ServerPush[] = [
      { type: 'patch', patch: { roomId: 'standup', fromVersion: 1, toVersion: 2, ops: [] } },
      { type: 'ice', publisherId: 'p-1', candidate: { candidate: 'c', sdpMid: '0', sdpMLineIndex: 0 } },
      { type: 'stream-ready', publisherId: 'p-1' },
      { type: 'stream-ended', publisherId: 'p-1', stream: 'screen' },
      { type: 'publish-request', participantId: 'p-1' },
      { type: 'reoffer', reason: 'media-server-restarted' },
      { type: 'p2p-signal', from: 'p-1', signal: { kind: 'offer', sdp: 'v=0\r\n' } },
      { type: 'kicked', by: 'p-2' },
      { type: 'room-ended', reason: 'ended' },
    ];
    for (const push of pushes) expect(isServerPush(push)).toBe(true);
    const others: ServerMessage[] = [
      { type: 'ok', re: '1' },
      { type: 'publish-answer', sdpAnswer: 'v=0\r\n' },
      { type: 'subscribe-answer', publisherId: 'p-1', sdpAnswer: 'v=0\r\n' },
      { type: 'error', code: CashErrorCode.NotJoined, message: 'join first' },
    ];
    for (const other of others) expect(isServerPush(other)).toBe(false);
  });

  it('keeps the close codes CASH has always used', () => {
    expect(SignalingCloseCode).toEqual({
      Left: 1000,
      GoingAway: 1001,
      Abnormal: 1006,
      RoomEnded: 4000,
      Kicked: 4003,
      JoinTimeout: 4008,
      Revoked: 4001,
      RateLimited: 4029,
      Replaced: 4009,
    });
  });
});
