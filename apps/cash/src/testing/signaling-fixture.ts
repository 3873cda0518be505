import { RevocationSet, StaticKeySource, TokenVerifier } from '@hoot/auth-kit';
import { signTestToken, testKeyPair } from '@hoot/auth-kit/testing';
import { CoreMxStateService } from '../coremx/coremx-state';
import type { ServerMessage } from '@hoot/contracts';
import {
  ConnectionLimiter,
  IdentityLimits,
  SIGNALING_LIMIT_DEFAULTS,
  type SignalingLimitsConfig,
} from '../signaling/signaling-limits';
import type { RoomManagerOptions } from '../rooms/room-manager';
import { SignalingSession, type SocketLike } from '../signaling/signaling.session';
import { AccessTokenVerifier } from '../tickets/access-token.verifier';
import { JoinTicketVerifier, ticketAudience } from '../tickets/join-ticket.verifier';
import { UsedTickets } from '../tickets/used-tickets';
import { TEST_COREMX_ID, roomFixture, type RoomFixture } from './room-fixture';

export const TEST_ISSUER = 'https://auth.unit.test';
/** Audience of user access tokens in unit specs (`AUTH_AUDIENCE`'s default). */
export const TEST_USER_AUDIENCE = 'hoot';

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
  /** The revocations both verifiers consult (what the revocation feed fills in production). */
  revocations: RevocationSet;
  /** Join tickets used (shared by the fixture's connections, as the gateway shares them). */
  usedTickets: UsedTickets;
  /** Per-identity rate limits shared by the fixture's connections. */
  identities: IdentityLimits;
  /** A user access token like the auth service's (claims overridable; `jti` is `at-<identity>-<n>`). */
  accessToken(identity: string, claims?: Record<string, unknown>, audience?: string): string;
  /** A join ticket signed like the registry's (claims overridable). */
  ticket(conferenceId: string, identity: string, claims?: Record<string, unknown>, audience?: string): string;
  /** A session on a recording socket; `send` passes a message object as a text frame. */
  connect(): { socket: RecordingSocket; session: SignalingSession; send(message: object): Promise<void> };
}

export function signalingFixture(
  options: {
    capacityRooms?: number;
    capacityParticipants?: number;
    limits?: Partial<SignalingLimitsConfig>;
    /** Room manager options (a logger, reconnect grace, ICE bounds). */
    rooms?: Partial<RoomManagerOptions>;
  } = {},
): SignalingFixture {
  const base = roomFixture(options.rooms);
  const pair = testKeyPair('cash-unit-k1');
  const revocations = new RevocationSet();
  const keys = new StaticKeySource(new Map([[pair.kid, pair.publicKey]]));
  const verifier = (audience: string) =>
    new TokenVerifier({ issuer: TEST_ISSUER, audiences: [audience], keys, revocations, clock: base.clock });
  const tickets = new JoinTicketVerifier(verifier(ticketAudience(TEST_COREMX_ID)));
  const accessTokens = new AccessTokenVerifier(verifier(TEST_USER_AUDIENCE));
  const state = new CoreMxStateService({
    highWatermark: 0.85,
    lowWatermark: 0.7,
    capacityRooms: options.capacityRooms ?? 100,
    capacityParticipants: options.capacityParticipants ?? 1000,
    retryAfterS: 7,
    counts: () => base.rooms.counts(),
    events: base.events,
  });
  const limits: SignalingLimitsConfig = { ...SIGNALING_LIMIT_DEFAULTS, ...options.limits };
  const usedTickets = new UsedTickets();
  const identities = new IdentityLimits(limits, base.clock);
  let n = 0;
  return {
    ...base,
    state,
    tickets,
    revocations,
    usedTickets,
    identities,
    accessToken: (identity, claims = {}, audience = TEST_USER_AUDIENCE) =>
      signTestToken(pair, {
        issuer: TEST_ISSUER,
        audience,
        subject: identity,
        nowMs: base.clock.now(),
        ttlSeconds: 900,
        claims: { name: `${identity} (account)`, jti: `at-${identity}-${++n}`, kind: 'user', ...claims },
      }),
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
        accessTokens,
        state,
        clock: base.clock,
        joinTimeoutMs: 10_000,
        maxMessageBytes: 256 * 1024,
        usedTickets,
        limiter: new ConnectionLimiter(limits, base.clock, identities),
      });
      return { socket, session, send: (message) => session.receive(JSON.stringify(message)) };
    },
  };
}
