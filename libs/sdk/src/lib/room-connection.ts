import type { Clock } from '@hoot/domain';
import { SignalingCloseCode, type JoinAnswer, type ServerPush, type SignalAnswerOf } from '@hoot/contracts';
import { PUSH_TYPES } from './room-events';
import type { JoinRoomOptions } from './room-session.types';
import { SignalingClient, type SignalingClose, type SignalingError } from './signaling-client';
import type { WebSocketLike } from './web-socket';

/** What one join needs: the ticket and where to use it (the rest of a join answer is kept when known). */
export type Ticket = Pick<JoinAnswer, 'ticket' | 'signalingUrl'> & Partial<JoinAnswer>;

/**
 * Where a connection's traffic goes once released, and only while it is the session's current one
 * (`isCurrent`): a connection the session has moved away from is heard no more.
 */
export interface ConnectionSink {
  isCurrent(sig: SignalingClient): boolean;
  onPush(push: ServerPush): void;
  onClose(info: SignalingClose): void;
  onError(error: SignalingError): void;
}

/** A joined signaling connection, its `join` answer, and `release` to let its held traffic through. */
export interface JoinedConnection {
  sig: SignalingClient;
  joined: SignalAnswerOf['join'];
  release(): void;
}

/**
 * One join over signaling: opens the connection at the ticket's URL and sends `join` (the connection
 * is closed again when the join fails). Pushes and a close that arrive before `release` are held and
 * replayed then, so the session can take the new snapshot and emit its own event first, and nothing is
 * applied to a view it does not belong to. Errors go straight to the sink (while current).
 */
export async function joinOverSignaling(
  ticket: Ticket,
  WebSocketCtor: WebSocketLike,
  options: JoinRoomOptions & { clock: Clock },
  sink: ConnectionSink,
): Promise<JoinedConnection> {
  const sig = await SignalingClient.open(ticket.signalingUrl, WebSocketCtor, {
    clock: options.clock,
    connectTimeoutMs: options.connectTimeoutMs,
    requestTimeoutMs: options.requestTimeoutMs,
  });
  const early: ServerPush[] = [];
  let closedEarly: SignalingClose | undefined;
  let released = false;
  const onPush = (push: ServerPush) => {
    if (!released) early.push(push);
    else if (sink.isCurrent(sig)) sink.onPush(push);
  };
  for (const type of PUSH_TYPES) sig.on(type, onPush);
  sig.on('error', (error) => {
    if (sink.isCurrent(sig)) sink.onError(error);
  });
  sig.on('close', (info) => {
    if (!released) closedEarly = info;
    else if (sink.isCurrent(sig)) sink.onClose(info);
  });
  let joined: SignalAnswerOf['join'];
  try {
    joined = await sig.request({
      type: 'join',
      ticket: ticket.ticket,
      ...(options.displayName !== undefined ? { displayName: options.displayName } : {}),
    });
  } catch (error) {
    sig.close(SignalingCloseCode.Left, 'join failed');
    throw error;
  }
  return {
    sig,
    joined,
    release: () => {
      released = true;
      for (const push of early) if (sink.isCurrent(sig)) sink.onPush(push);
      if (closedEarly && sink.isCurrent(sig)) sink.onClose(closedEarly);
    },
  };
}
