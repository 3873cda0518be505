import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { loadKubeConfig, type PodView, type PodWatcher } from '@hoot/k8s';
import { eventually, startKubeApiserver, type RunningKubeApiserver } from '@hoot/testing';
import {
  CHART_DIR,
  parseManifests,
  podTemplates,
  render,
  runHelm,
  WORKSPACE_ROOT,
  type K8sObject,
} from '../src/chart.render';

// Starting etcd + kube-apiserver takes seconds when the binary is cached; building it first takes ~11 min.
const START_TIMEOUT_MS = 20 * 60_000;

let kube: RunningKubeApiserver;
const watchers: PodWatcher[] = [];

interface Kubectl {
  status: number;
  stdout: string;
  stderr: string;
}

function kubectl(args: string[], input?: string): Kubectl {
  const run = spawnSync('kubectl', ['--kubeconfig', kube.kubeconfigPath, ...args], {
    input,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.error) throw run.error;
  return { status: run.status ?? -1, stdout: run.stdout, stderr: run.stderr };
}

function mustKubectl(args: string[], input?: string): string {
  const run = kubectl(args, input);
  if (run.status !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${run.stderr}`);
  return run.stdout;
}

function toYaml(objects: object[]): string {
  return objects.map((o) => dump(o, { noRefs: true })).join('---\n');
}

/** What the controllers would create: one Pod per workload (no controller runs in the test server). */
function podsOf(objects: K8sObject[]): K8sObject[] {
  return podTemplates(objects).map(({ owner, template }) => {
    const name = owner.kind === 'StatefulSet' ? `${owner.metadata.name}-0` : `${owner.metadata.name}-abcde`;
    const claims = (owner.spec.volumeClaimTemplates ?? []).map((claim: K8sObject) => ({
      name: claim.metadata.name,
      persistentVolumeClaim: { claimName: `${claim.metadata.name}-${name}` },
    }));
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, labels: template.metadata.labels, annotations: template.metadata.annotations },
      spec: { ...template.spec, volumes: [...(template.spec.volumes ?? []), ...claims] },
    };
  });
}

function createNamespace(name: string, level: 'restricted' | 'privileged', chartAccounts = true): void {
  const labels = { 'pod-security.kubernetes.io/enforce': level, 'pod-security.kubernetes.io/warn': level };
  mustKubectl(
    ['apply', '-f', '-'],
    toYaml([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } }]),
  );
  // No controller-manager: the namespace gets no `default` ServiceAccount by itself; the chart's own
  // ServiceAccounts are created for real so that pods naming them pass the ServiceAccount admission.
  const accounts = chartAccounts ? render({}).filter((o) => o.kind === 'ServiceAccount') : [];
  const defaultAccount = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default' } };
  mustKubectl(['-n', name, 'apply', '-f', '-'], toYaml([defaultAccount, ...accounts]));
}

function dryRun(namespace: string, objects: object[]): Kubectl {
  return kubectl(['-n', namespace, 'apply', '--dry-run=server', '-f', '-'], toYaml(objects));
}

beforeAll(async () => {
  kube = await startKubeApiserver();
  createNamespace('hoot', 'restricted');
}, START_TIMEOUT_MS);

afterAll(async () => {
  for (const w of watchers) w.stop();
  await kube?.stop();
});

describe.each([
  ['default values', { valueSets: [] }],
  ['two clouds × two registry nodes', { valueSets: ['two-clouds'] }],
  ['external Kafka/MongoDB with existing secrets', { valueSets: ['external-infra'] }],
  [
    'the local cluster values (kms-lite, NodePorts)',
    { valueFiles: [join(WORKSPACE_ROOT, 'k8s/overlays/local/values.yaml')] },
  ],
])('the chart with %s, against a real kube-apiserver', (_name, options) => {
  // ServiceMonitor needs the prometheus-operator CRDs, which this API server does not have. The test pods
  // (helm test hooks) are among the objects: PodSecurity judges them too.
  const objects = render(options).filter((o) => o.kind !== 'ServiceMonitor');

  it('is accepted by `kubectl apply --dry-run=server` in a namespace enforcing `restricted`, with no warning', () => {
    const run = dryRun('hoot', objects);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout.trim().split('\n')).toHaveLength(objects.length);
  });

  it('its pods (as the controllers would create them) pass PodSecurity `restricted` admission', () => {
    const run = dryRun('hoot', podsOf(objects));
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });
});

describe('OpenAPI validation by the API server', () => {
  it('refuses an object with a field its schema does not have (strict field validation; the test can fail)', () => {
    const objects = render({});
    const deployment = objects.find((o) => o.kind === 'Deployment') as K8sObject;
    const broken = { ...deployment, spec: { ...deployment.spec, replica: 2 } };
    const run = dryRun('hoot', [broken]);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('unknown field "spec.replica"');
  });
});

describe('helm install against the API server', () => {
  it('installs the release and prints NOTES telling how to reach the web app, sign in and set up webhooks', () => {
    createNamespace('hoot-install', 'restricted', false);
    const run = runHelm([
      'install',
      'hoot',
      CHART_DIR,
      '-n',
      'hoot-install',
      '--kubeconfig',
      kube.kubeconfigPath,
    ]);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('STATUS: deployed');
    expect(run.stdout).toContain('reg-c1-1: http://reg-c1-1.hoot.local');
    expect(run.stdout).toContain('kubectl -n hoot-install port-forward svc/hoot-reg-c1-1 8080:3200');
    expect(run.stdout).toContain("get secret hoot-auth -o jsonpath='{.data.bootstrap-admin-password}'");
    expect(run.stdout).toContain('the signing key is key "webhook-signing-key" of Secret hoot-registry');
    expect(run.stdout).toContain(
      'Delivery egress (registry.webhooks.egress): 0.0.0.0/0 except private ranges, TCP 443',
    );
    expect(run.stdout).toContain('Secret hoot-cash holds one service API key per CoreMX pod');
    expect(run.stdout).toContain('  cash-hoot-coremx-c1-0 \n');
    const installed = mustKubectl(['-n', 'hoot-install', 'get', 'deployments,statefulsets', '-o', 'name'])
      .trim()
      .split('\n');
    expect(installed.sort()).toEqual([
      'deployment.apps/hoot-auth',
      'deployment.apps/hoot-reg-c1-1',
      'statefulset.apps/hoot-coremx-c1',
    ]);
  });
});

describe('host networking for media', () => {
  const objects = render({ valueSets: ['host-network'] });
  const coremxPods = podsOf(objects).filter(
    (p) => p.metadata.labels?.['app.kubernetes.io/component'] === 'coremx',
  );

  it('is refused in a `restricted` namespace, naming hostNetwork (the test can fail)', () => {
    const run = dryRun('hoot', coremxPods);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain(
      'violates PodSecurity "restricted:latest": host namespaces (hostNetwork=true)',
    );
  });

  it('is accepted in a namespace labelled `privileged`, as the values document', () => {
    createNamespace('hoot-media', 'privileged');
    const run = dryRun('hoot-media', [...objects.filter((o) => o.kind !== 'Namespace'), ...coremxPods]);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });
});

describe.each(['minikube', 'local'])('the %s overlay (k8s/)', (overlay) => {
  it('renders with kustomize and its dev Kafka and MongoDB pods pass `restricted` admission', () => {
    const objects = parseManifests(
      mustKubectl(['kustomize', join(WORKSPACE_ROOT, `k8s/overlays/${overlay}`)]),
    );
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'Namespace/hoot',
      'NetworkPolicy/hoot-kafka',
      'NetworkPolicy/hoot-mongodb',
      'Service/hoot-kafka',
      'Service/hoot-mongodb',
      'StatefulSet/hoot-kafka',
      'StatefulSet/hoot-mongodb',
    ]);
    const run = dryRun('hoot', objects);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const pods = dryRun('hoot', podsOf(objects));
    expect(pods.stderr).toBe('');
    expect(pods.status).toBe(0);
    const namespace = objects.find((o) => o.kind === 'Namespace') as K8sObject;
    expect(namespace.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });
});

describe('the registry’s RBAC, installed for real', () => {
  const objects = render({});
  const rbac = objects.filter((o) => ['ServiceAccount', 'Role', 'RoleBinding'].includes(o.kind));
  const as = ['--as', 'system:serviceaccount:hoot:hoot-registry'];
  const can = (...args: string[]) => kubectl(['auth', 'can-i', ...as, ...args]).stdout.trim();

  beforeAll(() => {
    mustKubectl(['-n', 'hoot', 'apply', '-f', '-'], toYaml(rbac));
  });

  it('lets the registry get, list and watch pods of its namespace, and nothing else', () => {
    expect([
      can('get', 'pods', '-n', 'hoot'),
      can('list', 'pods', '-n', 'hoot'),
      can('watch', 'pods', '-n', 'hoot'),
    ]).toEqual(['yes', 'yes', 'yes']);
    expect(can('create', 'pods', '-n', 'hoot')).toBe('no');
    expect(can('delete', 'pods', '-n', 'hoot')).toBe('no');
    expect(can('get', 'secrets', '-n', 'hoot')).toBe('no');
    expect(can('get', 'configmaps', '-n', 'hoot')).toBe('no');
    expect(can('list', 'pods', '-n', 'kube-system')).toBe('no');
    expect(can('list', 'pods', '--all-namespaces')).toBe('no');
    expect(can('get', 'pods', '-n', 'hoot', '--as', 'system:serviceaccount:hoot:hoot-auth')).toBe('no');
  });

  it('is enough for the pod watch of libs/k8s with the chart’s selector: a CoreMX pod is seen, then its deletion', async () => {
    const token = mustKubectl(['-n', 'hoot', 'create', 'token', 'hoot-registry']).trim();
    const path = join(kube.dir, 'registry-kubeconfig.yaml');
    writeFileSync(
      path,
      dump({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'test', cluster: { server: kube.server, 'certificate-authority': kube.caFile } }],
        users: [{ name: 'registry', user: { token } }],
        contexts: [{ name: 'registry', context: { cluster: 'test', user: 'registry', namespace: 'hoot' } }],
        'current-context': 'registry',
      }),
    );
    const config = objects.find(
      (o) => o.kind === 'ConfigMap' && o.metadata.name === 'hoot-reg-c1-1',
    ) as K8sObject;
    const changed: PodView[] = [];
    const deleted: PodView[] = [];
    const watcher = loadKubeConfig({ kubeconfigPath: path }).podWatcher({
      namespace: 'hoot',
      labelSelector: config.data.K8S_COREMX_SELECTOR,
      onPodChanged: (p) => changed.push(p),
      onPodDeleted: (p) => deleted.push(p),
      onProblem: () => undefined,
    });
    watchers.push(watcher);
    await watcher.start();

    // A real CoreMX pod from the chart (restricted admission applies) and one pod outside the selector.
    const [coremx] = podsOf(objects).filter(
      (p) => p.metadata.labels?.['app.kubernetes.io/component'] === 'coremx',
    );
    const [auth] = podsOf(objects).filter(
      (p) => p.metadata.labels?.['app.kubernetes.io/component'] === 'auth',
    );
    mustKubectl(['-n', 'hoot', 'create', '-f', '-'], toYaml([coremx, auth]));
    await eventually(() => expect(changed.map((p) => p.name)).toContain('hoot-coremx-c1-0'));
    mustKubectl(['-n', 'hoot', 'delete', 'pod', 'hoot-coremx-c1-0', '--grace-period=0', '--force']);
    await eventually(() => expect(deleted.map((p) => p.name)).toEqual(['hoot-coremx-c1-0']));
    expect(changed.map((p) => p.name)).not.toContain(auth.metadata.name);
  });
});
