import { SdkError, SdkErrorCode } from './sdk-error-codes';

/** The events the SDK reads from a socket (a browser `Event`/`MessageEvent`/`CloseEvent` or `ws`'s fit). */
export interface WebSocketEventLike {
  /** `open`, `message`, `close` or `error`. */
  type: string;
  /** `message`: the frame (a string for text frames). */
  data?: unknown;
  /** `close`: the close code (1006 when the connection dropped). */
  code?: number;
  /** `close`: the reason text. */
  reason?: string;
  /** `error`: a description, when the runtime gives one. */
  message?: string;
}

/** The part of a WebSocket the SDK uses: the browser's `WebSocket` and the `ws` package's both fit. */
export interface WebSocketInstanceLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(
    type: 'open' | 'message' | 'close' | 'error',
    listener: (event: WebSocketEventLike) => void,
  ): void;
}

/** A WebSocket class: the global `WebSocket` in browsers; in Node pass `ws`'s `WebSocket`. */
export type WebSocketLike = new (url: string) => WebSocketInstanceLike;

/** `readyState` values of the WebSocket standard. */
export const WS_OPEN = 1;

/** The global WebSocket class, or an `sdk.options-invalid` error telling the caller to pass one. */
export function globalWebSocket(): WebSocketLike {
  const ws = (globalThis as { WebSocket?: unknown }).WebSocket;
  if (typeof ws !== 'function') {
    throw new SdkError(
      SdkErrorCode.OptionsInvalid,
      "no global WebSocket in this runtime: pass options.WebSocket (in Node, the 'ws' package's WebSocket)",
    );
  }
  return ws as WebSocketLike;
}
