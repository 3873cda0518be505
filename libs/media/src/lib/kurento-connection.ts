import type { EventEmitter } from 'node:events';

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
}

/**
 * Opens an unmodified kurento-client 7.2.0 to `url`. Resolves once the client is connected and has
 * checked the server's modules (the client refuses servers without core, elements and filters).
 */
export function connectKurento(url: string, options: KurentoConnectOptions = {}): Promise<KurentoHandle> {
  return new Promise((resolve, reject) => {
    kurentoClient(
      url,
      {
        failAfter: options.failAfter ?? 5,
        ...(options.requestTimeoutMs !== undefined && {
          request_timeout: options.requestTimeoutMs,
          response_timeout: options.requestTimeoutMs,
        }),
      },
      (error, client) => (error ? reject(error) : resolve(client as KurentoHandle)),
    );
  });
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
