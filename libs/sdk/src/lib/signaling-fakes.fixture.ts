import type { ParticipantView, RoomView } from '@hoot/domain';
import type { WebSocketEventLike, WebSocketInstanceLike, WebSocketLike } from './web-socket';

/** A message a fake socket received from the client (parsed JSON). */
export type Sent = { type: string; id?: string } & Record<string, unknown>;

type Handler = (socket: FakeSocket, message: Sent) => void;

/**
 * Fake WebSocket servers for the SDK's specs (no network): every `new WebSocket(url)` becomes a
 * `FakeSocket` that opens on the next microtask (unless its URL is refused or held), records what the
 * client sends, and lets the spec answer, push and close from the server side.
 */
export class FakeSignalingServers {
  readonly sockets: FakeSocket[] = [];
  private readonly refused = new Set<string>();
  private readonly held = new Set<string>();
  private readonly handlers = new Map<string, Handler>();

  /** The class to give the SDK. */
  readonly WebSocket: WebSocketLike;

  constructor() {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the class below needs its server
    const servers = this;
    this.WebSocket = class extends FakeSocket {
      constructor(url: string) {
        super(url, servers);
        servers.sockets.push(this);
        if (servers.refused.has(url)) queueMicrotask(() => this.serverClose(1006, ''));
        else if (!servers.held.has(url)) queueMicrotask(() => this.open());
      }
    };
  }

  /** Connections to `url` close before opening (connection refused). */
  refuse(url: string): this {
    this.refused.add(url);
    return this;
  }

  /** Connections to `url` stay connecting until the spec opens them. */
  hold(url: string): this {
    this.held.add(url);
    return this;
  }

  /** How the server at `url` answers each client message (default: nothing). */
  handle(url: string, handler: Handler): this {
    this.handlers.set(url, handler);
    return this;
  }

  handlerOf(url: string): Handler | undefined {
    return this.handlers.get(url);
  }

  /** Sockets opened to `url`. */
  to(url: string): FakeSocket[] {
    return this.sockets.filter((s) => s.url === url);
  }

  /** The newest socket. */
  last(): FakeSocket {
    const socket = this.sockets.at(-1);
    if (!socket) throw new Error('no socket was opened');
    return socket;
  }
}

export class FakeSocket implements WebSocketInstanceLike {
  readyState = 0;
  readonly sent: Sent[] = [];
  /** The close the client asked for. */
  closedByClient: { code: number | undefined; reason: string | undefined } | undefined;
  private readonly listeners = new Map<string, ((event: WebSocketEventLike) => void)[]>();

  constructor(
    readonly url: string,
    private readonly servers: FakeSignalingServers,
  ) {}

  addEventListener(type: string, listener: (event: WebSocketEventLike) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }

  send(data: string): void {
    if (this.readyState !== 1) throw new Error('WebSocket is not open');
    const message = JSON.parse(data) as Sent;
    this.sent.push(message);
    this.servers.handlerOf(this.url)?.(this, message);
  }

  close(code?: number, reason?: string): void {
    if (this.readyState >= 2) return;
    this.closedByClient = { code, reason };
    this.readyState = 2;
    queueMicrotask(() => this.finishClose(code ?? 1005, reason ?? ''));
  }

  // ---- server side ----

  open(): void {
    this.readyState = 1;
    this.fire('open', { type: 'open' });
  }

  /** The server sends a message. */
  push(message: object): void {
    if (this.readyState !== 1) return;
    this.fire('message', { type: 'message', data: JSON.stringify(message) });
  }

  /** The server sends a raw text frame. */
  pushRaw(data: string): void {
    this.fire('message', { type: 'message', data });
  }

  /** The server (or the network: 1006) closes the connection. */
  serverClose(code: number, reason = ''): void {
    if (this.readyState === 3) return;
    this.finishClose(code, reason);
  }

  /** The server answers a client message (echoes its `id` as `re`). */
  answer(to: Sent, message: object): void {
    this.push({ ...message, ...(to.id !== undefined ? { re: to.id } : {}) });
  }

  /** Messages the client sent of one type. */
  sentOf(type: string): Sent[] {
    return this.sent.filter((m) => m.type === type);
  }

  private finishClose(code: number, reason: string): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.fire('close', { type: 'close', code, reason });
  }

  private fire(type: string, event: WebSocketEventLike): void {
    for (const listener of this.listeners.get(type) ?? []) listener(event);
  }
}

/** A participant of a fake room view. */
export function participant(id: string, overrides: Partial<ParticipantView> = {}): ParticipantView {
  return {
    participantId: id,
    identity: `acc-${id}`,
    displayName: id,
    role: 'viewer',
    joinOrder: Number(id.replace(/\D/g, '') || 0),
    joinedAt: 1_000,
    handRaised: false,
    streams: [],
    ...overrides,
  };
}

/** A room view with these participants (the first is the owner unless `ownerId` says otherwise). */
export function roomView(participants: ParticipantView[], overrides: Partial<RoomView> = {}): RoomView {
  return {
    id: 'standup',
    type: 'm2m',
    status: 'active',
    version: 1,
    ownerId: participants[0]?.participantId ?? null,
    creator: participants[0]?.identity ?? null,
    participants: Object.fromEntries(participants.map((p) => [p.participantId, p])),
    children: [],
    ...overrides,
  };
}

/** Lets queued promise callbacks and microtasks run (no time passes). */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
