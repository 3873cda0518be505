import { request } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ConnectionOptions } from 'node:tls';
import type { FetchLike } from '@hoot/sdk';

/** Opens the connection for one request (TLS done when `tls` is given); emits `connect` or `error`. */
export type Connector = (host: string, port: number, tls?: ConnectionOptions) => Duplex;

/**
 * A `FetchLike` over `node:http` whose connections come from `connect` (e.g. the cluster dialer's
 * port-forward through the Kubernetes API) instead of a TCP connection to the URL's host. One connection
 * per request; `https:` URLs get TLS over it, verified against the URL's host name.
 */
export function fetchOver(connect: Connector): FetchLike {
  return (url, init) =>
    new Promise((resolve, reject) => {
      const target = new URL(url);
      const https = target.protocol === 'https:';
      const host = target.hostname.replace(/^\[|\]$/g, '');
      const port = Number(target.port || (https ? 443 : 80));
      const body = init.body === undefined ? undefined : Buffer.from(init.body, 'utf8');
      const req = request({
        method: init.method,
        host,
        port,
        path: `${target.pathname}${target.search}`,
        headers: {
          ...init.headers,
          ...(body ? { 'content-length': String(body.length) } : {}),
          connection: 'close',
        },
        signal: init.signal,
        createConnection: () => connect(host, port, https ? { servername: host } : undefined) as never,
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            headers: {
              forEach(callback) {
                for (const [name, value] of Object.entries(res.headers)) {
                  if (value !== undefined) callback(Array.isArray(value) ? value.join(', ') : value, name);
                }
              },
            },
            text: async () => text,
          });
        });
      });
      req.on('error', reject);
      req.end(body);
    });
}
