import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { allowedFlows } from './network-policy.evaluator';
import {
  CHART_DIR,
  WORKSPACE_ROOT,
  named,
  ofKind,
  parseManifests,
  podTemplates,
  render,
  renderFailure,
} from './chart.render';
import { configData, containersOf, envOf, rendered, type Container } from './chart.fixture';

describe('values schema and cross-value checks', () => {
  it('refuses a registry node without a cloud with the schema’s message', () => {
    const error = renderFailure({ valueSets: ['bad-registry-without-cloud'] });
    expect(error).toContain("values don't meet the specifications of the schema");
    expect(error).toContain("at '/registry/nodes/0': missing property 'cloud'");
  });

  it.each([
    [['mongodb.uri=mongodb://user:pw@db:27017'], "at '/mongodb/uri'"],
    [
      ['registry.nodes[0].cloud=C1', 'registry.nodes[0].priority=1', 'registry.nodes[0].publicUrl=http://x'],
      "at '/registry/nodes/0/cloud'",
    ],
    [['coremx.media.hostNetwork=yes'], "at '/coremx/media/hostNetwork'"],
    [['auth.existingSecret='], "at '/auth/existingSecret'"],
    [['auth.trustedProxies={*}'], "at '/auth/trustedProxies/0'"],
    [['auth.trustedProxies={proxy.local}'], "at '/auth/trustedProxies/0'"],
    [['registry.trustedProxies={true}'], "at '/registry/trustedProxies/0'"],
    [['registry.trustedProxies={ingress.local}'], "at '/registry/trustedProxies/0'"],
    [['kafka.brokers=null'], "at '/kafka': missing property 'brokers'"],
    [['kafka.brokers={db}'], "at '/kafka/brokers/0'"],
    [['registry.webhooks.existingSecret='], "at '/registry/webhooks/existingSecret'"],
    [['registry.webhooks.existingSecret=null'], "at '/registry/webhooks': missing property 'existingSecret'"],
    [['registry.webhooks.allowPrivateUrls=yes'], "at '/registry/webhooks/allowPrivateUrls'"],
    [['registry.webhooks.maxAttempts=0'], "at '/registry/webhooks/maxAttempts'"],
    [
      ['registry.webhooks.egress[0].cidr=internet', 'registry.webhooks.egress[0].ports={443}'],
      "at '/registry/webhooks/egress/0/cidr'",
    ],
    [['registry.conferences.joinTicketTtlSeconds=5'], "at '/registry/conferences/joinTicketTtlSeconds'"],
    [['coremx.cash.chatEvents=none'], "at '/coremx/cash/chatEvents'"],
  ])('refuses %p', (set, message) => {
    expect(renderFailure({ set })).toContain(message);
  });

  it('refuses a CoreMX group in a cloud without a registry node, and a registry id listed twice', () => {
    expect(renderFailure({ set: ['coremx.groups[0].cloud=c9', 'coremx.groups[0].replicas=1'] })).toContain(
      'coremx.groups: cloud "c9" has no registry node in registry.nodes',
    );
    const node = { cloud: 'c1', priority: 1, publicUrl: 'http://reg.example' };
    expect(renderFailure({ setJson: [`registry.nodes=${JSON.stringify([node, node])}`] })).toContain(
      'registry.nodes: reg-c1-1 is listed twice',
    );
  });

  it('refuses a grace period that does not cover the drain deadline', () => {
    expect(renderFailure({ set: ['coremx.terminationGracePeriodSeconds=600'] })).toContain(
      'coremx.terminationGracePeriodSeconds must exceed coremx.cash.drainDeadlineSeconds',
    );
  });
});

describe('the minikube values (scripts/minikube-up)', () => {
  it('render two clouds with one registry node and one CoreMX each, from local images', () => {
    const objects = render({ valueFiles: [join(WORKSPACE_ROOT, 'k8s/overlays/minikube/values.yaml')] });
    expect(
      ofKind(objects, 'Deployment')
        .map((d) => d.metadata.name)
        .sort(),
    ).toEqual(['hoot-auth', 'hoot-reg-c1-1', 'hoot-reg-c2-1']);
    expect(
      ofKind(objects, 'StatefulSet')
        .map((d) => d.metadata.name)
        .sort(),
    ).toEqual(['hoot-coremx-c1', 'hoot-coremx-c2']);
    for (const { template } of podTemplates(objects))
      for (const c of template.spec.containers.filter((c: Container) => c.image.startsWith('hoot/')))
        expect(c.imagePullPolicy).toBe('Never');
  });
});

describe('the local cluster values (scripts/cluster-install)', () => {
  const objects = render({ valueFiles: [join(WORKSPACE_ROOT, 'k8s/overlays/local/values.yaml')] });

  it('run two registry nodes in two clouds with two replicas each, at fixed NodePorts that are their public URLs', () => {
    for (const [cloud, nodePort] of [
      ['c1', 30081],
      ['c2', 30082],
    ] as const) {
      expect(named(objects, 'Deployment', `hoot-reg-${cloud}-1`).spec.replicas).toBe(2);
      const service = named(objects, 'Service', `hoot-reg-${cloud}-1`);
      expect(service.spec.type).toBe('NodePort');
      expect(service.spec.ports[0]).toMatchObject({ port: 3200, nodePort });
      expect(service.metadata.annotations?.['hoot.mx/url']).toBe(`http://10.201.0.1:${nodePort}`);
      expect(named(objects, 'ConfigMap', `hoot-reg-${cloud}-1`).data.WEB_BASE_URL).toBe(
        `http://10.201.0.1:${nodePort}`,
      );
    }
    expect(named(objects, 'Service', 'hoot-auth').spec.type).toBe('ClusterIP');
  });

  it('run kms-lite in the KMS container’s place, announcing the pod IP; CASH signals at the pod IP', () => {
    for (const cloud of ['c1', 'c2']) {
      const sts = named(objects, 'StatefulSet', `hoot-coremx-${cloud}`);
      expect(sts.spec.replicas).toBe(1);
      expect(sts.spec.template.spec.terminationGracePeriodSeconds).toBe(60);
      expect(sts.spec.volumeClaimTemplates[0].spec.storageClassName).toBe('local');
      const [init] = sts.spec.template.spec.initContainers;
      const kms = sts.spec.template.spec.containers.find((c: Container) => c.name === 'kms');
      const cash = sts.spec.template.spec.containers.find((c: Container) => c.name === 'cash');
      expect(init.image).toBe('hoot/kms-lite:0.1.0');
      expect(kms.image).toBe('hoot/kms-lite:0.1.0');
      const names = kms.env.map((e: { name: string }) => e.name);
      expect(envOf(kms)).toMatchObject({
        KMS_EXTERNAL_IPV4: '$(POD_IP)',
        KMS_MIN_PORT: '40000',
        KMS_MAX_PORT: '40099',
      });
      // $(POD_IP) expands only when POD_IP comes earlier in the list.
      expect(names.indexOf('POD_IP')).toBeLessThan(names.indexOf('KMS_EXTERNAL_IPV4'));
      expect(envOf(cash).SIGNALING_URL).toBe('ws://$(POD_IP):3300/signal');
      expect(configData(objects, `hoot-coremx-${cloud}`).DRAIN_DEADLINE_MS).toBe('30000');
      // kms-lite binds its JSON-RPC port to the pod's loopback, like Kurento in the default values.
      expect(envOf(kms).KMS_LITE_HOST).toBe('127.0.0.1');
      expect(kms.ports).toBeUndefined();
      expect(init.command).toEqual(['sh', '-c', 'cp -R /etc/kurento/. /kurento-etc/']);
    }
  });

  it('run only images loaded into the node (pull policy Never), the chart tests included', () => {
    const containers = [
      ...podTemplates(objects).flatMap(({ template }) => containersOf(template)),
      ...ofKind(objects, 'Pod').flatMap((pod) => pod.spec.containers),
    ];
    expect(containers.length).toBeGreaterThan(8);
    for (const c of containers)
      expect({ image: c.image, policy: c.imagePullPolicy }).toEqual({ image: c.image, policy: 'Never' });
  });

  it('let registries reach the API server as this cluster routes it (Service 10.203.0.1:443 → node 10.201.0.1:6443)', () => {
    const policy = named(objects, 'NetworkPolicy', 'hoot-registry');
    const apiRule = policy.spec.egress.find((r: { to: { ipBlock?: { cidr: string } }[] }) =>
      r.to.some((p) => p.ipBlock?.cidr === '10.201.0.1/32'),
    );
    expect(apiRule.to.map((p: { ipBlock: { cidr: string } }) => p.ipBlock.cidr)).toEqual([
      '10.203.0.1/32',
      '10.201.0.1/32',
    ]);
    expect(apiRule.ports.map((p: { port: number }) => p.port)).toEqual([443, 6443]);
  });
});

describe('chart tests (helm test)', () => {
  const objects = render({ valueSets: ['two-clouds'] });
  const tests = ofKind(objects, 'Pod');
  const byName = (name: string) => named(objects, 'Pod', `hoot-test-${name}`);
  const script = (name: string) => byName(name).spec.containers[0].command[2] as string;

  it('are test hooks, run in order, deleted when they pass', () => {
    expect(tests.map((t) => t.metadata.name)).toEqual([
      'hoot-test-registries',
      'hoot-test-registry-egress',
      'hoot-test-gcas',
      'hoot-test-unlabelled-denied',
    ]);
    expect(tests.map((t) => t.metadata.annotations?.['helm.sh/hook-weight'])).toEqual(['0', '1', '2', '3']);
    for (const t of tests) {
      expect(t.metadata.annotations?.['helm.sh/hook']).toBe('test');
      expect(t.metadata.annotations?.['helm.sh/hook-delete-policy']).toBe(
        'before-hook-creation,hook-succeeded',
      );
    }
  });

  it('meet the restricted Pod Security Standard and run the registry image', () => {
    for (const t of tests) {
      expect(t.spec.securityContext).toMatchObject({
        runAsNonRoot: true,
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(t.spec.automountServiceAccountToken).toBe(false);
      const [c] = t.spec.containers;
      expect(c.image).toBe('hoot/registry:0.1.0');
      expect(c.securityContext).toEqual({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(Object.keys(c.resources.limits).sort()).toEqual(['cpu', 'ephemeral-storage', 'memory']);
    }
  });

  it('are valid JavaScript programs', () => {
    for (const t of tests) {
      const run = spawnSync(process.execPath, ['--check'], {
        input: script(t.metadata.name.replace('hoot-test-', '')),
        encoding: 'utf8',
      });
      expect({ name: t.metadata.name, status: run.status, stderr: run.stderr }).toEqual({
        name: t.metadata.name,
        status: 0,
        stderr: '',
      });
    }
  });

  it('check every registry node and every CoreMX of the values', () => {
    expect(envOf(byName('registries').spec.containers[0]).REGISTRY_URLS).toBe(
      ['reg-c1-1', 'reg-c1-2', 'reg-c2-1', 'reg-c2-2']
        .map((id) => `http://hoot-${id}.hoot.svc:3200`)
        .join(','),
    );
    const gcas = envOf(byName('gcas').spec.containers[0]);
    expect(gcas.COREMX_IDS).toBe('hoot-coremx-c1-0,hoot-coremx-c1-1,hoot-coremx-c2-0');
    expect(byName('gcas').spec.volumes[0].secret).toMatchObject({
      secretName: 'hoot-auth',
      items: [{ key: 'bootstrap-admin-password', path: 'admin-password' }],
    });
    expect(envOf(byName('registry-egress').spec.containers[0])).toMatchObject({
      AUTH_URL: 'http://hoot-auth.hoot.svc:3100',
      MONGO: 'hoot-mongodb:27017',
      KAFKA: 'hoot-kafka:9092',
      API_SERVER: 'kubernetes.default.svc:443',
    });
  });

  it('judge NetworkPolicies as the chart and k8s/ define them: the registry-labelled pod may reach what it checks, the unlabelled one neither auth nor MongoDB', () => {
    const devInfra = parseManifests(
      execFileSync('kubectl', ['kustomize', join(WORKSPACE_ROOT, 'k8s/overlays/local')], {
        encoding: 'utf8',
      }),
    );
    const policies = [...ofKind(objects, 'NetworkPolicy'), ...ofKind(devInfra, 'NetworkPolicy')];
    const endpoint = (name: string, labels: Record<string, string>) => ({ name, labels });
    const release = { 'app.kubernetes.io/name': 'hoot', 'app.kubernetes.io/instance': 'hoot' };
    const registryTest = endpoint('registry-egress', byName('registry-egress').metadata.labels ?? {});
    const unlabelled = endpoint('unlabelled', byName('unlabelled-denied').metadata.labels ?? {});
    const auth = endpoint('auth', { ...release, 'app.kubernetes.io/component': 'auth' });
    const registry = endpoint('registry', {
      ...release,
      'app.kubernetes.io/component': 'registry',
      'hoot.mx/registry-id': 'reg-c1-1',
    });
    const mongodb = endpoint('mongodb', { 'app.kubernetes.io/name': 'mongodb' });
    const kafka = endpoint('kafka', { 'app.kubernetes.io/name': 'kafka' });
    const api = { name: 'kube-apiserver', ip: '10.96.0.1' };
    const flows = allowedFlows(
      policies,
      'hoot',
      [registryTest, unlabelled, auth, registry, mongodb, kafka, api],
      [3100, 3200, 9092, 27017, 443].map((port) => ({ port, protocol: 'TCP' as const })),
    )
      // (the unlabelled pod's egress is unrestricted: outside addresses are reachable for it)
      .filter((f) => f.from === 'registry-egress' || (f.from === 'unlabelled' && f.to !== 'kube-apiserver'))
      .filter((f) => f.to !== 'registry-egress' && f.to !== 'unlabelled')
      .map((f) => `${f.from} -> ${f.to} ${f.port}`)
      .sort();
    expect(flows).toEqual([
      'registry-egress -> auth 3100',
      'registry-egress -> kafka 9092',
      'registry-egress -> kube-apiserver 443',
      'registry-egress -> mongodb 27017',
      'registry-egress -> registry 3200',
      'unlabelled -> registry 3200',
    ]);
  });

  it('leave the NetworkPolicy check out where no implementation enforces them', () => {
    const names = ofKind(render({ set: ['tests.networkPolicyEnforced=false'] }), 'Pod').map(
      (p) => p.metadata.name,
    );
    expect(names).not.toContain('hoot-test-unlabelled-denied');
    expect(ofKind(render({ set: ['tests.enabled=false'] }), 'Pod')).toEqual([]);
  });
});

describe('images', () => {
  it('scripts/build-images.sh builds exactly the images of image.repositories, with the chart’s tag', () => {
    const listed = execFileSync(join(WORKSPACE_ROOT, 'scripts/build-images.sh'), ['--list'], {
      encoding: 'utf8',
    })
      .trim()
      .split('\n')
      .map((line) => line.split(/\s+/)[0]);
    const chartValues = load(readFileSync(join(CHART_DIR, 'values.yaml'), 'utf8')) as {
      image: { repositories: Record<string, string> };
    };
    const repositories = Object.values(chartValues.image.repositories);
    expect(listed.sort()).toEqual(repositories.map((r) => `${r}:0.1.0`).sort());
    // Every hoot image a rendering runs (Kurento or kms-lite in the KMS container, the test pods) is built.
    const used = new Set(
      [rendered.default, render({ set: ['coremx.kms.engine=kms-lite'] })].flatMap((objects) => [
        ...podTemplates(objects).flatMap(({ template }) =>
          containersOf(template).map((c) => c.image as string),
        ),
        ...ofKind(objects, 'Pod').flatMap((pod) =>
          pod.spec.containers.map((c: Container) => c.image as string),
        ),
      ]),
    );
    const hootImages = [...used].filter((image) => image.startsWith('hoot/')).sort();
    expect(hootImages).toEqual([
      'hoot/auth:0.1.0',
      'hoot/cash:0.1.0',
      'hoot/kms-lite:0.1.0',
      'hoot/packager:0.1.0',
      'hoot/registry:0.1.0',
    ]);
    for (const image of hootImages) expect(listed).toContain(image);
  });

  it('compiles a service into a build context whose entry point boots (and stops at its config check)', () => {
    execFileSync(join(WORKSPACE_ROOT, 'scripts/build-images.sh'), ['--compile-only', 'auth'], {
      stdio: 'pipe',
    });
    const app = join(WORKSPACE_ROOT, 'dist/apps/auth'); // the build context (scripts/build-images.sh)
    const run = spawnSync(process.execPath, ['apps/auth/src/main.js'], {
      cwd: app,
      encoding: 'utf8',
      env: { PATH: process.env.PATH },
    });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('AUTH_KEYS_DIR');
    expect(run.stderr).not.toContain('Cannot find module');
  });
});
