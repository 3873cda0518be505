import { StaticKeySource, TokenVerifier } from '@hoot/auth-kit';
import { signTestToken, testKeyPair } from '@hoot/auth-kit/testing';
import { CoreMxStateService } from '../coremx/coremx-state';
import type { ServerMessage } from '../signaling/signaling-protocol';
import { SignalingSession, type SocketLike } from '../signaling/signaling.session';
import { JoinTicketVerifier, ticketAudience } from '../tickets/join-ticket.verifier';
import { TEST_COREMX_ID, roomFixture, type RoomFixture } from './room-fixture';

export const TEST_ISSUER = 'https://auth.unit.test';

/** A socket that records what the session sends. */
export class RecordingSocket implements SocketLike {
  readonly sent: ServerMessage[] = [];
  closedWith: { code: number; reason: string } | undefined;

  send(text: string): void {
    this.sent.push(JSON.parse(text) as ServerMessage);
  }

  close(code: number, reason: string): void {
    this.closedWith = { code, reason };
  }

  last(): ServerMessage | undefined {
    return this.sent[this.sent.length - 1];
  }

  ofType<T extends ServerMessage['type']>(type: T): Extract<ServerMessage, { type: T }>[] {
    return this.sent.filter((m): m is Extract<ServerMessage, { type: T }> => m.type === type);
  }
}

export interface SignalingFixture extends RoomFixture {
  state: CoreMxStateService;
  tickets: JoinTicketVerifier;
  /** A join ticket signed like the registry's (claims overridable). */
  ticket(conferenceId: string, identity: string, claims?: Record<string, unknown>, audience?: string): string;
  /** A session on a recording socket; `send` passes a message object as a text frame. */
  connect(): { socket: RecordingSocket; session: SignalingSession; send(message: object): Promise<void> };
}

export function signalingFixture(
  options: { capacityRooms?: number; capacityParticipants?: number } = {},
): SignalingFixture {
  const base = roomFixture();
  const pair = testKeyPair('cash-unit-k1');
  const verifier = new TokenVerifier({
    issuer: TEST_ISSUER,
    audiences: [ticketAudience(TEST_COREMX_ID)],
    keys: new StaticKeySource(new Map([[pair.kid, pair.publicKey]])),
    clock: base.clock,
  });
  const tickets = new JoinTicketVerifier(verifier);
  const state = new CoreMxStateService({
    highWatermark: 0.85,
    lowWatermark: 0.7,
    capacityRooms: options.capacityRooms ?? 100,
    capacityParticipants: options.capacityParticipants ?? 1000,
    retryAfterS: 7,
    counts: () => base.rooms.counts(),
    events: base.events,
  });
  let n = 0;
  return {
    ...base,
    state,
    tickets,
    ticket: (conferenceId, identity, claims = {}, audience = ticketAudience(TEST_COREMX_ID)) =>
      signTestToken(pair, {
        issuer: TEST_ISSUER,
        audience,
        subject: identity,
        nowMs: base.clock.now(),
        ttlSeconds: 120,
        claims: { cid: conferenceId, name: identity, jti: `ticket-${identity}-${++n}`, ...claims },
      }),
    connect: () => {
      const socket = new RecordingSocket();
      const session = new SignalingSession(socket, {
        rooms: base.rooms,
        tickets,
        state,
        clock: base.clock,
        joinTimeoutMs: 10_000,
        maxMessageBytes: 256 * 1024,
      });
      return { socket, session, send: (message) => session.receive(JSON.stringify(message)) };
    },
  };
}
