import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpWebhookSender } from './http-webhook.sender';

interface Received {
  method: string;
  headers: IncomingMessage['headers'];
  body: string;
}

describe('HttpWebhookSender', () => {
  let server: Server;
  let base = '';
  const received: Received[] = [];
  let answer: (res: import('node:http').ServerResponse) => void = (res) => res.writeHead(204).end();

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({
          method: req.method ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString(),
        });
        answer(res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const request = (url: string, timeoutMs = 2_000) => ({
    url,
    body: '{"id":"e-1"}',
    headers: { 'content-type': 'application/json', 'hoot-event-id': 'e-1' },
    timeoutMs,
  });

  it('POSTs the body with the headers and answers the status', async () => {
    answer = (res) => res.writeHead(202).end('thanks');
    const sender = new HttpWebhookSender({ allowPrivate: true });
    expect(await sender.send(request(`${base}/hook`))).toEqual({ status: 202 });
    expect(received.at(-1)).toMatchObject({
      method: 'POST',
      body: '{"id":"e-1"}',
      headers: { 'content-type': 'application/json', 'hoot-event-id': 'e-1', 'content-length': '12' },
    });
    answer = (res) => res.writeHead(500).end();
    expect(await sender.send(request(`${base}/hook`))).toEqual({ status: 500 });
  });

  it('answers an error (never throws) for a receiver that does not answer in time or is not there', async () => {
    answer = () => undefined; // never answers
    const sender = new HttpWebhookSender({ allowPrivate: true });
    expect(await sender.send(request(`${base}/slow`, 100))).toEqual({ error: 'no answer within 100 ms' });
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    expect(await sender.send(request(`http://127.0.0.1:${port}/`))).toEqual({ error: 'ECONNREFUSED' });
  });

  it('refuses internal addresses, literal or resolved, unless private URLs are allowed', async () => {
    const count = received.length;
    const sender = new HttpWebhookSender({ allowPrivate: false });
    expect(await sender.send(request(`${base}/hook`))).toEqual({ error: 'EWEBHOOKINTERNAL' });
    const port = new URL(base).port;
    expect(await sender.send(request(`http://localhost:${port}/hook`))).toEqual({
      error: 'EWEBHOOKINTERNAL',
    });
    expect(received.length).toBe(count);
  });
});
