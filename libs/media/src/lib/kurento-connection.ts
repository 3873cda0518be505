import type { EventEmitter } from 'node:events';
import { MEDIA_DEFAULTS } from './media.defaults';

type KurentoClientFactory = ((
  url: string,
  options: Record<string, unknown>,
  callback: (error: Error | null | undefined, client: unknown) => void,
) => unknown) & { getComplexType(name: string): (value: Record<string, unknown>) => unknown };

// kurento-client ships no types: this module is the one place that loads it (lint keeps it so).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const kurentoClient = require('kurento-client') as KurentoClientFactory;

/** An error as kurento-client reports it: the server's Kurento code is kept. */
export interface KurentoCallError extends Error {
  code?: number;
  data?: { type?: string };
}

/** A kurento-client media object or client: an event emitter with callback-style methods. */
export type KurentoHandle = EventEmitter & { readonly id?: string; readonly sessionId?: string } & Record<
    string,
    unknown
  >;

export interface KurentoConnectOptions {
  /** Reconnection attempts before the client gives up (kurento-client's `failAfter`). */
  failAfter?: number;
  /** How long a request may wait for its reply. */
  requestTimeoutMs?: number;
  /** How long an answered request is remembered to drop a duplicate reply (`MEDIA_DEFAULTS.duplicateRepliesMs`). */
  duplicateRepliesMs?: number;
}

/**
 * kurento-client's options for `options`. `duplicates_timeout` is always set: kurento-client's default
 * (20 s) keeps so many answered requests that removing each costs a scan of thousands of keys.
 */
export function kurentoClientOptions(options: KurentoConnectOptions = {}): Record<string, unknown> {
  return {
    failAfter: options.failAfter ?? MEDIA_DEFAULTS.failAfter,
    duplicates_timeout: options.duplicateRepliesMs ?? MEDIA_DEFAULTS.duplicateRepliesMs,
    ...(options.requestTimeoutMs !== undefined && {
      request_timeout: options.requestTimeoutMs,
      response_timeout: options.requestTimeoutMs,
    }),
  };
}

/**
 * Opens an unmodified kurento-client 7.2.0 to `url`. Resolves once the client is connected and has
 * checked the server's modules (the client refuses servers without core, elements and filters).
 */
export function connectKurento(url: string, options: KurentoConnectOptions = {}): Promise<KurentoHandle> {
  return new Promise((resolve, reject) => {
    const real = kurentoClient(url, kurentoClientOptions(options), (error, client) => {
      if (error) return reject(error);
      // The callback hands over an "unthenable" copy of the client, which lacks the client's
      // non-enumerable parts (its socket); keep the real instance reachable from the copy.
      resolve(attachRealKurentoClient(client as KurentoHandle, real));
    }) as KurentoHandle;
  });
}

const REAL_CLIENT = Symbol('kurento-client instance');

/** Remembers on a client copy the KurentoClient instance it was made from. */
export function attachRealKurentoClient(copy: KurentoHandle, real: KurentoHandle): KurentoHandle {
  if (copy !== real) Object.defineProperty(copy, REAL_CLIENT, { value: real, enumerable: false });
  return copy;
}

/**
 * The KurentoClient instance behind a handle from `connectKurento` (events such as `reconnected`
 * and `disconnect` are emitted on it; its `_re` is the reconnecting socket). Other handles pass
 * through unchanged.
 */
export function realKurentoClient(handle: KurentoHandle): KurentoHandle {
  return ((handle as unknown as Record<symbol, KurentoHandle | undefined>)[REAL_CLIENT] ??
    handle) as KurentoHandle;
}

/**
 * Calls a kurento-client method in callback style and returns a promise of its result. The promise
 * style of kurento-client swallows some server errors; the callback always carries them (with `code`).
 */
export function callKurento<T = unknown>(
  target: KurentoHandle,
  method: string,
  ...args: unknown[]
): Promise<T> {
  const fn = target[method];
  if (typeof fn !== 'function')
    return Promise.reject(new TypeError(`kurento-client object has no method '${method}'`));
  return new Promise<T>((resolve, reject) => {
    (fn as (...a: unknown[]) => unknown).call(
      target,
      ...args,
      (error: KurentoCallError | null | undefined, result: T) => (error ? reject(error) : resolve(result)),
    );
  });
}

/** Closes a client (pending replies first, as kurento-client does). */
export function closeKurento(client: KurentoHandle): void {
  const close = client.close;
  if (typeof close === 'function') (close as () => void).call(client);
}

export interface IceCandidateInit {
  candidate: string;
  sdpMid: string | null;
  sdpMLineIndex: number | null;
}

/** kurento-client's IceCandidate complex type, for `addIceCandidate`. */
export function kurentoIceCandidate(init: IceCandidateInit): unknown {
  return kurentoClient.getComplexType('IceCandidate')({ ...init });
}

/** The reconnecting socket kurento-client keeps (`client._re`): `connected`, `disconnect()`. */
interface ReconnectingSocket {
  connected?: boolean;
  disconnect?: () => void;
}

function socketOf(client: KurentoHandle): ReconnectingSocket | undefined {
  return (realKurentoClient(client) as { _re?: ReconnectingSocket })._re;
}

/** False while kurento-client's socket is down (its calls then queue until it reconnects or gives up). */
export function isKurentoConnected(client: KurentoHandle): boolean {
  return socketOf(client)?.connected !== false;
}

/**
 * Closes a client at once. kurento-client's own `close()` waits for the last pending reply before it
 * drops the socket, which never happens when the server hangs; this also drops the socket now.
 */
export function closeKurentoNow(client: KurentoHandle): void {
  closeKurento(client);
  socketOf(client)?.disconnect?.();
}

/**
 * Routes a media object's `error` events (kurento-client emits them when a `subscribe` or
 * `unsubscribe` fails) to `onError`. Without a listener Node would throw them out of the client's
 * socket handler and crash the process; and a plain `on('error')` is refused by kurento-client's
 * `newListener` hook, which only accepts the object's Kurento event types. So the hook is lifted
 * while the listener is added.
 */
export function listenForClientErrors(object: KurentoHandle, onError: (error: unknown) => void): void {
  const hooks = object.listeners('newListener') as ((...args: unknown[]) => void)[];
  for (const hook of hooks) object.removeListener('newListener', hook);
  try {
    object.on('error', onError);
  } finally {
    for (const hook of hooks) object.on('newListener', hook);
  }
}
