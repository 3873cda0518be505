import { PassThrough } from 'node:stream';
import { Body, Controller, Get, Headers, Module, Post } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { IsInt, IsString, Min, ValidateNested } from 'class-validator';
import { Type } from 'class-transformer';
import { HootException } from '../errors/hoot.exception';
import { HealthModule } from '../health/health.module';
import { HealthRegistry } from '../health/health.registry';
import { serviceLoggerModule } from '../logging/logger-module.factory';
import { MetricsModule } from '../metrics/metrics.module';
import { createServiceApp } from './create-service-app';

class LimitsDto {
  @IsInt()
  @Min(1)
  max!: number;
}

class CreateThingDto {
  @IsString()
  name!: string;

  @ValidateNested()
  @Type(() => LimitsDto)
  limits!: LimitsDto;
}

const created: CreateThingDto[] = [];

@Controller('things')
class ThingsController {
  @Post()
  create(@Body() body: CreateThingDto): { created: string } {
    created.push(body);
    return { created: body.name };
  }

  @Get('teapot')
  teapot(@Headers('authorization') _auth: string): never {
    throw new HootException('thing.teapot', 418, 'short and stout', { spout: true });
  }

  @Get('boom')
  boom(): never {
    throw new Error('database password is hunter2');
  }
}

const logLines: string[] = [];
const logStream = new PassThrough();
logStream.on('data', (chunk: Buffer) => logLines.push(...chunk.toString('utf8').split('\n').filter(Boolean)));

@Module({
  imports: [
    HealthModule,
    MetricsModule,
    serviceLoggerModule({ service: 'sample', version: '1.2.3', nodeId: 'sample-0', destination: logStream }),
  ],
  controllers: [ThingsController],
})
class SampleModule {}

describe('createServiceApp', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await createServiceApp(SampleModule, { bodyLimitBytes: 1024 });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });

  afterAll(async () => {
    await app.close();
  });

  beforeEach(() => {
    created.length = 0;
  });

  const post = (payload: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
    app.inject({
      method: 'POST',
      url: '/things',
      headers,
      payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
    });

  it('accepts a valid body', async () => {
    const res = await post({ name: 'a', limits: { max: 2 } });
    expect(res.statusCode).toBe(201);
    expect(created).toHaveLength(1);
  });

  it.each([
    ['a missing field', { limits: { max: 2 } }, ['name']],
    ['a wrong type', { name: 5, limits: { max: 2 } }, ['name']],
    ['an unknown field', { name: 'a', limits: { max: 2 }, admin: true }, ['admin']],
    ['a bad nested field', { name: 'a', limits: { max: 0 } }, ['limits.max']],
  ])('refuses %s with request.invalid listing the fields', async (_what, body, fields) => {
    const res = await post(body);
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    const problem = res.json();
    expect(problem).toMatchObject({ status: 400, code: 'request.invalid' });
    expect(problem.fields.map((f: { field: string }) => f.field)).toEqual(fields);
    expect(created).toHaveLength(0);
  });

  it.each([
    ['a JSON array', '[1,2]', 400, 'request.invalid'],
    ['a JSON string', '"hello"', 400, 'request.invalid'],
    ['broken JSON', '{"name":', 400, 'request.malformed'],
    ['a huge body', JSON.stringify({ name: 'x'.repeat(5000), limits: { max: 1 } }), 413, 'request.too-large'],
  ])('refuses %s', async (_what, payload, status, code) => {
    const res = await post(payload);
    expect(res.statusCode).toBe(status);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ status, code });
    expect(created).toHaveLength(0);
  });

  const deep = (levels: number) =>
    `{"name":"a","limits":{"max":1},"x":${'['.repeat(levels)}${']'.repeat(levels)}}`;

  it.each([
    ['JSON nested 65 levels', deep(64), 'application/json', 400, 'request.malformed'],
    [
      'a duplicate key',
      '{"name":"a","limits":{"max":1},"name":"b"}',
      'application/json',
      400,
      'request.malformed',
    ],
    [
      'a duplicate key spelt with an escape',
      '{"name":"a","limits":{"max":1,"\\u006dax":2}}',
      'application/json',
      400,
      'request.malformed',
    ],
    [
      'a charset other than UTF-8',
      '{"name":"a","limits":{"max":1}}',
      'application/json; charset=utf-16',
      415,
      'request.unsupported-media-type',
    ],
    [
      'a Latin-1 charset',
      '{"name":"a","limits":{"max":1}}',
      'application/json;charset="ISO-8859-1"',
      415,
      'request.unsupported-media-type',
    ],
  ])('refuses %s and changes nothing', async (_what, payload, contentType, status, code) => {
    const res = await post(payload, { 'content-type': contentType });
    expect(res.statusCode).toBe(status);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ status, code });
    expect(created).toHaveLength(0);
  });

  it('refuses a body that is not UTF-8', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/things',
      headers: { 'content-type': 'application/json' },
      // "café" in Latin-1: a lone 0xE9 byte is not UTF-8 and must not become U+FFFD silently.
      payload: Buffer.concat([
        Buffer.from('{"name":"caf'),
        Buffer.from([0xe9]),
        Buffer.from('","limits":{"max":1}}'),
      ]),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'request.malformed' });
    expect(created).toHaveLength(0);
  });

  it.each([
    ['no charset', 'application/json'],
    ['charset=utf-8', 'application/json; charset=utf-8'],
    ['a quoted upper-case UTF-8', 'application/json; charset="UTF-8"'],
  ])('accepts JSON with %s, nested up to the limit', async (_what, contentType) => {
    const res = await post(deep(63), { 'content-type': contentType });
    expect(res.statusCode).toBe(400);
    // Reached the validation pipe (the unknown field `x`), so the body was parsed.
    expect(res.json()).toMatchObject({ code: 'request.invalid' });
    const ok = await post('{"name":"a","limits":{"max":1}}', { 'content-type': contentType });
    expect(ok.statusCode).toBe(201);
    expect(created).toHaveLength(1);
  });

  it('refuses JSON nested 10,000 levels within the body limit', async () => {
    const roomy = await createServiceApp(SampleModule, { bodyLimitBytes: 64 * 1024, logger: 'none' });
    await roomy.init();
    try {
      const res = await roomy.inject({
        method: 'POST',
        url: '/things',
        headers: { 'content-type': 'application/json' },
        payload: deep(10_000),
      });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'request.malformed' });
      expect(created).toHaveLength(0);
    } finally {
      await roomy.close();
    }
  });

  it('refuses a body that is not JSON', async () => {
    const res = await post('<xml/>', { 'content-type': 'application/xml' });
    expect(res.statusCode).toBe(415);
    expect(res.json()).toMatchObject({ code: 'request.unsupported-media-type' });
  });

  it('answers an unknown route with route.not-found', async () => {
    const res = await app.inject({ method: 'GET', url: '/nowhere' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'route.not-found' });
  });

  it('turns a HootException into its problem', async () => {
    const res = await app.inject({ method: 'GET', url: '/things/teapot' });
    expect(res.statusCode).toBe(418);
    expect(res.json()).toMatchObject({ code: 'thing.teapot', detail: 'short and stout', spout: true });
  });

  it('hides an unexpected error', async () => {
    const res = await app.inject({ method: 'GET', url: '/things/boom' });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toMatchObject({ code: 'service.internal' });
    expect(res.body).not.toContain('hunter2');
  });

  it('serves liveness and readiness, and readiness follows the dependencies', async () => {
    expect((await app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(200);
    app.get(HealthRegistry).register({ name: 'db', check: async () => Promise.reject(new Error('down')) });
    const res = await app.inject({ method: 'GET', url: '/health/ready' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ code: 'service.not-ready', checks: { db: { status: 'down' } } });
  });

  it('exposes default metrics and the request histogram', async () => {
    await post({ name: 'a', limits: { max: 2 } });
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('process_cpu_seconds_total');
    expect(res.body).toMatch(
      /http_server_request_duration_seconds_count\{method="POST",route="\/things",status_code="201"\} \d+/,
    );
  });

  it('logs with the service identity, redacts credentials and keeps health probes quiet', async () => {
    logLines.length = 0;
    await app.inject({
      method: 'GET',
      url: '/things/teapot',
      headers: { authorization: 'Bearer sekrit-token' },
    });
    await app.inject({ method: 'GET', url: '/health/live' });
    const entries = logLines.map((l) => JSON.parse(l));
    const request = entries.find((e) => e.req?.url === '/things/teapot');
    expect(request).toMatchObject({ service: 'sample', version: '1.2.3', nodeId: 'sample-0' });
    expect(request.req.headers.authorization).toBe('[redacted]');
    expect(logLines.join('\n')).not.toContain('sekrit-token');
    expect(entries.some((e) => e.req?.url === '/health/live')).toBe(false);
  });
});
