import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { SignalingCloseCode, type ServerMessage } from '@hoot/contracts';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { WebSocketServer, type WebSocket } from 'ws';
import { CASH_CONFIG, CASH_INFRASTRUCTURE, COREMX_STATE, JOIN_TICKETS, ROOM_MANAGER } from '../cash.tokens';
import type { CashInfrastructure } from '../cash-infrastructure';
import { CashErrorCode } from '../cash-error';
import { signalingLimitsOf, type CashConfig } from '../config/cash.config';
import type { CoreMxStateService } from '../coremx/coremx-state';
import { CashMetrics } from '../health/cash.metrics';
import type { RoomManager } from '../rooms/room-manager';
import { AccessTokenVerifier } from '../tickets/access-token.verifier';
import type { JoinTicketVerifier } from '../tickets/join-ticket.verifier';
import { UsedTickets } from '../tickets/used-tickets';
import { Keepalive } from './keepalive';
import { RevocationWatch } from './revocation-watch';
import {
  ConnectionLimiter,
  IdentityLimits,
  UnjoinedSockets,
  type SignalingLimitsConfig,
} from './signaling-limits';
import { RATE_LIMITED_CLOSE_CODE, SignalingSession } from './signaling.session';

/** Path of the signaling WebSocket. */
export const SIGNAL_PATH = '/signal';

/**
 * The signaling WebSocket on the service's HTTP server (`/signal`): one `SignalingSession` per connection.
 * Frames above twice the message limit close the connection (1009); smaller oversized ones get an error.
 * Holds what connections share: used join tickets, per-identity rate limits, the count of connections
 * not joined yet per remote address (the socket's own address: forwarded headers are not trusted here),
 * and the revocation watch that closes sessions whose credentials were revoked.
 */
@Injectable()
export class SignalingGateway implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SignalingGateway.name);
  private wss: WebSocketServer | undefined;
  private server: Server | undefined;
  private readonly sessions = new Set<SignalingSession>();
  private readonly usedTickets = new UsedTickets();
  private readonly limits: SignalingLimitsConfig;
  private readonly identities: IdentityLimits;
  private readonly unjoined: UnjoinedSockets;
  private readonly revocationWatch: RevocationWatch | undefined;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(CASH_CONFIG) private readonly config: CashConfig,
    @Inject(CASH_INFRASTRUCTURE) private readonly infra: CashInfrastructure,
    @Inject(ROOM_MANAGER) private readonly rooms: RoomManager,
    @Inject(COREMX_STATE) private readonly state: CoreMxStateService,
    @Inject(JOIN_TICKETS) private readonly tickets: JoinTicketVerifier,
    private readonly metrics: CashMetrics,
  ) {
    this.limits = signalingLimitsOf(config);
    this.identities = new IdentityLimits(this.limits, infra.clock);
    this.unjoined = new UnjoinedSockets(this.limits.unjoinedPerAddress);
    this.revocationWatch = new RevocationWatch({
      clock: infra.clock,
      intervalMs: config.REVOCATION_CHECK_INTERVAL_MS,
      revocations: infra.revocations,
      sessions: () => this.sessions,
    });
  }

  onApplicationBootstrap(): void {
    this.revocationWatch?.start();
    this.server = this.adapterHost.httpAdapter.getHttpServer() as Server;
    this.wss = new WebSocketServer({ noServer: true, maxPayload: this.config.SIGNAL_MAX_MESSAGE_BYTES * 2 });
    this.server.on('upgrade', this.onUpgrade);
    this.wss.on('connection', (socket: WebSocket, request: IncomingMessage) => this.accept(socket, request));
  }

  /** Connections open now. */
  get connections(): number {
    return this.sessions.size;
  }

  /** After the drain (which runs before shutdown): close what is left. */
  async onApplicationShutdown(): Promise<void> {
    this.revocationWatch?.stop();
    this.server?.off('upgrade', this.onUpgrade);
    for (const client of this.wss?.clients ?? [])
      client.close(SignalingCloseCode.GoingAway, 'server shutting down');
    await new Promise<void>((resolve) => (this.wss ? this.wss.close(() => resolve()) : resolve()));
  }

  private readonly onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const path = (request.url ?? '').split('?')[0];
    if (path !== SIGNAL_PATH || !this.wss) {
      socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    const wss = this.wss;
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
  };

  private accept(socket: WebSocket, request: IncomingMessage): void {
    const address = request.socket.remoteAddress ?? 'unknown';
    if (!this.unjoined.tryAdd(address)) {
      this.metrics.signalingErrors.inc({ code: CashErrorCode.TooManyConnections });
      socket.send(
        JSON.stringify({
          type: 'error',
          code: CashErrorCode.TooManyConnections,
          message: `too many connections from your address have not joined yet (at most ${this.limits.unjoinedPerAddress}): join on the ones you have, or close them`,
        } satisfies ServerMessage),
      );
      socket.close(RATE_LIMITED_CLOSE_CODE, 'too many unjoined connections');
      return;
    }
    let counted = true;
    const uncount = () => {
      if (counted) this.unjoined.remove(address);
      counted = false;
    };
    const session = new SignalingSession(
      {
        send: (text) => socket.send(text),
        close: (code, reason) => socket.close(code, reason),
      },
      {
        rooms: this.rooms,
        tickets: this.tickets,
        accessTokens: new AccessTokenVerifier(this.infra.userVerifier),
        state: this.state,
        clock: this.infra.clock,
        joinTimeoutMs: this.config.SIGNAL_JOIN_TIMEOUT_MS,
        maxMessageBytes: this.config.SIGNAL_MAX_MESSAGE_BYTES,
        usedTickets: this.usedTickets,
        limiter: new ConnectionLimiter(this.limits, this.infra.clock, this.identities),
        logger: this.logger,
        onError: (code) => this.metrics.signalingErrors.inc({ code }),
        onJoined: (ms) => {
          uncount();
          this.metrics.joinDuration.observe(ms / 1000);
        },
      },
    );
    this.sessions.add(session);
    const keepalive = new Keepalive({
      clock: this.infra.clock,
      intervalMs: this.config.SIGNAL_PING_INTERVAL_MS,
      missedMax: this.config.SIGNAL_PING_MISSED_MAX,
      ping: () => socket.ping(),
      dead: () => {
        this.logger.warn(
          { ...session.participant, missedPongs: this.config.SIGNAL_PING_MISSED_MAX },
          'signaling peer stopped answering pings: connection terminated',
        );
        socket.terminate();
      },
    });
    keepalive.start();
    socket.on('pong', () => keepalive.alive());
    socket.on('message', (data, isBinary) => {
      keepalive.alive();
      const bytes = Array.isArray(data)
        ? Buffer.concat(data)
        : Buffer.isBuffer(data)
          ? data
          : Buffer.from(data);
      void session.receive(bytes, isBinary);
    });
    socket.on('close', () => {
      keepalive.stop();
      uncount();
      this.sessions.delete(session);
      void session.disconnected().then(() => this.state.refresh());
    });
    socket.on('error', (error) => this.logger.warn({ err: error }, 'signaling socket error'));
  }
}
