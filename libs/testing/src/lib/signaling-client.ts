import WebSocket from 'ws';

/** A server message as the spec reads it (the protocol's `ServerMessage`, loosely typed). */
export type Inbound = { type: string; re?: string; code?: string } & Record<string, unknown>;

interface Waiter {
  find: () => Inbound | undefined;
  resolve: (m: Inbound) => void;
}

/**
 * A participant's signaling socket: everything received is kept in `inbox`. Waits are woken by each
 * arriving message (no polling: the join benchmark times `request`, and a poll interval would be measured
 * as CASH latency).
 */
export class SignalingClient {
  readonly inbox: Inbound[] = [];
  closeCode: number | undefined;
  private n = 0;
  private readonly waiters = new Set<Waiter>();

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.inbox.push(JSON.parse(String(data)) as Inbound);
      for (const waiter of [...this.waiters]) {
        const found = waiter.find();
        if (found) {
          this.waiters.delete(waiter);
          waiter.resolve(found);
        }
      }
    });
    ws.on('close', (code) => (this.closeCode = code));
  }

  /** Resolves with the first inbox message `find` returns, now or when one arrives; fails after `timeoutMs`. */
  private waitFor(find: () => Inbound | undefined, timeoutMs: number, what: string): Promise<Inbound> {
    const found = find();
    if (found) return Promise.resolve(found);
    return new Promise<Inbound>((resolve, reject) => {
      const waiter: Waiter = {
        find,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  static async open(url: string): Promise<SignalingClient> {
    const ws = new WebSocket(url);
    const client = new SignalingClient(ws);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    return client;
  }

  /** Sends a raw text frame. */
  sendRaw(text: string): void {
    this.ws.send(text);
  }

  /** Sends a message with a fresh `id` and waits for the answer carrying it (`re`). */
  async request(message: Record<string, unknown>, timeoutMs = 15_000): Promise<Inbound> {
    this.n += 1;
    const id = `m${this.n}`;
    this.ws.send(JSON.stringify({ ...message, id }));
    return this.waitFor(
      () => this.inbox.find((m) => m.re === id),
      timeoutMs,
      `no answer to ${String(message.type)} (${id})`,
    );
  }

  /** Waits until a message of this type (and matching `where`) arrived; returns it. */
  async next(
    type: string,
    where: (m: Inbound) => boolean = () => true,
    timeoutMs = 15_000,
  ): Promise<Inbound> {
    return this.waitFor(
      () => this.inbox.find((m) => m.type === type && where(m)),
      timeoutMs,
      `no ${type} message`,
    );
  }

  ofType(type: string): Inbound[] {
    return this.inbox.filter((m) => m.type === type);
  }

  terminate(): void {
    this.ws.terminate();
  }
}
