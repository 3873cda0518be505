import { systemClock, type Clock, type TimerHandle } from '@hoot/domain';
import { Emitter } from './emitter';
import { SdkErrorCode } from './sdk-error-codes';
import {
  isServerPush,
  SignalingCloseCode,
  type ClientSignal,
  type ServerPush,
  type ServerSignal,
  type SignalAnswerOf,
} from '@hoot/contracts';
import { WS_OPEN, type WebSocketInstanceLike, type WebSocketLike } from './web-socket';

/** Tunables of `SignalingClient`, each with its reason. */
export const SIGNALING_DEFAULTS = {
  /** Opening a WebSocket to a CoreMX takes one round trip or two; 10 s means it is unreachable. */
  connectTimeoutMs: 10_000,
  /**
   * Deadline of one request. CASH answers room commands in milliseconds, but a publish or subscribe
   * waits for the media server to negotiate SDP; 15 s covers a slow one without hanging forever.
   */
  requestTimeoutMs: 15_000,
} as const;

/**
 * A signaling request failed: a refusal by CASH (its stable `code`, e.g. `NOT_OWNER`, `ROOM_FULL`,
 * `TICKET_EXPIRED`, with `retryAfterS` when it says when to retry), or an SDK-side failure coded
 * `sdk.signaling-*`. A refusal changed nothing on the server.
 */
export class SignalingError extends Error {
  override readonly name: string = 'SignalingError';

  constructor(
    readonly code: string,
    message: string,
    readonly retryAfterS?: number,
  ) {
    super(message);
  }
}

export interface SignalingClientOptions {
  clock?: Clock;
  connectTimeoutMs?: number;
  requestTimeoutMs?: number;
}

/** Why and how the connection closed. */
export interface SignalingClose {
  code: number;
  reason: string;
  /** True when this client called `close`. */
  byClient: boolean;
}

/** Server pushes by type, plus `close` and `error` (a refusal no request waits for, or an unreadable frame). */
export type SignalingEvents = { [K in ServerPush['type']]: Extract<ServerPush, { type: K }> } & {
  close: SignalingClose;
  error: SignalingError;
};

interface Pending {
  type: ClientSignal['type'];
  resolve: (answer: never) => void;
  reject: (error: SignalingError) => void;
  timer: TimerHandle;
}

/**
 * One signaling connection to a CoreMX. `request` sends a message with a fresh `id` and resolves with
 * the answer whose `re` matches (rejects with `SignalingError` on a refusal, a timeout, or the connection
 * closing first). Server pushes are emitted as typed events named after their `type`; `close` tells how
 * the connection ended (4000 room ended, 4003 kicked, 4008 join timeout, 1000 left).
 */
export class SignalingClient extends Emitter<SignalingEvents> {
  private readonly pending = new Map<string, Pending>();
  private nextId = 1;
  private closedInfo: SignalingClose | undefined;
  private closing = false;
  private readonly clock: Clock;
  private readonly requestTimeoutMs: number;

  private constructor(
    private readonly socket: WebSocketInstanceLike,
    readonly url: string,
    options: SignalingClientOptions,
  ) {
    super();
    this.clock = options.clock ?? systemClock;
    this.requestTimeoutMs = options.requestTimeoutMs ?? SIGNALING_DEFAULTS.requestTimeoutMs;
  }

  /**
   * Opens a connection; resolves once it is open. Rejects with `sdk.signaling-connect-failed` when the
   * socket cannot be made, closes or errs before opening, or does not open within `connectTimeoutMs`.
   */
  static open(
    url: string,
    WebSocketCtor: WebSocketLike,
    options: SignalingClientOptions = {},
  ): Promise<SignalingClient> {
    const clock = options.clock ?? systemClock;
    const failed = (why: string) =>
      new SignalingError(SdkErrorCode.SignalingConnectFailed, `signaling ${url}: ${why}`);
    return new Promise((resolve, reject) => {
      let socket: WebSocketInstanceLike;
      try {
        socket = new WebSocketCtor(url);
      } catch (error) {
        reject(failed(error instanceof Error ? error.message : String(error)));
        return;
      }
      const client = new SignalingClient(socket, url, options);
      let settled = false;
      const settle = (error?: SignalingError) => {
        if (settled) return;
        settled = true;
        clock.clearTimeout(timer);
        if (error) {
          client.closing = true;
          try {
            socket.close();
          } catch {
            // Closing a socket that never opened may throw in some runtimes.
          }
          reject(error);
        } else resolve(client);
      };
      const timer = clock.setTimeout(
        () =>
          settle(
            failed(`not open within ${options.connectTimeoutMs ?? SIGNALING_DEFAULTS.connectTimeoutMs} ms`),
          ),
        options.connectTimeoutMs ?? SIGNALING_DEFAULTS.connectTimeoutMs,
      );
      socket.addEventListener('open', () => settle());
      socket.addEventListener('error', (event) => {
        if (!settled) settle(failed(event.message ?? 'connection error'));
        else
          client.emit(
            'error',
            new SignalingError(SdkErrorCode.SignalingClosed, event.message ?? 'socket error'),
          );
      });
      socket.addEventListener('close', (event) => {
        if (!settled) settle(failed(`closed before opening (${event.code ?? 1006})`));
        client.onClose(event.code ?? SignalingCloseCode.Abnormal, event.reason ?? '');
      });
      socket.addEventListener('message', (event) => client.onFrame(event.data));
    });
  }

  /** True while the connection is open. */
  get isOpen(): boolean {
    return this.closedInfo === undefined && this.socket.readyState === WS_OPEN;
  }

  /** How the connection closed (undefined while open). */
  get closed(): SignalingClose | undefined {
    return this.closedInfo;
  }

  /** Sends a message and waits for its answer (matched by `re`). */
  request<M extends ClientSignal>(message: M): Promise<SignalAnswerOf[M['type']]> {
    if (!this.isOpen || this.closing) {
      return Promise.reject(
        new SignalingError(
          SdkErrorCode.SignalingClosed,
          `${message.type}: the signaling connection is closed`,
        ),
      );
    }
    const id = String(this.nextId++);
    return new Promise((resolve, reject) => {
      const timer = this.clock.setTimeout(() => {
        this.pending.delete(id);
        reject(
          new SignalingError(
            SdkErrorCode.SignalingTimeout,
            `${message.type}: no answer within ${this.requestTimeoutMs} ms`,
          ),
        );
      }, this.requestTimeoutMs);
      this.pending.set(id, { type: message.type, resolve: resolve as (a: never) => void, reject, timer });
      try {
        this.socket.send(JSON.stringify({ ...message, id }));
      } catch (error) {
        this.settle(id)?.reject(
          new SignalingError(
            SdkErrorCode.SignalingClosed,
            `${message.type}: ${error instanceof Error ? error.message : String(error)}`,
          ),
        );
      }
    });
  }

  /** Closes the connection (default 1000). Pending requests reject with `sdk.signaling-closed`. */
  close(code: number = 1000, reason = 'client closed'): void {
    if (this.closing || this.closedInfo) return;
    this.closing = true;
    try {
      this.socket.close(code, reason);
    } catch {
      this.onClose(code, reason);
    }
  }

  private settle(id: string): Pending | undefined {
    const p = this.pending.get(id);
    if (!p) return undefined;
    this.pending.delete(id);
    this.clock.clearTimeout(p.timer);
    return p;
  }

  private onFrame(data: unknown): void {
    let message: ServerSignal;
    try {
      message = JSON.parse(String(data)) as ServerSignal;
      if (typeof message !== 'object' || message === null || typeof message.type !== 'string') {
        throw new Error('not a message object');
      }
    } catch {
      this.emit(
        'error',
        new SignalingError(SdkErrorCode.AnswerInvalid, 'an unreadable frame from the server'),
      );
      return;
    }
    if (isServerPush(message)) {
      this.emit(message.type, message as never);
      return;
    }
    const re = 're' in message ? message.re : undefined;
    const pending = re === undefined ? undefined : this.settle(re);
    if (message.type === 'error') {
      const error = new SignalingError(message.code, message.message, message.retryAfterS);
      if (pending) pending.reject(error);
      else this.emit('error', error);
      return;
    }
    pending?.resolve(message as never);
  }

  private onClose(code: number, reason: string): void {
    if (this.closedInfo) return;
    this.closedInfo = { code, reason, byClient: this.closing };
    for (const id of [...this.pending.keys()]) {
      const p = this.settle(id);
      p?.reject(
        new SignalingError(
          SdkErrorCode.SignalingClosed,
          `${p.type}: the signaling connection closed (${code}${reason ? ` ${reason}` : ''})`,
        ),
      );
    }
    this.emit('close', this.closedInfo);
  }
}
