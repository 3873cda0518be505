import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Container, VALUE_SETS, envOf, packagerKeys, rendered } from './chart.fixture';
import { named, ofKind, podTemplates, render, renderFailure, type K8sObject } from './chart.render';
import { containerEnv, validateWithService, type Validation } from './pod-env.resolver';
import { allowedFlows, type Endpoint } from './network-policy.evaluator';

/**
 * The LL-HLS packager (apps/packager) in every CoreMX pod (issue 18, item 2): its own container beside
 * CASH and the media server, its HTTP port on the CoreMX Service, its RTP range on the pod's loopback
 * only, its two keys per pod from an existing Secret, handed to its CASH too.
 */
const coremxPods = (objects: K8sObject[]) =>
  podTemplates(objects).filter(
    ({ owner }) => owner.metadata.labels?.['app.kubernetes.io/component'] === 'coremx',
  );
const packagerOf = (template: K8sObject['spec']): Container =>
  template.spec.containers.find((c: Container) => c.name === 'packager');
const facts = (name: string) => ({ name, namespace: 'hoot', podIP: '10.244.0.7', hostIP: '192.168.49.2' });
const PODS = ['hoot-coremx-c1-0', 'hoot-coremx-c1-1', 'hoot-coremx-c2-0'];

describe.each(Object.keys(VALUE_SETS))('the packager, rendered with %s', (setName) => {
  const objects = rendered[setName];

  it('runs in every CoreMX pod from image.repositories.packager, with probes on its own HTTP port', () => {
    const pods = coremxPods(objects);
    expect(pods.length).toBeGreaterThan(0);
    for (const { template } of pods) {
      const packager = packagerOf(template);
      // The same registry and tag as CASH's image (hoot/packager:0.1.0 by default).
      const cash = template.spec.containers.find((c: Container) => c.name === 'cash');
      expect(packager.image).toBe(cash.image.replace(/\/cash:/, '/packager:'));
      expect(packager.image).toMatch(setName === 'default' ? /^hoot\/packager:0\.1\.0$/ : /\/packager:/);
      // Its one HTTP port, TCP; no UDP port: the RTP range is never declared outside the pod.
      expect(packager.ports).toEqual([{ name: 'hls', containerPort: 3400, protocol: 'TCP' }]);
      expect(packager.startupProbe.httpGet).toEqual({ path: '/health/live', port: 'hls' });
      expect(packager.livenessProbe.httpGet).toEqual({ path: '/health/live', port: 'hls' });
      expect(packager.readinessProbe.httpGet).toEqual({ path: '/health/ready', port: 'hls' });
      expect(packager.securityContext).toMatchObject({
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        allowPrivilegeEscalation: false,
      });
      expect(packager.resources).toEqual({
        requests: { cpu: '100m', memory: '192Mi', 'ephemeral-storage': '16Mi' },
        limits: { cpu: '2', memory: '2Gi', 'ephemeral-storage': '256Mi' },
      });
      expect(packager.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
      // Keeps serving live playlists until CASH (same pod) has drained and exited.
      expect(packager.lifecycle.preStop.exec.command.join(' ')).toContain('/dev/tcp/127.0.0.1/3300');
      const env = envOf(packager);
      expect(env).toMatchObject({
        PACKAGER_HOST: '0.0.0.0',
        PACKAGER_PORT: '3400',
        PACKAGER_ANNOUNCED_IP: '127.0.0.1',
        PACKAGER_RTP_MIN_PORT: '42000',
        PACKAGER_RTP_MAX_PORT: '42999',
        HLS_SEGMENT_TARGET_MS: '2000',
        HLS_PART_TARGET_MS: '334',
        PACKAGER_CONTROL_KEY_FILE: '/var/run/secrets/hoot/packager/control-key',
        PACKAGER_VIEWER_TOKEN_KEY_FILE: '/var/run/secrets/hoot/packager/viewer-token-key',
      });
      // Secrets only as files: never a value, never a default.
      expect(env).not.toHaveProperty('PACKAGER_CONTROL_KEY');
      expect(env).not.toHaveProperty('PACKAGER_VIEWER_TOKEN_KEY');
    }
  });

  it('puts its HTTP port on the CoreMX Service and opens it (TCP only) in the CoreMX NetworkPolicy', () => {
    for (const service of ofKind(objects, 'Service').filter(
      (s) => s.metadata.labels?.['app.kubernetes.io/component'] === 'coremx',
    ))
      expect(service.spec.ports).toContainEqual({
        name: 'hls',
        port: 3400,
        targetPort: 'hls',
        protocol: 'TCP',
        appProtocol: 'http',
      });
    const ingress = named(objects, 'NetworkPolicy', 'hoot-coremx').spec.ingress as {
      ports: { protocol: string; port: number; endPort?: number }[];
    }[];
    const ports = ingress.flatMap((rule) => rule.ports);
    expect(ports).toContainEqual({ protocol: 'TCP', port: 3400 });
    // The packager's RTP range (42000–42999) is reached over the pod's loopback: no ingress rule covers it.
    for (const p of ports.filter((p) => p.protocol === 'UDP'))
      expect({ p, overlaps: p.port <= 42999 && (p.endPort ?? p.port) >= 42000 }).toEqual({
        p,
        overlaps: false,
      });
  });
});

describe('the packager’s flows under the NetworkPolicies', () => {
  const release = { 'app.kubernetes.io/name': 'hoot', 'app.kubernetes.io/instance': 'hoot' };
  const endpoints: Endpoint[] = [
    {
      name: 'coremx',
      labels: { ...release, 'app.kubernetes.io/component': 'coremx', 'hoot.mx/cloud': 'c1' },
    },
    { name: 'registry', labels: { ...release, 'app.kubernetes.io/component': 'registry' } },
    { name: 'auth', labels: { ...release, 'app.kubernetes.io/component': 'auth' } },
    { name: 'ingress-controller', labels: { app: 'ingress-nginx' }, namespace: 'ingress-nginx' },
    { name: 'other-app', labels: { app: 'other' } },
    { name: 'client', ip: '198.51.100.7' },
  ];
  const probes = [
    { port: 3400, protocol: 'TCP' as const },
    { port: 42000, protocol: 'UDP' as const },
    { port: 42999, protocol: 'UDP' as const },
  ];

  it('lets viewers (anyone the signaling port admits) reach the packager’s HTTP port, and nobody its RTP range', () => {
    const policies = ofKind(render({ valueSets: ['two-clouds'] }), 'NetworkPolicy');
    const intoCoremx = allowedFlows(policies, 'hoot', endpoints, probes)
      .filter((f) => f.to === 'coremx')
      .map((f) => `${f.from} -> ${f.protocol}/${f.port}`)
      .sort();
    // Viewers' browsers, an ingress or CDN, other apps of the cluster; hoot's own pods do not call it (CASH
    // reaches its packager over the pod's loopback), and no one reaches the RTP range.
    expect(intoCoremx).toEqual([
      'client -> TCP/3400',
      'ingress-controller -> TCP/3400',
      'other-app -> TCP/3400',
    ]);
  });
});

describe('the packager’s keys and configuration', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'hoot-packager-keys-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const objects = rendered['two clouds × two registry nodes'];
  const keys = packagerKeys(PODS);
  const envIn = (pod: string, container: 'packager' | 'cash', secrets = keys) => {
    const sts = named(objects, 'StatefulSet', pod.replace(/-\d+$/, ''));
    const cashKeys = Object.fromEntries(PODS.map((p) => [`cash-${p}`, `hk_${p}-key-0123456789`]));
    return containerEnv(
      objects,
      sts.spec.template,
      container,
      facts(pod),
      { ...cashKeys, ...secrets },
      join(dir, container, pod),
    );
  };

  it('gives the packager and the CASH of each pod that pod’s own two keys, each pod different ones', () => {
    const read = (file: string) => readFileSync(file, 'utf8');
    for (const pod of PODS) {
      const packager = envIn(pod, 'packager');
      const cash = envIn(pod, 'cash');
      expect(read(packager.PACKAGER_CONTROL_KEY_FILE)).toBe(keys[`packager-control-key-${pod}`]);
      expect(read(packager.PACKAGER_VIEWER_TOKEN_KEY_FILE)).toBe(keys[`packager-viewer-token-key-${pod}`]);
      expect(read(cash.PACKAGER_CONTROL_KEY_FILE)).toBe(keys[`packager-control-key-${pod}`]);
      expect(read(cash.PACKAGER_VIEWER_TOKEN_KEY_FILE)).toBe(keys[`packager-viewer-token-key-${pod}`]);
      // CASH reaches its own packager on the pod's loopback; viewers at the pod's stable name.
      expect(cash.PACKAGER_URL).toBe('http://127.0.0.1:3400');
      expect(cash.PACKAGER_PUBLIC_URL).toBe(`http://${pod}.${pod.replace(/-\d+$/, '')}.hoot.svc:3400`);
    }
    for (const name of ['hoot-coremx-c1', 'hoot-coremx-c2']) {
      const pod = named(objects, 'StatefulSet', name).spec.template.spec;
      const volume = pod.volumes.find((v: { name: string }) => v.name === 'packager-keys');
      // Read-only to the owner, as CASH's key Secret (`defaultMode: 0400` in the template).
      const cashKeys = pod.volumes.find((v: { name: string }) => v.name === 'secrets');
      expect(volume.secret).toEqual({
        secretName: 'hoot-packager',
        defaultMode: cashKeys.secret.defaultMode,
      });
      const kms = pod.containers.find((c: Container) => c.name === 'kms');
      expect(kms.volumeMounts.map((m: { name: string }) => m.name)).not.toContain('packager-keys');
    }
  });

  it('refuses to start a pod without its keys (no default key anywhere)', () => {
    const without = { ...keys };
    delete without['packager-viewer-token-key-hoot-coremx-c1-1'];
    expect(() => envIn('hoot-coremx-c1-1', 'packager', without)).toThrow(
      'no content for key packager-viewer-token-key-hoot-coremx-c1-1 of Secret hoot-packager',
    );
  });

  it('hands the packager an environment its own config check accepts, in every value set', () => {
    const envs = Object.entries(rendered).flatMap(([setName, rendering]) =>
      coremxPods(rendering).map(({ owner, template }) => {
        const pod = `${owner.metadata.name}-0`;
        return {
          name: `${setName}: ${pod}`,
          env: containerEnv(
            rendering,
            template,
            'packager',
            facts(pod),
            keys,
            join(dir, 'validate', setName, pod),
          ),
        };
      }),
    );
    const results: Validation[] = validateWithService('packager', envs);
    expect(results.map((r) => ({ name: r.name, problem: r.ok ? 'none' : r.problem }))).toEqual(
      envs.map(({ name }) => ({ name, problem: 'none' })),
    );
    for (const r of results.filter((r): r is Extract<Validation, { ok: true }> => r.ok)) {
      expect(r.config).toMatchObject({
        host: '0.0.0.0',
        port: 3400,
        announcedIp: '127.0.0.1',
        rtpMinPort: 42000,
        rtpMaxPort: 42999,
      });
      expect(r.config.controlKey).toMatch(/^control-hoot-coremx-c[12]-0-0123456789$/);
    }
  }, 60_000);

  it('takes publicUrl, tunables and extra env from values', () => {
    const custom = render({
      set: [
        'coremx.packager.publicUrl=https://hls.example.com/$(POD_NAME)',
        'coremx.packager.partTargetMs=250',
        'coremx.packager.maxStreams=5',
        'coremx.packager.extraEnv.HLS_ENDED_RETENTION_MS=1000',
      ],
    });
    const template = named(custom, 'StatefulSet', 'hoot-coremx-c1').spec.template;
    expect(envOf(packagerOf(template))).toMatchObject({
      HLS_PART_TARGET_MS: '250',
      PACKAGER_MAX_STREAMS: '5',
      HLS_ENDED_RETENTION_MS: '1000',
    });
    const cash = template.spec.containers.find((c: Container) => c.name === 'cash');
    expect(envOf(cash).PACKAGER_PUBLIC_URL).toBe('https://hls.example.com/$(POD_NAME)');
  });

  it('refuses an RTP range overlapping the media server’s, a port clash, too long parts, and no Secret', () => {
    expect(renderFailure({ set: ['coremx.packager.rtpMinPort=40900'] })).toContain(
      'must not overlap coremx.media.minPort..maxPort',
    );
    expect(
      renderFailure({ set: ['coremx.packager.rtpMinPort=43000', 'coremx.packager.rtpMaxPort=42000'] }),
    ).toContain('coremx.packager.rtpMinPort must be below coremx.packager.rtpMaxPort');
    expect(renderFailure({ set: ['coremx.packager.port=3300'] })).toContain(
      'coremx.packager.port must differ from coremx.cash.port',
    );
    expect(renderFailure({ set: ['coremx.packager.partTargetMs=900'] })).toContain(
      'partTargetMs must be at most a third',
    );
    expect(renderFailure({ set: ['coremx.packager.existingSecret=null'] })).toMatch(/existingSecret/);
    expect(renderFailure({ set: ['coremx.packager.bogus=1'] })).toMatch(/bogus/);
  });
});
