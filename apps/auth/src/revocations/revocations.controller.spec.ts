import { jwksVerifier, startAuthTestApp, type AuthTestApp } from '../testing/auth-test-app';
import { client } from '../testing/auth-test-client';
import { RevocationsService } from './revocations.service';

describe('POST /v1/revocations', () => {
  let t: AuthTestApp;
  let c: ReturnType<typeof client>;

  beforeEach(async () => {
    t = await startAuthTestApp();
    c = client(t);
  });
  afterEach(() => t.app.close());

  it('revokes one token: persisted, published, and introspection turns inactive', async () => {
    const account = await c.createUser('alice');
    const token = await c.login('alice');
    const { claims } = await jwksVerifier(t).verify(token);
    const res = await c.request('POST', '/v1/revocations', { sub: account.id, jti: claims.jti }, c.admin);
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      type: 'token.revoked',
      sub: account.id,
      jti: claims.jti,
      published: true,
    });
    expect(t.publisher.events).toEqual([
      expect.objectContaining({ type: 'token.revoked', jti: claims.jti, sub: account.id, schemaVersion: 1 }),
    ]);
    const service = await c.createService('registry');
    const auth = { authorization: `Bearer ${await c.serviceToken(service.apiKey)}` };
    expect((await c.request('POST', '/v1/introspect', { token }, auth)).json()).toMatchObject({
      active: false,
      reason: 'token.revoked',
    });
  });

  it('revokes everything a subject was issued before a time, and later tokens still work', async () => {
    const account = await c.createUser('bob');
    const old = await c.login('bob');
    t.clock.advance(2_000);
    const res = await c.request('POST', '/v1/revocations', { sub: account.id }, c.admin);
    expect(res.json()).toMatchObject({ type: 'subject.revoked', beforeMs: t.clock.now(), published: true });
    t.clock.advance(1_000);
    const fresh = await c.login('bob');
    const service = await c.createService('registry');
    const auth = { authorization: `Bearer ${await c.serviceToken(service.apiKey)}` };
    expect((await c.request('POST', '/v1/introspect', { token: old }, auth)).json().active).toBe(false);
    expect((await c.request('POST', '/v1/introspect', { token: fresh }, auth)).json().active).toBe(true);
  });

  it('lets a service revoke (the registry at sign-out) but not a plain user', async () => {
    const account = await c.createUser('carol');
    const userToken = await c.login('carol');
    const service = await c.createService('registry');
    const asService = await c.request(
      'POST',
      '/v1/revocations',
      { sub: account.id, jti: 'j-1' },
      { authorization: `Bearer ${await c.serviceToken(service.apiKey)}` },
    );
    expect(asService.statusCode).toBe(201);
    const asUser = await c.request(
      'POST',
      '/v1/revocations',
      { sub: account.id, jti: 'j-2' },
      { authorization: `Bearer ${userToken}` },
    );
    expect(asUser.statusCode).toBe(403);
    expect(asUser.json().code).toBe('auth.forbidden');
  });

  it('keeps a revocation Kafka did not take, and the outbox publishes it later', async () => {
    const account = await c.createUser('dave');
    t.publisher.failing = true;
    const res = await c.request('POST', '/v1/revocations', { sub: account.id, jti: 'j-offline' }, c.admin);
    expect(res.statusCode).toBe(201);
    expect(res.json().published).toBe(false);
    expect(t.publisher.events).toHaveLength(0);
    t.publisher.failing = false;
    await t.app.get(RevocationsService).sweep();
    expect(t.publisher.events.map((e) => e.type === 'token.revoked' && e.jti)).toEqual(['j-offline']);
    expect([...t.revocations.records.values()].every((r) => r.published)).toBe(true);
  });

  it('refuses a subject revocation for an unknown account', async () => {
    const res = await c.request('POST', '/v1/revocations', { sub: 'acc_nope' }, c.admin);
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('auth.account-not-found');
    expect(t.publisher.events).toHaveLength(0);
  });
});
