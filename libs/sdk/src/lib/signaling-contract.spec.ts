import {
  parseClientMessage,
  SIGNAL_LIMITS,
  type ClientMessage,
  type ServerMessage,
  type SignalAnswerOf as ContractAnswerOf,
} from '@hoot/contracts';
import * as sdk from '../index';
import type { ClientSignal, IceCandidate, ServerPush, ServerSignal, SignalAnswerOf } from '../index';
import type { SignalingClient, SignalingEvents } from './signaling-client';

/** True when A and B are the same type (each assignable to the other). */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

describe('the SDK speaks the signaling contract', () => {
  it('exports the contract types, the ones CASH parses and sends', () => {
    true satisfies Same<ServerSignal, ServerMessage>;
    true satisfies Same<ClientSignal & { id?: string }, ClientMessage>;
    true satisfies Same<SignalAnswerOf, ContractAnswerOf>;
    true satisfies Same<Parameters<SignalingClient['request']>[0], ClientSignal>;
    true satisfies Same<SignalingEvents['reoffer'], Extract<ServerPush, { type: 'reoffer' }>>;
    true satisfies Same<Extract<ClientSignal, { type: 'ice' }>['candidate'], IceCandidate>;
    expect(sdk.SignalingCloseCode.Kicked).toBe(4003);
    expect(sdk.isServerPush({ type: 'kicked', by: 'p-1' })).toBe(true);
  });

  it('sends frames CASH accepts as they are (the id included)', () => {
    const candidate: IceCandidate = { candidate: 'candidate:1', sdpMid: '0', sdpMLineIndex: 0 };
    const frames: ClientSignal[] = [
      { type: 'join', ticket: 'a.b.c' },
      { type: 'ice', publisherId: 'p-1', stream: 'screen', candidate },
      { type: 'chat', text: 'hi' },
    ];
    for (const frame of frames) {
      const wire = JSON.stringify({ ...frame, id: '7' });
      expect(parseClientMessage(wire, SIGNAL_LIMITS.p2pSignalMaxBytes)).toEqual({
        ok: true,
        message: { ...frame, id: '7' },
      });
    }
  });
});
