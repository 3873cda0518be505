import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { Controller, Get, Module, type DynamicModule } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createServiceApp, HealthModule, MetricsModule } from '@hoot/service-kit';
import { contentVersion } from './web-assets';
import { WebModule } from './web.module';

@Controller('v1')
class PingController {
  @Get('ping')
  ping() {
    return { pong: true };
  }
}

@Controller('internal/v1')
class InternalController {
  @Get('status')
  status() {
    return { internal: true };
  }
}

@Module({})
class TestAppModule {
  static with(root: string): DynamicModule {
    return {
      module: TestAppModule,
      imports: [
        HealthModule,
        MetricsModule,
        WebModule.forRoot({ root, registryUrls: ['http://reg-c1-1.test:3200/', 'https://reg-c2-1.test'] }),
      ],
      controllers: [PingController, InternalController],
    };
  }
}

async function appServing(root: string): Promise<NestFastifyApplication> {
  const app = await createServiceApp(TestAppModule.with(root), { bodyLimitBytes: 1024, logger: 'none' });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

const INDEX =
  '<!doctype html><html><body><div id="app"></div><script src="/app.js" defer></script></body></html>';

describe('the web app served by the registry', () => {
  let root: string;
  let app: NestFastifyApplication;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'hoot-web-'));
    writeFileSync(join(root, 'index.html'), INDEX);
    writeFileSync(join(root, 'app.js'), 'console.log("hoot")');
    writeFileSync(join(root, 'app.css'), 'body{margin:0}');
    writeFileSync(join(root, 'app.js.map'), '{"version":3}');
    writeFileSync(join(root, 'app.css.map'), '{"version":3}');
    writeFileSync(join(root, 'hls.js'), 'export default class Hls {}');
    writeFileSync(join(root, 'hls.js.map'), '{"version":3,"hls":true}');
    writeFileSync(join(root, 'secret.txt'), 'not for the web');
    app = await appServing(root);
  });

  afterAll(async () => {
    await app?.close();
    rmSync(root, { recursive: true, force: true });
  });

  const get = (url: string, headers: Record<string, string> = {}) =>
    app.inject({ method: 'GET', url, headers });

  it('answers index.html at / with a strict Content-Security-Policy', async () => {
    const res = await get('/');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.body).toBe(INDEX);
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("connect-src 'self' http://reg-c1-1.test:3200 https://reg-c2-1.test ws: wss:");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['cache-control']).toBe('no-cache, private');
    // The page may capture the camera, the microphone and a screen (screen share); nothing else may.
    expect(String(res.headers['permissions-policy']).split(', ')).toEqual([
      'camera=(self)',
      'microphone=(self)',
      'display-capture=(self)',
      'geolocation=()',
    ]);
  });

  it.each(['/join/standup', '/room/standup', '/room/standup/extra'])(
    'answers index.html for the app route %s',
    async (url) => {
      const res = await get(url);
      expect(res.statusCode).toBe(200);
      expect(res.body).toBe(INDEX);
      expect(res.headers['content-security-policy']).toBeDefined();
    },
  );

  it.each([
    ['/app.js', 'text/javascript; charset=utf-8', 'console.log("hoot")'],
    ['/app.css', 'text/css; charset=utf-8', 'body{margin:0}'],
    ['/app.js.map', 'application/json; charset=utf-8', '{"version":3}'],
    // hls.js: the ES module the page imports only to play a p2m broadcast (not in app.js)
    ['/hls.js', 'text/javascript; charset=utf-8', 'export default class Hls {}'],
    ['/hls.js.map', 'application/json; charset=utf-8', '{"version":3,"hls":true}'],
  ])('serves %s with its type, an ETag and revalidation', async (url, type, body) => {
    const res = await get(url);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe(type);
    expect(res.body).toBe(body);
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.headers['etag']).toMatch(/^"[A-Za-z0-9_-]+"$/);
    const again = await get(url, { 'if-none-match': String(res.headers['etag']) });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
  });

  it('serves no other file of the folder, and unknown paths stay route.not-found', async () => {
    for (const url of [
      '/secret.txt',
      '/index.htm',
      '/app.mjs',
      '/join',
      '/join/a/b',
      '/room',
      '/../package.json',
    ]) {
      const res = await get(url);
      expect(res.statusCode).toBe(404);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body).not.toContain('not for the web');
    }
  });

  it('leaves the API, internal, health and metrics routes alone', async () => {
    expect((await get('/v1/ping')).json()).toEqual({ pong: true });
    expect((await get('/internal/v1/status')).json()).toEqual({ internal: true });
    const unknownApi = await get('/v1/nothing-here');
    expect(unknownApi.statusCode).toBe(404);
    expect(unknownApi.json()).toMatchObject({ code: 'route.not-found' });
    expect((await get('/health/live')).statusCode).toBe(200);
    const metrics = await get('/metrics');
    expect(metrics.statusCode).toBe(200);
    expect(metrics.headers['content-type']).not.toContain('text/html');
    expect(metrics.headers['content-security-policy']).toBeUndefined();
  });

  it('compresses for clients that accept it (brotli first), with an ETag per encoding', async () => {
    const plain = await get('/app.js');
    const br = await get('/app.js', { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['vary']).toBe('accept-encoding');
    expect(brotliDecompressSync(br.rawPayload).toString()).toBe('console.log("hoot")');
    expect(br.headers['etag']).not.toBe(plain.headers['etag']);
    const gz = await get('/', { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.rawPayload).toString()).toBe(INDEX);
    expect(gz.headers['content-security-policy']).toBeDefined();
    expect((await get('/app.js', { 'accept-encoding': 'br;q=0, gzip' })).headers['content-encoding']).toBe(
      'gzip',
    );
    expect(plain.headers['content-encoding']).toBeUndefined();
    const again = await get('/app.js', {
      'accept-encoding': 'br',
      'if-none-match': String(br.headers['etag']),
    });
    expect(again.statusCode).toBe(304);
  });

  it('lets an asset asked for with its content hash be cached for a year, and only then', async () => {
    const version = contentVersion(Buffer.from('console.log("hoot")'));
    expect((await get(`/app.js?v=${version}`)).headers['cache-control']).toBe(
      'public, max-age=31536000, immutable',
    );
    expect((await get('/app.js?v=an-older-build')).headers['cache-control']).toBe('no-cache');
    expect((await get(`/?v=${version}`)).headers['cache-control']).toBe('no-cache, private');
  });

  it('picks up a rebuilt file without a restart', async () => {
    const before = await get('/app.css');
    writeFileSync(join(root, 'app.css'), 'body{margin:1px}');
    const after = await get('/app.css');
    expect(after.body).toBe('body{margin:1px}');
    expect(after.headers['etag']).not.toBe(before.headers['etag']);
    writeFileSync(join(root, 'app.css'), 'body{margin:0}');
  });
});

describe('the web app before it is built', () => {
  let root: string;
  let app: NestFastifyApplication;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'hoot-web-empty-'));
    app = await appServing(join(root, 'missing'));
  });

  afterAll(async () => {
    await app?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it.each(['/', '/join/standup', '/app.js'])(
    'answers %s with 503 web.not-built telling how to build',
    async (url) => {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(503);
      expect(res.headers['content-type']).toContain('application/problem+json');
      const problem = res.json();
      expect(problem).toMatchObject({ status: 503, code: 'web.not-built' });
      expect(problem.detail).toContain('web:build');
    },
  );

  it('still serves the API', async () => {
    expect((await app.inject({ method: 'GET', url: '/v1/ping' })).json()).toEqual({ pong: true });
  });
});
