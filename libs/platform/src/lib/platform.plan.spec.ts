import { join } from 'node:path';
import {
  DEV_PORTS,
  cashAccountOf,
  packagerRtpRange,
  planLayout,
  planPorts,
  planServices,
  serviceMongoUri,
  type PlatformPorts,
  type ServicePlanInput,
} from './platform.plan';

const root = '/repo';
const secrets = {
  adminApiKey: 'admin-key',
  adminPassword: 'admin-pw',
  serviceKeys: {
    'cash-coremx-1-c1': 'k-x1',
    'cash-coremx-1-c2': 'k-x2',
    'reg-c1-1': 'k-c1',
    'reg-c2-1': 'k-c2',
    ops: 'k-ops',
  },
};
const counter = () => {
  let next = 20_000;
  return async () => (next += 1);
};

function input(
  mode: 'dev' | 'test',
  ports: PlatformPorts,
  extra: Partial<ServicePlanInput> = {},
): ServicePlanInput {
  return {
    layout: planLayout(mode, root, 'r1d', mode === 'test' ? '/tmp/hoot-platform-x' : undefined),
    ports,
    kafkaBrokers: [`127.0.0.1:${ports.kafka}`],
    mongoUri: `mongodb://127.0.0.1:${ports.mongo}/`,
    secrets,
    ...extra,
  };
}

describe('planPorts', () => {
  it('uses the fixed ports of the README in dev mode, without asking for free ones', async () => {
    const allocate = jest.fn(counter());
    const ports = await planPorts('dev', allocate);
    expect(ports).toEqual({
      kafka: 9092,
      kafkaController: 9093,
      mongo: 27017,
      auth: 3100,
      kms: [8888, 8890],
      registry: [3201, 3202],
      cash: [3301, 3302],
      packager: [3401, 3402],
    });
    expect(allocate).not.toHaveBeenCalled();
    ports.registry[0] = 1;
    expect(DEV_PORTS.registry[0]).toBe(3201);
  });

  it('gives every listener its own free port in test mode, kms-lite fault controllers included', async () => {
    const ports = await planPorts('test', counter());
    const all = [
      ports.kafka,
      ports.kafkaController,
      ports.mongo,
      ports.auth,
      ...ports.kms,
      ...(ports.kmsAdmin ?? []),
      ...ports.registry,
      ...ports.cash,
    ];
    expect(all).toHaveLength(12);
    expect(new Set(all).size).toBe(12);
    // The packagers' HTTP ports too, distinct from each other and from every other listener.
    expect(new Set([...all, ...ports.packager]).size).toBe(14);
  });
});

describe('planLayout', () => {
  it('keeps dev state exactly where scripts/dev-up.sh kept it', () => {
    expect(planLayout('dev', root, 'abc')).toEqual({
      mode: 'dev',
      root,
      runId: 'abc',
      secretsDir: '/repo/.infra/dev-secrets',
      kafkaDataDir: '/repo/.infra/kafka/data',
      mongoDataDir: '/repo/.infra/ferretdb/data',
      authKeysDir: '/repo/.infra/auth-keys',
      cashDir: '/repo/.infra/cash',
      recordingsDir: '/repo/.infra/recordings',
      logDir: '/repo/.infra/run',
      webRoot: '/repo/dist/apps/web',
    });
  });

  it('puts all test state in the temporary folder and the logs under .infra/test-logs', () => {
    const layout = planLayout('test', root, 'abc', '/tmp/p');
    for (const dir of [
      layout.secretsDir,
      layout.kafkaDataDir,
      layout.mongoDataDir,
      layout.authKeysDir,
      layout.cashDir,
      layout.recordingsDir,
      layout.webRoot,
    ]) {
      expect(dir.startsWith('/tmp/p/')).toBe(true);
    }
    expect(layout.logDir).toBe('/repo/.infra/test-logs/platform-abc');
    expect(layout.tempDir).toBe('/tmp/p');
    expect(() => planLayout('test', root, 'abc')).toThrow('temporary folder');
  });
});

describe('planServices', () => {
  it('runs dev mode exactly as dev-up did: two clouds, keys from files, own cloud first', () => {
    const plan = planServices(input('dev', { ...DEV_PORTS }));
    expect(plan.auth.env).toMatchObject({
      MONGO_URI: 'mongodb://127.0.0.1:27017/hoot_auth',
      KAFKA_BROKERS: '127.0.0.1:9092',
      PORT: '3100',
      AUTH_KEYS_DIR: '/repo/.infra/auth-keys',
      AUTH_ADMIN_API_KEY: 'admin-key',
      AUTH_BOOTSTRAP_ADMIN_USERNAME: 'admin',
      AUTH_BOOTSTRAP_ADMIN_PASSWORD: 'admin-pw',
      AUTH_BOOTSTRAP_SERVICE_KEYS:
        'cash-coremx-1-c1:k-x1,cash-coremx-1-c2:k-x2,reg-c1-1:k-c1,reg-c2-1:k-c2,ops:k-ops',
    });
    expect(plan.auth.env).not.toHaveProperty('AUTH_RATE_LIMIT_PER_ADDRESS');
    expect(plan.kms.map((k) => [k.part, k.args])).toEqual([
      [
        'kms-lite-8888',
        ['--port', '8888', '--min-port', '40000', '--max-port', '40499', '--node-id', 'kms-lite-8888'],
      ],
      [
        'kms-lite-8890',
        ['--port', '8890', '--min-port', '40500', '--max-port', '40999', '--node-id', 'kms-lite-8890'],
      ],
    ]);
    const [c1, c2] = plan.registries;
    expect(c1.env).toEqual({
      REGISTRY_ID: 'reg-c1-1',
      PORT: '3201',
      HOST: '127.0.0.1',
      NODE_ID: 'reg-c1-1',
      REGISTRY_PUBLIC_URL: 'http://127.0.0.1:3201',
      REGISTRY_PEERS: 'http://127.0.0.1:3201,http://127.0.0.1:3202',
      REGISTRY_REGION: 'eu',
      REGISTRY_LATITUDE: '50.11',
      REGISTRY_LONGITUDE: '8.68',
      AUTH_URL: 'http://127.0.0.1:3100',
      AUTH_ISSUER: 'https://auth.hoot.svc',
      REGISTRY_SERVICE_API_KEY_FILE: '/repo/.infra/dev-secrets/service-key-reg-c1-1',
      KAFKA_BROKERS: '127.0.0.1:9092',
      WEBHOOK_SIGNING_KEY_FILE: '/repo/.infra/dev-secrets/webhook-signing-key-reg-c1-1',
      WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
      MONGO_URI: 'mongodb://127.0.0.1:27017/hoot_reg_c1_1',
      WEB_ROOT: '/repo/dist/apps/web',
    });
    expect(c2.env).toMatchObject({
      REGISTRY_REGION: 'us',
      REGISTRY_LATITUDE: '40.71',
      REGISTRY_LONGITUDE: '-74.01',
    });
    expect(
      plan.cash.map((c) => [c.coremxId, c.env.KMS_URL, c.env.REGISTRY_URLS, c.env.COREMX_ADDRESS]),
    ).toEqual([
      [
        'coremx-1-c1',
        'ws://127.0.0.1:8888/kurento',
        'http://127.0.0.1:3201,http://127.0.0.1:3202',
        'coremx-1-c1.c1.hoot.mx',
      ],
      [
        'coremx-1-c2',
        'ws://127.0.0.1:8890/kurento',
        'http://127.0.0.1:3202,http://127.0.0.1:3201',
        'coremx-1-c2.c2.hoot.mx',
      ],
    ]);
    expect(plan.cash[0].env).toMatchObject({
      SIGNALING_URL: 'ws://127.0.0.1:3301/signal',
      CCES_JOURNAL_DIR: '/repo/.infra/cash/coremx-1-c1',
      AUTH_JWKS_URL: 'http://127.0.0.1:3100/.well-known/jwks.json',
      CASH_SERVICE_API_KEY_FILE: '/repo/.infra/dev-secrets/service-key-cash-coremx-1-c1',
    });
    expect([plan.auth, ...plan.kms, ...plan.registries, ...plan.cash].map((s) => s.logFile)).toEqual(
      [
        'auth',
        'kms-lite-8888',
        'kms-lite-8890',
        'reg-c1-1',
        'reg-c2-1',
        'cash-coremx-1-c1',
        'cash-coremx-1-c2',
      ].map((part) => join('/repo/.infra/run', `${part}.log`)),
    );
  });

  it('gives each CASH the key of its own service account cash-<coremxId>, which auth bootstraps', () => {
    const plan = planServices(input('dev', { ...DEV_PORTS }));
    const bootstrapped = plan.auth.env.AUTH_BOOTSTRAP_SERVICE_KEYS.split(',').map((p) => p.split(':')[0]);
    expect(plan.cash.map((c) => [c.coremxId, c.env.CASH_SERVICE_API_KEY_FILE])).toEqual([
      ['coremx-1-c1', '/repo/.infra/dev-secrets/service-key-cash-coremx-1-c1'],
      ['coremx-1-c2', '/repo/.infra/dev-secrets/service-key-cash-coremx-1-c2'],
    ]);
    for (const c of plan.cash) expect(bootstrapped).toContain(cashAccountOf(c.coremxId));
    expect(bootstrapped).not.toContain('cash');
    expect(cashAccountOf('coremx-1-c1')).toBe('cash-coremx-1-c1');
  });

  it('makes every verifier follow the revocation topic auth publishes to (the run’s own in test mode)', async () => {
    const testPlan = planServices(input('test', await planPorts('test', counter())));
    for (const service of [testPlan.auth, ...testPlan.registries, ...testPlan.cash])
      expect([service.part, service.env.AUTH_REVOCATIONS_TOPIC]).toEqual([
        service.part,
        'hoot.auth.revocations.r1d',
      ]);
    // Dev mode: every service's default topic, hoot.auth.revocations (none is set).
    const devPlan = planServices(input('dev', { ...DEV_PORTS }));
    for (const service of [devPlan.auth, ...devPlan.registries, ...devPlan.cash])
      expect(service.env).not.toHaveProperty('AUTH_REVOCATIONS_TOPIC');
  });

  it('adds spec-speed tunables and run-scoped names in test mode, and extra env wins over both', async () => {
    const ports = await planPorts('test', counter());
    const plan = planServices(
      input('test', ports, {
        kmsEngine: 'fake',
        env: { registry: { DEAD_AFTER_MS: '9000' }, cash: { HEARTBEAT_INTERVAL_MS: '250' } },
      }),
    );
    expect(plan.auth.env).toMatchObject({
      AUTH_REVOCATIONS_TOPIC: 'hoot.auth.revocations.r1d',
      AUTH_RATE_LIMIT_PER_ADDRESS: '1000000',
      MONGO_URI: `mongodb://127.0.0.1:${ports.mongo}/hoot_r1d_auth`,
    });
    expect(plan.registries[1].env).toMatchObject({
      GOSSIP_INTERVAL_MS: '200',
      DEAD_AFTER_MS: '9000',
      MONGO_URI: `mongodb://127.0.0.1:${ports.mongo}/hoot_r1d_reg_c2_1`,
      REGISTRY_SERVICE_API_KEY_FILE: '/tmp/hoot-platform-x/secrets/service-key-reg-c2-1',
    });
    expect(plan.cash[0].env).toMatchObject({
      HEARTBEAT_INTERVAL_MS: '250',
      AUTH_REVOCATIONS_TOPIC: 'hoot.auth.revocations.r1d',
    });
    expect(plan.kms[0].args).toEqual([
      '--port',
      String(ports.kms[0]),
      '--host',
      '127.0.0.1',
      '--admin-port',
      String(ports.kmsAdmin![0]),
      '--engine',
      'fake',
      '--node-id',
      `kms-lite-${ports.kms[0]}`,
    ]);
  });
});

describe('planServices: one packager per CoreMX', () => {
  it('runs a packager beside each CASH on its own port, RTP range and key files, and hands them to that CASH', () => {
    const plan = planServices(input('dev', { ...DEV_PORTS }));
    expect(plan.packagers.map((p) => [p.part, p.coremxId, p.entry, p.url, p.readyUrl, p.logFile])).toEqual([
      [
        'packager-coremx-1-c1',
        'coremx-1-c1',
        'apps/packager/src/main.ts',
        'http://127.0.0.1:3401',
        'http://127.0.0.1:3401/health/ready',
        '/repo/.infra/run/packager-coremx-1-c1.log',
      ],
      [
        'packager-coremx-1-c2',
        'coremx-1-c2',
        'apps/packager/src/main.ts',
        'http://127.0.0.1:3402',
        'http://127.0.0.1:3402/health/ready',
        '/repo/.infra/run/packager-coremx-1-c2.log',
      ],
    ]);
    expect(plan.packagers[0].env).toEqual({
      PACKAGER_HOST: '127.0.0.1',
      PACKAGER_PORT: '3401',
      PACKAGER_ANNOUNCED_IP: '127.0.0.1',
      PACKAGER_RTP_MIN_PORT: '42000',
      PACKAGER_RTP_MAX_PORT: '42499',
      PACKAGER_CONTROL_KEY_FILE: '/repo/.infra/dev-secrets/packager-control-key-coremx-1-c1',
      PACKAGER_VIEWER_TOKEN_KEY_FILE: '/repo/.infra/dev-secrets/packager-viewer-token-key-coremx-1-c1',
      PACKAGER_RECORDING_DIR: '/repo/.infra/recordings/coremx-1-c1',
      NODE_ID: 'packager-coremx-1-c1',
    });
    expect(plan.packagers[1].env).toMatchObject({
      PACKAGER_PORT: '3402',
      PACKAGER_RTP_MIN_PORT: '42500',
      PACKAGER_RTP_MAX_PORT: '42999',
      PACKAGER_CONTROL_KEY_FILE: '/repo/.infra/dev-secrets/packager-control-key-coremx-1-c2',
      PACKAGER_VIEWER_TOKEN_KEY_FILE: '/repo/.infra/dev-secrets/packager-viewer-token-key-coremx-1-c2',
      PACKAGER_RECORDING_DIR: '/repo/.infra/recordings/coremx-1-c2',
    });
    // Each CASH gets its own CoreMX's packager: URL and the same key files (never the keys themselves).
    for (const c of plan.cash) expect(c.env.PACKAGER_PUBLIC_URL).toBe(c.env.PACKAGER_URL);
    expect(
      plan.cash.map((c) => [
        c.coremxId,
        c.env.PACKAGER_URL,
        c.env.PACKAGER_CONTROL_KEY_FILE,
        c.env.PACKAGER_VIEWER_TOKEN_KEY_FILE,
      ]),
    ).toEqual(plan.packagers.map((p) => [p.coremxId, p.url, p.controlKeyFile, p.viewerTokenKeyFile]));
    for (const service of [...plan.packagers, ...plan.cash])
      for (const [name, value] of Object.entries(service.env)) {
        expect([name, /KEY$/.test(name)]).toEqual([name, false]);
        expect(value).not.toMatch(/k-x1|k-x2|admin-key/);
      }
  });

  it('keeps the packagers’ RTP ranges apart from each other and from kms-lite’s media ports, in both modes', async () => {
    for (const mode of ['dev', 'test'] as const) {
      const ports = mode === 'dev' ? { ...DEV_PORTS } : await planPorts('test', counter());
      const plan = planServices(input(mode, ports));
      const ranges = plan.packagers.map((p) => [
        Number(p.env.PACKAGER_RTP_MIN_PORT),
        Number(p.env.PACKAGER_RTP_MAX_PORT),
      ]);
      expect(ranges).toEqual([
        [42000, 42499],
        [42500, 42999],
      ]);
      expect(plan.packagers.map((p) => p.rtpPorts)).toEqual([packagerRtpRange(0), packagerRtpRange(1)]);
      const [[, max0], [min1]] = ranges;
      expect(max0).toBeLessThan(min1);
      // kms-lite's media range (dev: 40000–40999; its default in test mode) stays below.
      for (const [min] of ranges) expect(min).toBeGreaterThan(40999);
      expect(plan.packagers.map((p) => p.port)).toEqual(ports.packager);
    }
  });

  it('gives the packagers test mode’s key files in the temporary folder and extra env under `packager`', async () => {
    const ports = await planPorts('test', counter());
    const plan = planServices(input('test', ports, { env: { packager: { HLS_PART_TARGET_MS: '250' } } }));
    expect(plan.packagers[1].env).toMatchObject({
      PACKAGER_PORT: String(ports.packager[1]),
      PACKAGER_CONTROL_KEY_FILE: '/tmp/hoot-platform-x/secrets/packager-control-key-coremx-1-c2',
      HLS_PART_TARGET_MS: '250',
    });
    expect(plan.cash[1].env.PACKAGER_URL).toBe(`http://127.0.0.1:${ports.packager[1]}`);
  });
});

describe('serviceMongoUri', () => {
  it('replaces the database and keeps the server and options of the base URI', () => {
    const layout = { mode: 'test' as const, runId: 'ab12' };
    expect(serviceMongoUri('mongodb://127.0.0.1:5/', layout, 'reg-c1-1')).toBe(
      'mongodb://127.0.0.1:5/hoot_ab12_reg_c1_1',
    );
    expect(serviceMongoUri('mongodb://h:5/other?directConnection=true', layout, 'auth')).toBe(
      'mongodb://h:5/hoot_ab12_auth?directConnection=true',
    );
    expect(serviceMongoUri('mongodb://h:5', { mode: 'dev', runId: 'x' }, 'auth')).toBe(
      'mongodb://h:5/hoot_auth',
    );
  });
});
