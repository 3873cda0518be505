import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
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
import type { CashConfig } from '../config/cash.config';
import type { CoreMxStateService } from '../coremx/coremx-state';
import { CashMetrics } from '../health/cash.metrics';
import type { RoomManager } from '../rooms/room-manager';
import { AccessTokenVerifier } from '../tickets/access-token.verifier';
import type { JoinTicketVerifier } from '../tickets/join-ticket.verifier';
import { SignalingSession } from './signaling.session';

/** Path of the signaling WebSocket. */
export const SIGNAL_PATH = '/signal';

/**
 * The signaling WebSocket on the service's HTTP server (`/signal`): one `SignalingSession` per connection.
 * Frames above twice the message limit close the connection (1009); smaller oversized ones get an error.
 */
@Injectable()
export class SignalingGateway implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SignalingGateway.name);
  private wss: WebSocketServer | undefined;
  private server: Server | undefined;
  private readonly sessions = new Set<SignalingSession>();

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(CASH_CONFIG) private readonly config: CashConfig,
    @Inject(CASH_INFRASTRUCTURE) private readonly infra: CashInfrastructure,
    @Inject(ROOM_MANAGER) private readonly rooms: RoomManager,
    @Inject(COREMX_STATE) private readonly state: CoreMxStateService,
    @Inject(JOIN_TICKETS) private readonly tickets: JoinTicketVerifier,
    private readonly metrics: CashMetrics,
  ) {}

  onApplicationBootstrap(): void {
    this.server = this.adapterHost.httpAdapter.getHttpServer() as Server;
    this.wss = new WebSocketServer({ noServer: true, maxPayload: this.config.SIGNAL_MAX_MESSAGE_BYTES * 2 });
    this.server.on('upgrade', this.onUpgrade);
    this.wss.on('connection', (socket: WebSocket) => this.accept(socket));
  }

  /** Connections open now. */
  get connections(): number {
    return this.sessions.size;
  }

  /** After the drain (which runs before shutdown): close what is left. */
  async onApplicationShutdown(): Promise<void> {
    this.server?.off('upgrade', this.onUpgrade);
    for (const client of this.wss?.clients ?? []) client.close(1001, 'server shutting down');
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

  private accept(socket: WebSocket): void {
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
        logger: this.logger,
        onError: (code) => this.metrics.signalingErrors.inc({ code }),
        onJoined: (ms) => this.metrics.joinDuration.observe(ms / 1000),
      },
    );
    this.sessions.add(session);
    socket.on('message', (data, isBinary) => {
      const bytes = Array.isArray(data)
        ? Buffer.concat(data)
        : Buffer.isBuffer(data)
          ? data
          : Buffer.from(data);
      void session.receive(bytes, isBinary);
    });
    socket.on('close', () => {
      this.sessions.delete(session);
      void session.disconnected().then(() => this.state.refresh());
    });
    socket.on('error', (error) => this.logger.warn({ err: error }, 'signaling socket error'));
  }
}
