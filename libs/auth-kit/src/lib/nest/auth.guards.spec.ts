import { Controller, Get, Module, UseGuards } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createServiceApp } from '@hoot/service-kit';
import { FakeClock } from '@hoot/testing';
import { signTestToken, testKeyPair } from '../../testing';
import { StaticKeySource } from '../keys/static-key-source';
import { TokenVerifier, type Identity } from '../verifier/token-verifier';
import { AuthKitModule } from './auth-kit.module';
import { AuthGuard, CurrentIdentity, RequireRoles, ServiceGuard } from './auth.guards';

const pair = testKeyPair();
const clock = new FakeClock(Date.UTC(2026, 0, 1));
const verifier = new TokenVerifier({
  issuer: 'https://auth.test',
  audiences: ['hoot', 'hoot-internal'],
  keys: new StaticKeySource(new Map([[pair.kid, pair.publicKey]])),
  clock,
});

@Controller()
class ProbeController {
  @Get('me')
  @UseGuards(AuthGuard)
  me(@CurrentIdentity() identity: Identity): { subject: string; roles: string[] } {
    return { subject: identity.subject, roles: identity.roles };
  }

  @Get('admin')
  @UseGuards(AuthGuard)
  @RequireRoles('admin')
  admin(): { ok: true } {
    return { ok: true };
  }

  @Get('internal')
  @UseGuards(ServiceGuard)
  internal(@CurrentIdentity() identity: Identity): { service: string } {
    return { service: identity.subject };
  }
}

@Module({
  imports: [AuthKitModule.forRoot({ verifier, userAudience: 'hoot', serviceAudience: 'hoot-internal' })],
  controllers: [ProbeController],
})
class ProbeModule {}

describe('AuthGuard and ServiceGuard', () => {
  let app: NestFastifyApplication;
  const user = (claims: Record<string, unknown> = {}) =>
    signTestToken(pair, { nowMs: clock.now(), subject: 'acc-u', claims });
  const service = (claims: Record<string, unknown> = {}) =>
    signTestToken(pair, {
      nowMs: clock.now(),
      audience: 'hoot-internal',
      subject: 'acc-svc',
      claims: { kind: 'service', roles: ['service'], ...claims },
    });
  const get = (url: string, token?: string) =>
    app.inject({ method: 'GET', url, headers: token ? { authorization: `Bearer ${token}` } : {} });

  beforeAll(async () => {
    app = await createServiceApp(ProbeModule, { bodyLimitBytes: 1024, logger: 'none' });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });

  afterAll(() => app.close());

  it('hands the verified identity to the handler', async () => {
    const res = await get('/me', user({ roles: ['member'] }));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ subject: 'acc-u', roles: ['member'] });
  });

  it('answers 401 auth.unauthenticated without a bearer token', async () => {
    const res = await get('/me');
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toContain('Bearer');
    expect(res.json()).toMatchObject({ code: 'auth.unauthenticated' });
  });

  it('answers 401 with the rejection reason for a bad token', async () => {
    const res = await get('/me', user({ iss: 'https://evil.example' }));
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ code: 'token.wrong-issuer' });
  });

  it('answers 403 when a role is missing', async () => {
    expect((await get('/admin', user())).statusCode).toBe(403);
    expect((await get('/admin', user({ roles: ['admin'] }))).statusCode).toBe(200);
  });

  it('lets a service token through ServiceGuard', async () => {
    const res = await get('/internal', service());
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ service: 'acc-svc' });
  });

  it('refuses a user token at ServiceGuard', async () => {
    const res = await get('/internal', user());
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ code: 'token.wrong-audience' });
  });

  it('refuses an internal-audience token without the service role', async () => {
    const res = await get('/internal', service({ kind: 'user', roles: [] }));
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'auth.forbidden' });
  });

  it('refuses a service token on user routes', async () => {
    expect((await get('/me', service())).statusCode).toBe(401);
  });
});
