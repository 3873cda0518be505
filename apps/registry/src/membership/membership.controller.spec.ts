import { Module } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AuthKitModule, StaticKeySource, TokenVerifier } from '@hoot/auth-kit';
import { signTestToken, testKeyPair } from '@hoot/auth-kit/testing';
import { createServiceApp } from '@hoot/service-kit';
import { COREMX_BINDING, REGISTRY_NODE } from '../registry.tokens';
import { CoreMxBinding, MembershipErrorCode } from './coremx-binding';
import { MembershipController } from './membership.controller';

/** The node as far as membership uses it: reports are recorded, the list is what was reported. */
class FakeNode {
  readonly id = 'reg-c1-1';
  readonly reports: { coremxId: string; state: string }[] = [];
  async reportCoreMx(entry: { coremxId: string; state: string }): Promise<boolean> {
    this.reports.push({ coremxId: entry.coremxId, state: entry.state });
    return true;
  }
  coremx() {
    return this.reports.map((r) => ({
      coremxId: r.coremxId,
      address: `${r.coremxId}.c1.hoot.mx`,
      signalingUrl: `ws://${r.coremxId}.test/signal`,
      state: r.state,
      load: 0,
      rooms: 0,
      participants: 0,
      capacity: 10,
      registryId: 'reg-c1-1',
      cloud: 'c1',
      version: { incarnation: 1, seq: 1 },
      silentForMs: 0,
      liveness: 'alive',
    }));
  }
}

const report = (coremxId: string, seq = 1) => ({
  address: `${coremxId}.c1.hoot.mx`,
  signalingUrl: `ws://${coremxId}.test/signal`,
  state: 'active',
  load: 0.1,
  rooms: 0,
  participants: 0,
  capacity: 10,
  incarnation: 1,
  seq,
});

describe('CoreMX membership: each CASH advertises only its own CoreMX', () => {
  const pair = testKeyPair();
  let app: NestFastifyApplication;
  let node: FakeNode;

  /** A service token of the service account `name` (what auth signs for an API key). */
  const service = (name: string) =>
    signTestToken(pair, {
      audience: 'hoot-internal',
      subject: `acc-${name}`,
      claims: { username: name, name, kind: 'service', roles: ['service'] },
    });

  const call = (method: 'GET' | 'PUT' | 'POST', url: string, token: string, body?: unknown) =>
    app.inject({
      method,
      url,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      payload: body === undefined ? undefined : JSON.stringify(body),
    });

  const expectNotBound = (res: Awaited<ReturnType<typeof call>>) => {
    expect(res.statusCode).toBe(403);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ status: 403, code: MembershipErrorCode.NotBound });
  };

  const start = async (sharedCashAccounts: string[] = []) => {
    node = new FakeNode();
    @Module({
      imports: [
        AuthKitModule.forRoot({
          verifier: new TokenVerifier({
            issuer: 'https://auth.test',
            audiences: ['hoot', 'hoot-internal'],
            keys: new StaticKeySource(new Map([[pair.kid, pair.publicKey]])),
          }),
          userAudience: 'hoot',
          serviceAudience: 'hoot-internal',
        }),
      ],
      controllers: [MembershipController],
      providers: [
        { provide: REGISTRY_NODE, useValue: node },
        { provide: COREMX_BINDING, useValue: new CoreMxBinding({ sharedCashAccounts }) },
      ],
    })
    class TestModule {}
    app = await createServiceApp(TestModule, { bodyLimitBytes: 64 * 1024, logger: 'none' });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  };

  afterEach(() => app?.close());

  it("accepts a CASH's heartbeat and deregistration for its own CoreMX", async () => {
    await start();
    const own = service('cash-coremx-1');
    const put = await call('PUT', '/internal/v1/coremx/coremx-1', own, report('coremx-1'));
    expect([put.statusCode, put.json()]).toEqual([200, { accepted: true, registryId: 'reg-c1-1' }]);
    const down = await call('POST', '/internal/v1/coremx/coremx-1/deregister', own, {
      incarnation: 1,
      seq: 2,
    });
    expect(down.statusCode).toBe(200);
    expect(node.reports).toEqual([
      { coremxId: 'coremx-1', state: 'active' },
      { coremxId: 'coremx-1', state: 'down' },
    ]);
  });

  it("refuses coremx-1's key advertising or deregistering coremx-2 (403 coremx.not-bound), changing nothing", async () => {
    await start();
    await call('PUT', '/internal/v1/coremx/coremx-2', service('cash-coremx-2'), report('coremx-2'));
    const before = [...node.reports];
    const attacker = service('cash-coremx-1');
    expectNotBound(await call('PUT', '/internal/v1/coremx/coremx-2', attacker, report('coremx-2', 99)));
    expectNotBound(
      await call('POST', '/internal/v1/coremx/coremx-2/deregister', attacker, { incarnation: 9, seq: 9 }),
    );
    // A prefix of another id is not a binding either.
    expectNotBound(await call('PUT', '/internal/v1/coremx/coremx-10', attacker, report('coremx-10', 1)));
    expect(node.reports).toEqual(before);
  });

  it('refuses the operators (ops), a registry and the former shared cash account: they may list, not advertise', async () => {
    await start();
    for (const name of ['ops', 'reg-c2-1', 'cash', 'coremx-1']) {
      const token = service(name);
      expectNotBound(await call('PUT', '/internal/v1/coremx/coremx-1', token, report('coremx-1')));
      expectNotBound(
        await call('POST', '/internal/v1/coremx/coremx-1/deregister', token, { incarnation: 1, seq: 1 }),
      );
    }
    expect(node.reports).toEqual([]);
    const list = await call('GET', '/internal/v1/coremx', service('ops'));
    expect([list.statusCode, list.json()]).toEqual([200, { registryId: 'reg-c1-1', coremx: [] }]);
  });

  it('refuses a user token named like a CASH account (only service credentials are bound)', async () => {
    await start();
    const user = signTestToken(pair, {
      audience: 'hoot-internal',
      claims: { username: 'cash-coremx-1', kind: 'user', roles: ['service'] },
    });
    const res = await call('PUT', '/internal/v1/coremx/coremx-1', user, report('coremx-1'));
    expect(res.statusCode).toBe(403);
    expect(node.reports).toEqual([]);
  });

  it('accepts a configured shared account for any CoreMX (migration aid, off by default)', async () => {
    await start(['cash']);
    const put = await call('PUT', '/internal/v1/coremx/coremx-7', service('cash'), report('coremx-7'));
    expect(put.statusCode).toBe(200);
    expectNotBound(await call('PUT', '/internal/v1/coremx/coremx-7', service('ops'), report('coremx-7', 2)));
  });
});
