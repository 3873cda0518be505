import { createHash } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { containerEnv, validateWithService, type Validation } from './pod-env.resolver';
import { named, ofKind, podTemplates, render, type K8sObject } from './chart.render';
import { VALUE_SETS, configData, envOf, packagerKeys, rendered, type Container } from './chart.fixture';

describe('external Kafka and MongoDB', () => {
  const objects = rendered['external Kafka/MongoDB with existing secrets'];

  it('takes brokers and URIs from the existing Secrets as files, never from a ConfigMap', () => {
    for (const cm of ofKind(objects, 'ConfigMap')) {
      expect(cm.data.MONGO_URI).toBeUndefined();
      expect(cm.data.KAFKA_BROKERS).toBeUndefined();
    }
    const auth = named(objects, 'Deployment', 'hoot-auth').spec.template.spec;
    expect(envOf(auth.containers[0])).toMatchObject({
      MONGO_URI_FILE: '/var/run/secrets/hoot/mongodb/uri',
      KAFKA_BROKERS_FILE: '/var/run/secrets/hoot/kafka/brokers',
    });
    const volume = (name: string) => auth.volumes.find((v: { name: string }) => v.name === name).secret;
    expect(volume('mongodb')).toMatchObject({
      secretName: 'prod-mongodb',
      items: [{ key: 'auth-uri', path: 'uri' }],
    });
    expect(volume('kafka')).toMatchObject({
      secretName: 'prod-kafka',
      items: [{ key: 'brokers', path: 'brokers' }],
    });
    const registry = named(objects, 'Deployment', 'hoot-reg-c1-1').spec.template.spec;
    expect(registry.volumes.find((v: { name: string }) => v.name === 'mongodb').secret.items).toEqual([
      { key: 'registry-uri', path: 'uri' },
    ]);
    expect(envOf(registry.containers[0])).toMatchObject({
      MONGO_URI_FILE: '/var/run/secrets/hoot/mongodb/uri',
      KAFKA_BROKERS_FILE: '/var/run/secrets/hoot/kafka/brokers',
    });
    expect(registry.volumes.find((v: { name: string }) => v.name === 'kafka').secret).toMatchObject({
      secretName: 'prod-kafka',
      items: [{ key: 'brokers', path: 'brokers' }],
    });
  });

  it('uses the image registry and tag from values, and ServiceMonitors instead of scrape annotations', () => {
    expect(named(objects, 'Deployment', 'hoot-auth').spec.template.spec.containers[0].image).toBe(
      'ghcr.io/acme/hoot/auth:1.2.3',
    );
    expect(
      ofKind(objects, 'ServiceMonitor')
        .map((s) => s.metadata.name)
        .sort(),
    ).toEqual(['hoot-auth', 'hoot-coremx', 'hoot-registry']);
    for (const { template } of podTemplates(objects))
      expect(template.metadata.annotations['prometheus.io/scrape']).toBeUndefined();
    for (const { template } of podTemplates(rendered.default))
      expect(template.metadata.annotations['prometheus.io/scrape']).toBe('true');
  });

  it('lets pods reach the external brokers and databases only at their CIDRs and ports', () => {
    const egress = named(objects, 'NetworkPolicy', 'hoot-auth').spec.egress;
    expect(egress).toEqual([
      { to: [{ ipBlock: { cidr: '10.30.0.0/16' } }], ports: [{ protocol: 'TCP', port: 27017 }] },
      { to: [{ ipBlock: { cidr: '10.20.0.0/16' } }], ports: [{ protocol: 'TCP', port: 9093 }] },
    ]);
  });
});

describe('the registry and CASH accept the environment the chart gives them (their own config check)', () => {
  // Fake contents of the Secret keys the pods mount (nothing here is a real credential).
  const secrets: Record<string, string> = {
    ...Object.fromEntries(
      ['reg-c1-1', 'reg-c1-2', 'reg-c2-1', 'reg-c2-2'].map((id) => [id, `hk_${id}-key-0123456789`]),
    ),
    'webhook-signing-key': 'w'.repeat(48),
    // One key per CoreMX pod (the specs render each group's pod 0 and, below, pod 1).
    ...Object.fromEntries(
      ['hoot-coremx-c1-0', 'hoot-coremx-c1-1', 'hoot-coremx-c2-0'].map((pod) => [
        `cash-${pod}`,
        `hk_cash-${pod}-key-0123456789`,
      ]),
    ),
    ...packagerKeys(['hoot-coremx-c1-0', 'hoot-coremx-c1-1', 'hoot-coremx-c2-0']),
    brokers: 'kafka-0.prod:9093,kafka-1.prod:9093',
    'registry-uri': 'mongodb://hoot:pw@db.prod:27017/hoot_registry',
  };
  const facts = (name: string) => ({ name, namespace: 'hoot', podIP: '10.244.0.7', hostIP: '192.168.49.2' });
  const envsOf = (component: 'registry' | 'coremx', container: string) =>
    Object.entries(rendered).flatMap(([setName, objects]) =>
      podTemplates(objects)
        .filter(({ owner }) => owner.metadata.labels?.['app.kubernetes.io/component'] === component)
        .map(({ owner, template }) => {
          const pod =
            owner.kind === 'StatefulSet' ? `${owner.metadata.name}-0` : `${owner.metadata.name}-abcde`;
          return {
            name: `${setName}: ${pod}`,
            env: containerEnv(objects, template, container, facts(pod), secrets, join(dir, setName, pod)),
          };
        }),
    );
  const outcome = (v: Validation) => ({ name: v.name, problem: v.ok ? 'none' : v.problem });
  let registries: Validation[];
  let cash: Validation[];
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hoot-pod-env-'));
    const registryEnvs = envsOf('registry', 'registry');
    const withoutKey = { ...registryEnvs[0].env };
    delete withoutKey.WEBHOOK_SIGNING_KEY_FILE;
    registries = validateWithService('registry', [
      ...registryEnvs,
      { name: 'no signing key', env: withoutKey },
    ]);
    cash = validateWithService('cash', envsOf('coremx', 'cash'));
  }, 60_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const config = (results: Validation[], name: string) => {
    const found = results.find((r) => r.name === name);
    if (!found?.ok) throw new Error(`${name}: ${JSON.stringify(found)}`);
    return found.config;
  };

  it('every registry node and every CASH of every value set passes its service’s validation', () => {
    const registryResults = registries.filter((r) => r.name !== 'no signing key');
    expect(registryResults.length).toBeGreaterThanOrEqual(7);
    expect(registryResults.map(outcome)).toEqual(
      registryResults.map((r) => ({ name: r.name, problem: 'none' })),
    );
    expect(cash.length).toBeGreaterThanOrEqual(5);
    expect(cash.map(outcome)).toEqual(cash.map((r) => ({ name: r.name, problem: 'none' })));
  });

  it('the services read the chart’s brokers, web base URL, webhook key file and CASH API URL', () => {
    expect(config(registries, 'default: hoot-reg-c1-1-abcde')).toMatchObject({
      KAFKA_BROKERS: ['hoot-kafka:9092'],
      WEB_BASE_URL: 'http://reg-c1-1.hoot.local',
      WEBHOOK_SIGNING_KEY: secrets['webhook-signing-key'],
      WEBHOOK_ALLOW_PRIVATE_URLS: false,
      WEBHOOK_MAX_ATTEMPTS: 8,
      JOIN_TICKET_TTL_S: 120,
    });
    expect(
      config(registries, 'external Kafka/MongoDB with existing secrets: hoot-reg-c1-1-abcde'),
    ).toMatchObject({
      KAFKA_BROKERS: ['kafka-0.prod:9093', 'kafka-1.prod:9093'],
      MONGO_URI: secrets['registry-uri'],
    });
    expect(config(cash, 'two clouds × two registry nodes: hoot-coremx-c2-0')).toMatchObject({
      CASH_API_URL: 'http://hoot-coremx-c2-0.hoot-coremx-c2.hoot.svc:3300',
      SIGNALING_URL: 'ws://hoot-coremx-c2-0.hoot-coremx-c2.hoot.svc:3300/signal',
      COREMX_ID: 'hoot-coremx-c2-0',
      CASH_SERVICE_API_KEY: secrets['cash-hoot-coremx-c2-0'],
    });
  });

  it('a registry without the webhook signing key is refused (the check can fail)', () => {
    const [refused] = registries.filter((r) => r.name === 'no signing key').map(outcome);
    expect(refused.problem).toContain('WEBHOOK_SIGNING_KEY');
  });
});

describe('config checksums roll exactly the pods whose configuration changed', () => {
  const checksums = (objects: K8sObject[]) =>
    Object.fromEntries(
      podTemplates(objects).map(({ owner, template }) => [
        owner.metadata.name,
        template.metadata.annotations['checksum/config'],
      ]),
    );
  const base = checksums(rendered.default);

  it('a CASH-only setting changes only the CoreMX checksum', () => {
    const changed = checksums(render({ set: ['coremx.cash.extraEnv.CAPACITY_ROOMS=7'] }));
    expect(changed['hoot-coremx-c1']).not.toBe(base['hoot-coremx-c1']);
    expect(changed['hoot-auth']).toBe(base['hoot-auth']);
    expect(changed['hoot-reg-c1-1']).toBe(base['hoot-reg-c1-1']);
  });

  it('a webhook setting changes only the registry checksums', () => {
    const changed = checksums(render({ set: ['registry.webhooks.maxAttempts=3'] }));
    expect(changed['hoot-reg-c1-1']).not.toBe(base['hoot-reg-c1-1']);
    expect(changed['hoot-auth']).toBe(base['hoot-auth']);
    expect(changed['hoot-coremx-c1']).toBe(base['hoot-coremx-c1']);
  });

  it('a shared setting (log level) changes every checksum; the image tag alone changes none', () => {
    const changed = checksums(render({ set: ['logLevel=debug'] }));
    for (const name of Object.keys(base)) expect(changed[name]).not.toBe(base[name]);
    expect(checksums(render({ set: ['image.tag=9.9.9'] }))).toEqual(base);
  });

  it.each(Object.keys(VALUE_SETS))('is the sha256 of the ConfigMap data the pod reads (%s)', (setName) => {
    for (const { template } of podTemplates(rendered[setName])) {
      const data = configData(rendered[setName], template.spec.containers[0].envFrom[0].configMapRef.name);
      const text = Object.entries(data)
        .map(([k, v]) => `${k}: ${JSON.stringify(v)}`)
        .join('\n');
      expect(template.metadata.annotations['checksum/config']).toBe(
        createHash('sha256').update(text).digest('hex'),
      );
    }
  });
});

describe('Kurento’s config copy (the kms-config init container)', () => {
  const kurentoConf = (websocket: string) =>
    `{\n  "mediaServer": {\n    "resources": { "garbageCollectorPeriod": 240 },\n    "net": {\n${websocket}\n    }\n  }\n}\n`;
  // The websocket section as Kurento 7 ships it: the listen address commented out (all interfaces).
  const shipped = [
    '      "websocket": {',
    '        "//": "Address to listen on.",',
    '        "//": "Default: [::] (IPv6) or 0.0.0.0 (IPv4)",',
    '        "//address": "0.0.0.0",',
    '        "//ipv6": false,',
    '        "port": 8888,',
    '        "secure": { "//port": 8433, "//certificate": "defaultCertificate.pem", "//password": "" },',
    '        "path": "kurento",',
    '        "threads": 10',
    '      }',
  ].join('\n');

  function runInit(conf: string): { status: number | null; written?: unknown; stderr: string } {
    const pod = named(rendered.default, 'StatefulSet', 'hoot-coremx-c1').spec.template.spec;
    const [shell, flag, script] = pod.initContainers.find((c: Container) => c.name === 'kms-config').command;
    const dir = mkdtempSync(join(tmpdir(), 'hoot-kms-config-'));
    try {
      execFileSync('mkdir', ['-p', join(dir, 'etc'), join(dir, 'copy')]);
      writeFileSync(join(dir, 'etc', 'kurento.conf.json'), conf);
      const local = script
        .replaceAll('/etc/kurento/', `${dir}/etc/`)
        .replaceAll('/kurento-etc', `${dir}/copy`);
      const run = spawnSync(shell, [flag, local], { encoding: 'utf8' });
      const written =
        run.status === 0
          ? JSON.parse(readFileSync(join(dir, 'copy', 'kurento.conf.json'), 'utf8'))
          : undefined;
      return { status: run.status, written, stderr: run.stderr };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('binds Kurento’s JSON-RPC port to 127.0.0.1 and keeps the rest of its settings', () => {
    const { status, written } = runInit(kurentoConf(shipped));
    expect(status).toBe(0);
    expect(written).toMatchObject({
      mediaServer: { net: { websocket: { address: '127.0.0.1', port: 8888, path: 'kurento', threads: 10 } } },
    });
  });

  it('also overrides an address that is set, and fails (the pod does not start) when it cannot set one', () => {
    const set = runInit(kurentoConf(shipped.replace('"//address": "0.0.0.0"', '"address": "0.0.0.0"')));
    expect(set.written).toMatchObject({ mediaServer: { net: { websocket: { address: '127.0.0.1' } } } });
    const unknown = runInit(kurentoConf('      "websocket": { "port": 8888 }'));
    expect(unknown.status).not.toBe(0);
    expect(unknown.stderr).toContain('could not bind');
  });
});
