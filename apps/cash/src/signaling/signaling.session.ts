import { RoomErrorCode, type Clock, type TimerHandle } from '@hoot/domain';
import { CashError, CashErrorCode } from '../cash-error';
import type { CoreMxStateService } from '../coremx/coremx-state';
import {
  CLOSE_CODES,
  type JoinInput,
  type ManagerLogger,
  type ParticipantChannel,
  type RoomManager,
} from '../rooms/room-manager';
import type { AccessTokenVerifier } from '../tickets/access-token.verifier';
import type { JoinTicketVerifier } from '../tickets/join-ticket.verifier';
import type { UsedTickets } from '../tickets/used-tickets';
import type { SessionCredential, WatchedSession } from './revocation-watch';
import type { ConnectionLimiter, LimitVerdict } from './signaling-limits';
import {
  parseClientMessage,
  SignalingCloseCode,
  type ClientMessage,
  type ServerMessage,
} from '@hoot/contracts';

/** The part of a WebSocket a session uses (a `ws` socket fits; specs pass a recorder). */
export interface SocketLike {
  send(text: string): void;
  close(code: number, reason: string): void;
}

export interface SignalingDeps {
  rooms: RoomManager;
  tickets: JoinTicketVerifier;
  /** User access tokens (audience `AUTH_AUDIENCE`) given in `join` with a room id instead of a ticket. */
  accessTokens: AccessTokenVerifier;
  state: CoreMxStateService;
  clock: Clock;
  joinTimeoutMs: number;
  maxMessageBytes: number;
  /** Join tickets that joined already (single use; shared by every connection). */
  usedTickets: UsedTickets;
  /** This connection's rate limits (and its identity's, once joined). */
  limiter: ConnectionLimiter;
  logger?: ManagerLogger;
  /** Told about every error sent (metrics). */
  onError?: (code: string) => void;
  /** Told about every successful join with the time from `join` received to `joined` sent. */
  onJoined?: (ms: number) => void;
}

/** Close code when no `join` arrived in time. */
export const JOIN_TIMEOUT_CLOSE_CODE = SignalingCloseCode.JoinTimeout;
/** Close code when the ticket or token the session joined with (or every token of its identity) was revoked. */
export const REVOKED_CLOSE_CODE = SignalingCloseCode.Revoked;
/** Close code after persistent abuse of the rate limits (and for connections over the per-address cap). */
export const RATE_LIMITED_CLOSE_CODE = SignalingCloseCode.RateLimited;

/**
 * One signaling connection: the first message must be `join` with a ticket; then the participant's
 * messages are handled one at a time, in order. Every refusal is `{type:"error", code, message}` and
 * changes nothing; the connection stays open (except after a kick, the end of the room, or `leave`).
 */
export class SignalingSession implements ParticipantChannel, WatchedSession {
  private joined: { roomId: string; participantId: string } | undefined;
  private joinedWith: SessionCredential | undefined;
  private closed = false;
  private queue: Promise<void> = Promise.resolve();
  private joinTimer: TimerHandle | undefined;

  constructor(
    private readonly socket: SocketLike,
    private readonly deps: SignalingDeps,
  ) {
    this.joinTimer = deps.clock.setTimeout(() => {
      if (this.joined || this.closed) return;
      this.fail(
        undefined,
        new CashError(
          CashErrorCode.JoinTimeout,
          `no join within ${deps.joinTimeoutMs} ms: the connection is closed (send join first)`,
        ),
      );
      this.close(JOIN_TIMEOUT_CLOSE_CODE, 'join timeout');
    }, deps.joinTimeoutMs);
    (this.joinTimer as { unref?: () => void }).unref?.();
  }

  /** The participant this connection joined as (undefined before `join`). */
  get participant(): { roomId: string; participantId: string } | undefined {
    return this.joined;
  }

  /** The ticket or token this connection joined with (undefined before `join`): the revocation watch's. */
  get credential(): SessionCredential | undefined {
    return this.joined ? this.joinedWith : undefined;
  }

  /** The credential it joined with was revoked: say so, leave the room and close. */
  revoked(): void {
    const token = this.joinedWith?.kind === 'token';
    this.fail(
      undefined,
      new CashError(
        token ? CashErrorCode.TokenRevoked : CashErrorCode.TicketRevoked,
        `the ${token ? 'access token' : 'join ticket'} of this session (or every token of its account) was revoked: the session is closed`,
      ),
    );
    this.closeAndLeave(REVOKED_CLOSE_CODE, 'credentials revoked');
  }

  /**
   * A frame from the client; resolves once it has been handled. Rate limits are checked first, before
   * the frame is parsed or queued, so a flood costs a bucket look-up per frame.
   */
  receive(data: string | Buffer, isBinary = false): Promise<void> {
    if (this.closed) return this.queue;
    const verdict = this.deps.limiter.message();
    if (!verdict.ok) {
      this.limited(undefined, verdict, 'messages');
      return this.queue;
    }
    const raw = isBinary ? undefined : typeof data === 'string' ? data : data.toString('utf8');
    this.queue = this.queue.then(() => this.handleFrame(raw));
    return this.queue;
  }

  /** The connection closed: leave the room (as `leave` would). */
  disconnected(): Promise<void> {
    this.closed = true;
    this.clearJoinTimer();
    this.deps.limiter.release();
    this.queue = this.queue.then(async () => {
      const joined = this.joined;
      this.joined = undefined;
      if (joined) await this.deps.rooms.leave(joined.roomId, joined.participantId).catch(() => undefined);
    });
    return this.queue;
  }

  send(message: ServerMessage): void {
    if (this.closed) return;
    this.socket.send(JSON.stringify(message));
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.joined = undefined;
    this.clearJoinTimer();
    this.deps.limiter.release();
    this.socket.close(code, reason);
  }

  /** Closes a connection whose participant is still in the room (it leaves, as on `leave`). */
  private closeAndLeave(code: number, reason: string): void {
    const joined = this.joined;
    this.close(code, reason);
    if (joined) {
      this.queue = this.queue.then(() =>
        this.deps.rooms.leave(joined.roomId, joined.participantId).catch(() => undefined),
      );
    }
  }

  /** A message over a rate limit: refused (nothing happens); persistent abuse closes the connection. */
  private limited(re: string | undefined, verdict: Exclude<LimitVerdict, { ok: true }>, what: string): void {
    const who = verdict.scope === 'connection' ? 'this connection' : 'your identity (all its connections)';
    this.fail(
      re,
      new CashError(
        CashErrorCode.RateLimited,
        `too many ${what} on ${who}: the message was dropped; slow down${
          verdict.close ? ' (the limit was exceeded persistently: the connection is closed)' : ''
        }`,
        Math.max(1, Math.ceil(verdict.retryAfterMs / 1000)),
      ),
    );
    if (verdict.close) this.closeAndLeave(RATE_LIMITED_CLOSE_CODE, 'rate limit exceeded');
  }

  private async handleFrame(raw: string | undefined): Promise<void> {
    if (this.closed) return;
    if (raw === undefined) {
      this.fail(undefined, new CashError(CashErrorCode.MessageMalformed, 'binary frames are not accepted'));
      return;
    }
    const parsed = parseClientMessage(raw, this.deps.maxMessageBytes);
    if (!parsed.ok) {
      this.fail(parsed.re, new CashError(parsed.code, parsed.message));
      return;
    }
    try {
      await this.handle(parsed.message);
    } catch (error) {
      this.fail(parsed.message.id, error);
    }
  }

  private async handle(message: ClientMessage): Promise<void> {
    const re = message.id;
    if (message.type === 'join') return this.join(message, re);
    const joined = this.joined;
    if (!joined) throw new CashError(CashErrorCode.NotJoined, 'join first');
    const { roomId, participantId } = joined;
    const rooms = this.deps.rooms;
    switch (message.type) {
      case 'publish':
        return rooms.publish(roomId, participantId, message.kinds, message.sdpOffer, re);
      case 'unpublish':
        return rooms.unpublish(roomId, participantId, re, message.stream);
      case 'subscribe':
        return rooms.subscribe(
          roomId,
          participantId,
          message.publisherId,
          message.sdpOffer,
          re,
          message.stream,
        );
      case 'unsubscribe':
        return rooms.unsubscribe(roomId, participantId, message.publisherId, re, message.stream);
      case 'ice':
        // Queued, not awaited: applied off the room's queue; a failing candidate is logged and skipped.
        rooms.addIceCandidate(roomId, participantId, message.publisherId, message.candidate, message.stream);
        return this.ok(re);
      case 'raise-hand':
        return rooms.command(roomId, participantId, { type: 'raiseHand' }, re);
      case 'lower-hand':
        return rooms.command(roomId, participantId, { type: 'lowerHand' }, re);
      case 'approve':
      case 'deny':
      case 'kick':
        return rooms.command(roomId, participantId, { type: message.type, target: message.target }, re);
      case 'unban':
        return rooms.command(roomId, participantId, { type: 'unban', identity: message.identity }, re);
      case 'end':
        return rooms.command(roomId, participantId, { type: 'end' }, re);
      case 'chat': {
        const verdict = this.deps.limiter.chatMessage();
        if (!verdict.ok) return this.limited(re, verdict, 'chat messages');
        return rooms.command(roomId, participantId, { type: 'addChild', text: message.text }, re);
      }
      case 'record':
        return rooms.record(roomId, participantId, message.action, re);
      case 'p2p-signal':
        await rooms.relayP2pSignal(roomId, participantId, message.signal);
        return this.ok(re);
      case 'leave':
        await rooms.leave(roomId, participantId);
        this.joined = undefined;
        this.ok(re);
        this.close(CLOSE_CODES.left, 'left');
        return;
    }
  }

  private async join(
    message: Extract<ClientMessage, { type: 'join' }>,
    re: string | undefined,
  ): Promise<void> {
    if (this.joined) throw new CashError(CashErrorCode.AlreadyJoined, 'this connection has joined already');
    const started = performance.now();
    const { input, credential } =
      'ticket' in message ? await this.ticketJoin(message) : await this.tokenJoin(message);
    let participantId: string;
    try {
      this.deps.state.checkJoin(this.deps.rooms.has(input.roomId));
      participantId = await this.deps.rooms.join(input, this, re);
    } catch (error) {
      // A refused join did not use the ticket up: the client may try it again.
      if (credential.kind === 'ticket') this.deps.usedTickets.release(credential.jti);
      throw error;
    }
    if (this.closed) {
      // The connection went away while joining.
      await this.deps.rooms.leave(input.roomId, participantId).catch(() => undefined);
      return;
    }
    this.joined = { roomId: input.roomId, participantId };
    this.joinedWith = credential;
    this.deps.limiter.joined(input.identity);
    this.clearJoinTimer();
    this.deps.state.refresh();
    this.deps.onJoined?.(performance.now() - started);
  }

  /**
   * A join with a ticket. Tickets are single use: the ticket is claimed here and given back only if the
   * join is refused. The display name is the ticket's (the account's); a `displayName` in `join` is ignored.
   */
  private async ticketJoin(
    message: Extract<ClientMessage, { ticket: string }>,
  ): Promise<{ input: JoinInput; credential: SessionCredential }> {
    const ticket = await this.deps.tickets.verify(message.ticket);
    if (!this.deps.usedTickets.claim(ticket.ticketId, ticket.expiresAt, this.deps.clock.now())) {
      throw new CashError(
        CashErrorCode.TicketUsed,
        'this join ticket was used already (tickets are single use): ask the registry for a new one',
      );
    }
    const input: JoinInput = {
      roomId: ticket.conferenceId,
      identity: ticket.identity,
      ticketId: ticket.ticketId,
      ...(ticket.displayName !== undefined ? { displayName: ticket.displayName } : {}),
      ...(ticket.role !== undefined ? { role: ticket.role } : {}),
      ...(ticket.roomType !== undefined ? { roomType: ticket.roomType } : {}),
    };
    const credential: SessionCredential = {
      jti: ticket.ticketId,
      sub: ticket.identity,
      iat: ticket.issuedAt,
      kind: 'ticket',
    };
    return { input, credential };
  }

  /**
   * A join with a user access token: the room must exist here (reserved or running), and the token's
   * identity must be its owner (creator) or in its `allowed` list, unless the room is public (any
   * authenticated identity may join it). The role follows the room rules as for tickets (no `role`
   * claim): the owner publishes, others view (both sides publish in p2p).
   */
  private async tokenJoin(
    message: Extract<ClientMessage, { accessToken: string }>,
  ): Promise<{ input: JoinInput; credential: SessionCredential }> {
    const token = await this.deps.accessTokens.verify(message.accessToken);
    const live = this.deps.rooms.access(message.roomId);
    const access = live ?? this.deps.rooms.endedAccess(message.roomId);
    const entitled =
      access !== undefined &&
      (access.public || access.creator === token.identity || (access.allowed ?? []).includes(token.identity));
    if (!entitled) {
      // The same answer whether the room exists or not: nobody learns of a room they may not join.
      throw new CashError(
        CashErrorCode.RoomNotFound,
        `no room ${message.roomId} that you may join on this CoreMX; ask the registry for a join ticket`,
      );
    }
    if (!live) throw new CashError(RoomErrorCode.ROOM_ENDED, 'The room has ended');
    const input: JoinInput = {
      roomId: message.roomId,
      identity: token.identity,
      ticketId: token.tokenId,
      ...(token.displayName !== undefined ? { displayName: token.displayName } : {}),
      mustExist: true,
    };
    const credential: SessionCredential = {
      jti: token.tokenId,
      sub: token.identity,
      iat: token.issuedAt,
      kind: 'token',
    };
    return { input, credential };
  }

  private ok(re: string | undefined): void {
    this.send({ type: 'ok', ...(re !== undefined ? { re } : {}) });
  }

  private fail(re: string | undefined, error: unknown): void {
    let code: string;
    let message: string;
    let retryAfterS: number | undefined;
    if (error instanceof CashError) {
      ({ code, message, retryAfterS } = error);
    } else {
      code = 'INTERNAL';
      message = 'unexpected error; see the service log';
      this.deps.logger?.warn({ err: error }, 'signaling message failed unexpectedly');
    }
    this.deps.onError?.(code);
    this.send({
      type: 'error',
      ...(re !== undefined ? { re } : {}),
      code,
      message,
      ...(retryAfterS !== undefined ? { retryAfterS } : {}),
    });
  }

  private clearJoinTimer(): void {
    if (this.joinTimer !== undefined) this.deps.clock.clearTimeout(this.joinTimer);
    this.joinTimer = undefined;
  }
}
