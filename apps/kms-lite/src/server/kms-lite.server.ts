import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { systemClock, type Clock } from '@hoot/domain';
import type { Logger } from 'pino';
import { WebSocket, WebSocketServer } from 'ws';
import type { MediaEngine } from '../engine/media-engine';
import { handleAdminRequest } from '../fault/admin.http';
import { FaultController } from '../fault/fault-controller';
import { VERSION } from '../logging/logger';
import { MediaSet } from '../objects/media-set';
import { KurentoRpcHandler } from './kurento-rpc.handler';
import { processLoad } from './process-load';
import { SessionRegistry, type RpcConnection } from './session-registry';

export const KURENTO_PATH = '/kurento';

export interface KmsLiteServerOptions {
  host: string;
  port: number;
  /** The fault controller's admin endpoint; off unless set. */
  admin?: { host: string; port: number };
  engine: MediaEngine;
  sessionGraceMs: number;
  metadata?: string;
  logger: Logger;
  clock?: Clock;
}

interface Client extends RpcConnection {
  socket: WebSocket;
}

/**
 * kms-lite's network face: JSON-RPC over WebSocket at /kurento (other paths are refused, as KMS does),
 * health routes on the same port, and the optional admin endpoint for fault injection.
 */
export class KmsLiteServer {
  readonly faults = new FaultController();
  private instance = randomUUID();
  private mediaSetRef: MediaSet;
  private sessionsRef: SessionRegistry;
  private readonly clock: Clock;
  private readonly http: Server;
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 * 1024 });
  private admin?: Server;
  private readonly clients = new Set<Client>();
  private nextClientId = 1;
  private downUntil = 0;
  private readonly handler: KurentoRpcHandler;

  constructor(private readonly options: KmsLiteServerOptions) {
    this.clock = options.clock ?? systemClock;
    this.mediaSetRef = this.newMediaSet();
    this.sessionsRef = this.newSessions();
    this.handler = new KurentoRpcHandler({
      mediaSet: () => this.mediaSetRef,
      sessions: () => this.sessionsRef,
      faults: this.faults,
      instanceId: () => this.instance,
      logger: options.logger,
    });
    this.http = createServer((req, res) => this.onHttp(req, res));
    this.http.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) =>
      this.onUpgrade(req, socket, head),
    );
  }

  get instanceId(): string {
    return this.instance;
  }

  get mediaSet(): MediaSet {
    return this.mediaSetRef;
  }

  get connectionCount(): number {
    return this.clients.size;
  }

  private newMediaSet(): MediaSet {
    const mediaSet = new MediaSet({
      clock: this.clock,
      engine: this.options.engine,
      load: processLoad(this.faults),
      serverVersion: VERSION,
      metadata: this.options.metadata,
    });
    mediaSet.onEvent = (sessionId, notification) =>
      this.sessionsRef.connectionOf(sessionId)?.send(notification);
    return mediaSet;
  }

  private newSessions(): SessionRegistry {
    return new SessionRegistry(this.clock, this.options.sessionGraceMs, async (sessionId) => {
      this.options.logger.info({ sessionId }, 'session collected after its client went away');
      await this.mediaSetRef.collectSession(sessionId);
    });
  }

  /** Listens; resolves to the address and port actually bound (and the admin endpoint's port). */
  async start(): Promise<{ host: string; port: number; adminPort?: number }> {
    const { address: host, port } = await listen(this.http, this.options.host, this.options.port);
    let adminPort: number | undefined;
    if (this.options.admin) {
      this.admin = createServer((req, res) => void handleAdminRequest(this, req, res, this.options.logger));
      adminPort = (await listen(this.admin, this.options.admin.host, this.options.admin.port)).port;
    }
    return { host, port, adminPort };
  }

  private onHttp(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && (path === '/health/live' || path === '/health/ready')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'ok', serverId: this.instance, engine: this.options.engine.name }));
      return;
    }
    res.writeHead(404, { 'content-type': 'application/problem+json' });
    res.end(JSON.stringify({ type: 'about:blank', title: 'Not Found', status: 404, code: 'NOT_FOUND' }));
  }

  private onUpgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== KURENTO_PATH || this.clock.now() < this.downUntil) {
      socket.destroy();
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onSocket(ws));
  }

  private onSocket(socket: WebSocket): void {
    const client: Client = {
      id: this.nextClientId++,
      socket,
      send: (message) => {
        if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
      },
    };
    this.clients.add(client);
    const sessions = this.sessionsRef;
    this.options.logger.debug({ client: client.id }, 'client connected');
    socket.on('message', (data, isBinary) => {
      if (isBinary) return;
      void this.handler.handle(client, data.toString('utf8')).then((reply) => reply && client.send(reply));
    });
    socket.on('close', () => {
      this.clients.delete(client);
      // A restart replaced the registry: the old one no longer matters.
      if (sessions === this.sessionsRef) sessions.disconnected(client);
      this.options.logger.debug({ client: client.id, sessionId: client.sessionId }, 'client disconnected');
    });
    socket.on('error', (error) =>
      this.options.logger.warn({ client: client.id, err: error.message }, 'socket error'),
    );
  }

  /** Fault: closes every client socket abruptly (sessions survive for their grace period). */
  dropConnections(): number {
    const count = this.clients.size;
    for (const client of this.clients) client.socket.terminate();
    this.options.logger.warn({ count }, 'fault: dropped all connections');
    return count;
  }

  /** Fault: behaves like a KMS restart — new identity, every object and session gone, sockets dropped. */
  async restart(downMs = 0): Promise<string> {
    this.downUntil = this.clock.now() + downMs;
    const old = this.sessionsRef;
    this.sessionsRef = this.newSessions();
    old.clear();
    for (const client of this.clients) client.socket.terminate();
    const previous = this.mediaSetRef;
    this.mediaSetRef = this.newMediaSet();
    this.instance = randomUUID();
    await previous.releaseAll();
    this.options.logger.warn({ serverId: this.instance, downMs }, 'fault: restarted with a new identity');
    return this.instance;
  }

  async stop(): Promise<void> {
    for (const client of this.clients) client.socket.terminate();
    this.sessionsRef.clear();
    await this.mediaSetRef.releaseAll();
    await Promise.all([close(this.http), this.admin ? close(this.admin) : Promise.resolve()]);
    await this.options.engine.close();
  }
}

function listen(server: Server, host: string, port: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}
