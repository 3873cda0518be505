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
import { parseClientMessage, type ClientMessage, type ServerMessage } from './signaling-protocol';

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
  logger?: ManagerLogger;
  /** Told about every error sent (metrics). */
  onError?: (code: string) => void;
  /** Told about every successful join with the time from `join` received to `joined` sent. */
  onJoined?: (ms: number) => void;
}

/** Close code when no `join` arrived in time. */
export const JOIN_TIMEOUT_CLOSE_CODE = 4008;

/**
 * One signaling connection: the first message must be `join` with a ticket; then the participant's
 * messages are handled one at a time, in order. Every refusal is `{type:"error", code, message}` and
 * changes nothing; the connection stays open (except after a kick, the end of the room, or `leave`).
 */
export class SignalingSession implements ParticipantChannel {
  private joined: { roomId: string; participantId: string } | undefined;
  private closed = false;
  private queue: Promise<void> = Promise.resolve();
  private joinTimer: TimerHandle | undefined;

  constructor(
    private readonly socket: SocketLike,
    private readonly deps: SignalingDeps,
  ) {
    this.joinTimer = deps.clock.setTimeout(() => {
      if (!this.joined && !this.closed) this.close(JOIN_TIMEOUT_CLOSE_CODE, 'join timeout');
    }, deps.joinTimeoutMs);
    (this.joinTimer as { unref?: () => void }).unref?.();
  }

  /** The participant this connection joined as (undefined before `join`). */
  get participant(): { roomId: string; participantId: string } | undefined {
    return this.joined;
  }

  /** A frame from the client; resolves once it has been handled. */
  receive(data: string | Buffer, isBinary = false): Promise<void> {
    const raw = isBinary ? undefined : typeof data === 'string' ? data : data.toString('utf8');
    this.queue = this.queue.then(() => this.handleFrame(raw));
    return this.queue;
  }

  /** The connection closed: leave the room (as `leave` would). */
  disconnected(): Promise<void> {
    this.closed = true;
    this.clearJoinTimer();
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
    this.socket.close(code, reason);
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
        return rooms.unpublish(roomId, participantId, re);
      case 'subscribe':
        return rooms.subscribe(roomId, participantId, message.publisherId, message.sdpOffer, re);
      case 'unsubscribe':
        return rooms.unsubscribe(roomId, participantId, message.publisherId, re);
      case 'ice':
        await rooms.addIceCandidate(roomId, participantId, message.publisherId, message.candidate);
        return this.ok(re);
      case 'raise-hand':
        return rooms.command(roomId, participantId, { type: 'raiseHand' }, re);
      case 'lower-hand':
        return rooms.command(roomId, participantId, { type: 'lowerHand' }, re);
      case 'approve':
      case 'deny':
      case 'kick':
        return rooms.command(roomId, participantId, { type: message.type, target: message.target }, re);
      case 'end':
        return rooms.command(roomId, participantId, { type: 'end' }, re);
      case 'chat':
        return rooms.command(roomId, participantId, { type: 'addChild', text: message.text }, re);
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
    const input = 'ticket' in message ? await this.ticketJoin(message) : await this.tokenJoin(message);
    this.deps.state.checkJoin(this.deps.rooms.has(input.roomId));
    const participantId = await this.deps.rooms.join(input, this, re);
    if (this.closed) {
      // The connection went away while joining.
      await this.deps.rooms.leave(input.roomId, participantId).catch(() => undefined);
      return;
    }
    this.joined = { roomId: input.roomId, participantId };
    this.clearJoinTimer();
    this.deps.state.refresh();
    this.deps.onJoined?.(performance.now() - started);
  }

  private async ticketJoin(message: Extract<ClientMessage, { ticket: string }>): Promise<JoinInput> {
    const ticket = await this.deps.tickets.verify(message.ticket);
    const displayName = message.displayName ?? ticket.displayName;
    return {
      roomId: ticket.conferenceId,
      identity: ticket.identity,
      ticketId: ticket.ticketId,
      ...(displayName !== undefined ? { displayName } : {}),
      ...(ticket.role !== undefined ? { role: ticket.role } : {}),
      ...(ticket.roomType !== undefined ? { roomType: ticket.roomType } : {}),
    };
  }

  /**
   * A join with a user access token: the room must exist here (reserved or running), and the token's
   * identity must be its owner (creator) or in its `allowed` list, unless the room is public (any
   * authenticated identity may join it). The role follows the room rules as for tickets (no `role`
   * claim): the owner publishes, others view (both sides publish in p2p).
   */
  private async tokenJoin(message: Extract<ClientMessage, { accessToken: string }>): Promise<JoinInput> {
    const token = await this.deps.accessTokens.verify(message.accessToken);
    const access = this.deps.rooms.access(message.roomId);
    if (!access) {
      throw this.deps.rooms.hasEnded(message.roomId)
        ? new CashError(RoomErrorCode.ROOM_ENDED, 'The room has ended')
        : new CashError(CashErrorCode.RoomNotFound, `room ${message.roomId} does not exist on this CoreMX`);
    }
    const owner = access.creator === token.identity;
    if (!access.public && !owner && !(access.allowed ?? []).includes(token.identity)) {
      throw new CashError(
        CashErrorCode.NotEntitled,
        `${token.identity} may not join room ${message.roomId} (not its owner nor allowed); ask the registry for a join ticket`,
      );
    }
    const displayName = message.displayName ?? token.displayName;
    return {
      roomId: message.roomId,
      identity: token.identity,
      ticketId: token.tokenId,
      ...(displayName !== undefined ? { displayName } : {}),
      mustExist: true,
    };
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
