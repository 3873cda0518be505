import WebSocket from 'ws';
import { eventually } from '@hoot/testing';

/** A server message as the spec reads it (the protocol's `ServerMessage`, loosely typed). */
export type Inbound = { type: string; re?: string; code?: string } & Record<string, unknown>;

/** A participant's signaling socket: everything received is kept in `inbox`. */
export class SignalingClient {
  readonly inbox: Inbound[] = [];
  closeCode: number | undefined;
  private n = 0;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => this.inbox.push(JSON.parse(String(data)) as Inbound));
    ws.on('close', (code) => (this.closeCode = code));
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
    return eventually(
      () => {
        const answer = this.inbox.find((m) => m.re === id);
        if (!answer) throw new Error(`no answer to ${String(message.type)} (${id}) yet`);
        return answer;
      },
      { timeoutMs },
    );
  }

  /** Waits until a message of this type (and matching `where`) arrived; returns it. */
  async next(type: string, where: (m: Inbound) => boolean = () => true): Promise<Inbound> {
    return eventually(() => {
      const found = this.inbox.find((m) => m.type === type && where(m));
      if (!found) throw new Error(`no ${type} message yet`);
      return found;
    });
  }

  ofType(type: string): Inbound[] {
    return this.inbox.filter((m) => m.type === type);
  }

  terminate(): void {
    this.ws.terminate();
  }
}
