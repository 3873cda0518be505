import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Module } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createServiceApp } from '@hoot/service-kit';
import type { RegistryConfig } from '../config/registry.config';
import { REGISTRY_CONFIG } from '../registry.tokens';
import { AuthTokenController } from './auth-token.controller';

/**
 * The sign-in proxy (issue 16): JSON nested 10,000 levels answered a misleading 503 "auth unreachable".
 * The shared body parser now refuses it (and other charsets, repeated keys) before the proxy runs, so
 * the client gets the real reason and auth is never asked.
 */
describe('registry sign-in proxy: JSON bodies the parser refuses', () => {
  let auth: Server;
  let forwarded = 0;
  let app: NestFastifyApplication;

  beforeAll(async () => {
    auth = createServer((_request, response) => {
      forwarded += 1;
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"access_token":"t"}');
    });
    await new Promise<void>((resolve) => auth.listen(0, '127.0.0.1', resolve));
    const config = {
      AUTH_URL: `http://127.0.0.1:${(auth.address() as AddressInfo).port}`,
      CASH_TIMEOUT_MS: 2_000,
    } as RegistryConfig;

    @Module({
      controllers: [AuthTokenController],
      providers: [{ provide: REGISTRY_CONFIG, useValue: config }],
    })
    class SignInModule {}

    app = await createServiceApp(SignInModule, { bodyLimitBytes: 64 * 1024, logger: 'none' });
    await app.init();
  });
  afterAll(async () => {
    await app.close();
    await new Promise((resolve) => auth.close(resolve));
  });

  const signIn = (payload: string, contentType = 'application/json') =>
    app.inject({ method: 'POST', url: '/v1/auth/token', headers: { 'content-type': contentType }, payload });

  it('forwards a good sign-in', async () => {
    const before = forwarded;
    const res = await signIn('{"grant_type":"password","username":"alice","password":"pw"}');
    expect(res.statusCode).toBe(200);
    expect(forwarded).toBe(before + 1);
  });

  it.each([
    [
      'nesting 10,000 levels deep',
      `{"grant_type":"password","username":"a","password":${'['.repeat(10_000)}${']'.repeat(10_000)}}`,
      'application/json',
      400,
      'request.malformed',
    ],
    [
      'charset=utf-16',
      '{"grant_type":"password"}',
      'application/json; charset=utf-16',
      415,
      'request.unsupported-media-type',
    ],
    [
      'a repeated key',
      '{"grant_type":"password","username":"alice","username":"bob","password":"pw"}',
      'application/json',
      400,
      'request.malformed',
    ],
  ])('refuses %s itself and never asks auth', async (_what, payload, contentType, status, code) => {
    const before = forwarded;
    const res = await signIn(payload, contentType);
    expect(res.statusCode).toBe(status);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ status, code });
    expect(forwarded).toBe(before);
  });
});
