import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import type { WebhookRequest, WebhookResponse, WebhookSender } from './webhook-dispatcher';
import { isInternalAddress } from './webhook-url';

/** Bytes of a receiver's answer read (and thrown away) at most: only the status matters. */
const MAX_ANSWER_BYTES = 64 * 1024;

/**
 * POSTs deliveries with node's http/https. Unless private URLs are allowed, the host name is resolved here
 * and the connection refused when any address it resolves to is internal (loopback, private, link-local…),
 * at connect time, so a DNS answer that changed since registration cannot reach inside (no rebinding
 * window). Redirects are not followed (a 3xx is a failed attempt). Never throws.
 */
export class HttpWebhookSender implements WebhookSender {
  constructor(private readonly options: { allowPrivate: boolean }) {}

  send(request: WebhookRequest): Promise<WebhookResponse> {
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return Promise.resolve({ error: 'url is not valid' });
    }
    // An address literal is never looked up, so it is checked here.
    const literal = url.hostname.replace(/^\[|\]$/g, '');
    if (!this.options.allowPrivate && isIP(literal) && isInternalAddress(literal))
      return Promise.resolve({ error: 'EWEBHOOKINTERNAL' });
    const options: RequestOptions = {
      method: 'POST',
      headers: { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) },
      lookup: this.options.allowPrivate ? undefined : safeLookup,
    };
    const post = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve) => {
      let settled = false;
      const finish = (answer: WebhookResponse) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(answer);
      };
      const req = post(url, options, (res) => {
        let read = 0;
        res.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > MAX_ANSWER_BYTES) res.destroy();
        });
        res.on('error', () => undefined);
        finish({ status: res.statusCode ?? 0 });
        res.resume();
      });
      const timer = setTimeout(() => {
        finish({ error: `no answer within ${request.timeoutMs} ms` });
        req.destroy();
      }, request.timeoutMs);
      req.on('error', (error: NodeJS.ErrnoException) => finish({ error: error.code ?? error.message }));
      req.end(request.body);
    });
  }
}

/** `dns.lookup` that fails with `EWEBHOOKINTERNAL` when a resolved address is internal. */
export const safeLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
    if (error) return callback(error, '', 0);
    const internal = addresses.find((a) => isInternalAddress(a.address));
    if (internal || addresses.length === 0) {
      const refused: NodeJS.ErrnoException = new Error(
        `${hostname} resolves to an internal address; webhooks may not reach it`,
      );
      refused.code = 'EWEBHOOKINTERNAL';
      return callback(refused, '', 0);
    }
    if (options.all) return callback(null, addresses as never, 0);
    return callback(null, addresses[0].address, addresses[0].family);
  });
};
