import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { fetchOver } from './fetch-over';

describe('fetchOver', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        res.statusCode = req.url === '/missing' ? 404 : 200;
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify({
            method: req.method,
            url: req.url,
            host: req.headers.host,
            auth: req.headers.authorization,
            body,
          }),
        );
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  it('sends the request over the connection it is given and reads the answer', async () => {
    const dialed: string[] = [];
    const fetch = fetchOver((host, p) => {
      dialed.push(`${host}:${p}`);
      return connect(port, '127.0.0.1');
    });
    const answer = await fetch('http://cash-0.cash.hoot.svc:3300/internal/v1/coremx/drain?x=1', {
      method: 'POST',
      headers: { authorization: 'Bearer t', 'content-type': 'application/json' },
      body: '{"deadlineMs":5}',
      signal: AbortSignal.timeout(5_000),
    });
    expect(dialed).toEqual(['cash-0.cash.hoot.svc:3300']);
    expect(answer.status).toBe(200);
    const headers: Record<string, string> = {};
    answer.headers.forEach((v, k) => (headers[k] = v));
    expect(headers['content-type']).toBe('application/json');
    expect(JSON.parse(await answer.text())).toEqual({
      method: 'POST',
      url: '/internal/v1/coremx/drain?x=1',
      host: 'cash-0.cash.hoot.svc:3300',
      auth: 'Bearer t',
      body: '{"deadlineMs":5}',
    });
    const missing = await fetch('http://x.hoot.svc:3300/missing', {
      method: 'GET',
      headers: {},
      signal: AbortSignal.timeout(5_000),
    });
    expect(missing.status).toBe(404);
  });

  it("rejects with the connection's error", async () => {
    const fetch = fetchOver(() => connect(1, '127.0.0.1'));
    await expect(
      fetch('http://x.hoot.svc:3300/', { method: 'GET', headers: {}, signal: AbortSignal.timeout(5_000) }),
    ).rejects.toThrow(/ECONNREFUSED/);
  });
});
