import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, startKubeApiserver, type RunningKubeApiserver } from '@hoot/testing';
import { CoreV1Api, KubeConfig, type V1Pod } from '@kubernetes/client-node';
import {
  isK8sError,
  K8sErrorCode,
  loadKubeConfig,
  type KubeClient,
  type PodView,
  type PodWatchEvent,
  type PodWatcher,
  type PodWatcherProblem,
} from '../src';

// Starting etcd + kube-apiserver takes seconds when the binary is cached; building it first takes ~11 min.
const START_TIMEOUT_MS = 20 * 60_000;

let kube: RunningKubeApiserver;
let client: KubeClient;
let api: CoreV1Api;
let namespace: string;
const watchers: PodWatcher[] = [];

function pod(name: string, labels: Record<string, string>, nodeName?: string): V1Pod {
  return {
    metadata: { name, labels },
    spec: {
      ...(nodeName ? { nodeName } : {}),
      containers: [{ name: 'main', image: 'registry.invalid/hoot/cash:0' }],
    },
  };
}

interface Recorder {
  changed: PodView[];
  deleted: PodView[];
  problems: PodWatcherProblem[];
  latest(name: string): PodView | undefined;
}

function watch(labelSelector: string, tuning = {}): { watcher: PodWatcher; seen: Recorder } {
  const seen: Recorder = {
    changed: [],
    deleted: [],
    problems: [],
    latest: (name) => [...seen.changed].reverse().find((p) => p.name === name),
  };
  const watcher = client.podWatcher({
    namespace,
    labelSelector,
    onPodChanged: (p) => seen.changed.push(p),
    onPodDeleted: (p) => seen.deleted.push(p),
    onProblem: (p) => seen.problems.push(p),
    tuning: { initialBackoffMs: 100, maxBackoffMs: 1000, ...tuning },
  });
  watchers.push(watcher);
  return { watcher, seen };
}

beforeAll(async () => {
  kube = await startKubeApiserver();
  client = loadKubeConfig({ kubeconfigPath: kube.kubeconfigPath });
  const config = new KubeConfig();
  config.loadFromFile(kube.kubeconfigPath);
  api = config.makeApiClient(CoreV1Api);
  namespace = `hoot-it-${randomBytes(4).toString('hex')}`;
  await api.createNamespace({ body: { metadata: { name: namespace } } });
  // No controller-manager runs: the `default` service account the ServiceAccount admission wants is ours to make.
  await api.createNamespacedServiceAccount({ namespace, body: { metadata: { name: 'default' } } });
}, START_TIMEOUT_MS);

afterEach(() => {
  for (const watcher of watchers.splice(0)) watcher.stop();
});

afterAll(async () => {
  await kube?.stop();
});

describe('loadKubeConfig against a real kube-apiserver', () => {
  it('reads the kubeconfig the test server wrote', () => {
    expect(client.server).toBe(kube.server);
    expect(client.namespace).toBe('default');
  });

  it('maps a refused token to ApiForbidden', async () => {
    const bad = join(kube.dir, 'bad-kubeconfig');
    writeFileSync(
      bad,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'c', cluster: { server: kube.server, 'certificate-authority': kube.caFile } }],
        users: [{ name: 'u', user: { token: 'not-the-token' } }],
        contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
        'current-context': 'x',
      }),
    );
    const error = await loadKubeConfig({ kubeconfigPath: bad })
      .listPods(namespace)
      .catch((e: unknown) => e);
    expect(isK8sError(error, K8sErrorCode.ApiForbidden)).toBe(true);
  });
});

describe('the test API server', () => {
  it('enforces PodSecurity admission in a restricted namespace', async () => {
    const restricted = `${namespace}-restricted`;
    await api.createNamespace({
      body: {
        metadata: { name: restricted, labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } },
      },
    });
    await api.createNamespacedServiceAccount({
      namespace: restricted,
      body: { metadata: { name: 'default' } },
    });
    const refused = await api
      .createNamespacedPod({ namespace: restricted, body: pod('root-pod', { app: 'cash' }) })
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 403 });
    const status = JSON.parse(String((refused as { body?: unknown }).body)) as { message?: string };
    expect(status.message).toContain('violates PodSecurity "restricted:latest"');
  });
});

describe('PodWatcher against a real kube-apiserver', () => {
  it('sees pods listed, created, becoming ready, being deleted and deleted', async () => {
    await api.createNamespacedPod({ namespace, body: pod('cash-listed', { app: 'cash', t: 'life' }) });
    await api.createNamespacedPod({ namespace, body: pod('not-ours', { app: 'registry', t: 'life' }) });
    const { watcher, seen } = watch('app=cash,t=life');
    await watcher.start();
    expect(seen.changed.map((p) => p.name)).toEqual(['cash-listed']);

    // Bound to a node that does not exist: deletion waits for a kubelet that never comes (deleting=true).
    await api.createNamespacedPod({
      namespace,
      body: pod('cash-bound', { app: 'cash', t: 'life' }, 'ghost-node'),
    });
    await eventually(() =>
      expect(seen.latest('cash-bound')).toMatchObject({ phase: 'Pending', ready: false }),
    );

    const current = await api.readNamespacedPodStatus({ name: 'cash-bound', namespace });
    current.status = {
      ...current.status,
      phase: 'Running',
      podIP: '10.1.2.3',
      conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: new Date() }],
    };
    await api.replaceNamespacedPodStatus({ name: 'cash-bound', namespace, body: current });
    await eventually(() =>
      expect(seen.latest('cash-bound')).toMatchObject({
        phase: 'Running',
        ready: true,
        ip: '10.1.2.3',
        deleting: false,
      }),
    );

    await api.deleteNamespacedPod({ name: 'cash-bound', namespace });
    await eventually(() => expect(seen.latest('cash-bound')).toMatchObject({ deleting: true }));
    expect(seen.deleted).toEqual([]);

    await api.deleteNamespacedPod({ name: 'cash-bound', namespace, gracePeriodSeconds: 0 });
    await api.deleteNamespacedPod({ name: 'cash-listed', namespace }); // unscheduled: deleted at once
    await eventually(() =>
      expect(seen.deleted.map((p) => p.name).sort()).toEqual(['cash-bound', 'cash-listed']),
    );
    expect(seen.changed.some((p) => p.name === 'not-ours')).toBe(false);
    expect(watcher.pods()).toEqual([]);
    expect(seen.problems).toEqual([]);
  });

  it('resumes its watch after the server ends it (server-side timeout), without relisting', async () => {
    const { watcher, seen } = watch('t=timeout', { watchTimeoutSeconds: 1, healthyWatchMs: 500 });
    await watcher.start();
    await eventually(() => expect(watcher.stats.watches).toBeGreaterThanOrEqual(3), { timeoutMs: 30_000 });
    await api.createNamespacedPod({ namespace, body: pod('after-timeouts', { t: 'timeout' }) });
    await eventually(() => expect(seen.latest('after-timeouts')).toBeDefined());
    expect(watcher.stats.lists).toBe(1);
  });

  it('reconnects when kube-apiserver restarts, and misses nothing that happened meanwhile', async () => {
    await api.createNamespacedPod({ namespace, body: pod('survivor', { t: 'restart' }) });
    await api.createNamespacedPod({ namespace, body: pod('victim', { t: 'restart' }) });
    const { watcher, seen } = watch('t=restart');
    await watcher.start();
    const watchesBefore = watcher.stats.watches;

    await kube.restartApiserver();
    await api.deleteNamespacedPod({ name: 'victim', namespace });
    await api.createNamespacedPod({ namespace, body: pod('newcomer', { t: 'restart' }) });

    await eventually(() => expect(seen.deleted.map((p) => p.name)).toEqual(['victim']), {
      timeoutMs: 30_000,
    });
    await eventually(() => expect(seen.latest('newcomer')).toBeDefined());
    expect(watcher.stats.watches).toBeGreaterThan(watchesBefore);
    expect(seen.problems.length).toBeGreaterThan(0); // the broken connection was noticed and handled
    expect(seen.problems.every((p) => p.stage !== 'handler')).toBe(true);
    expect(
      watcher
        .pods()
        .map((p) => p.name)
        .sort(),
    ).toEqual(['newcomer', 'survivor']);
  });
});

describe('KubeClient (the adapter) against a real kube-apiserver', () => {
  it('reports a resourceVersion that is too old as 410 Gone', async () => {
    const events: PodWatchEvent[] = [];
    let ended: unknown = 'not yet';
    const session = await client.watchPods(
      { namespace, resourceVersion: '1' },
      (event) => events.push(event),
      (error) => (ended = error),
    );
    try {
      await eventually(() => {
        const gone = events.some((e) => e.type === 'ERROR' && e.code === 410);
        expect(gone || isK8sError(ended, K8sErrorCode.ApiGone)).toBe(true);
      });
    } finally {
      session.close();
    }
  });

  it('finds a Service URL by label, in-cluster and then through its load balancer', async () => {
    await api.createNamespacedService({
      namespace,
      body: {
        metadata: { name: 'registry', labels: { app: 'hoot-registry' } },
        spec: { type: 'LoadBalancer', ports: [{ name: 'http', port: 8080 }], selector: { app: 'registry' } },
      },
    });
    await expect(client.findServiceUrl(namespace, 'app=hoot-registry')).resolves.toMatchObject({
      url: `http://registry.${namespace}.svc:8080`,
      reach: 'in-cluster',
    });
    const service = await api.readNamespacedServiceStatus({ name: 'registry', namespace });
    service.status = { loadBalancer: { ingress: [{ ip: '203.0.113.9' }] } };
    await api.replaceNamespacedServiceStatus({ name: 'registry', namespace, body: service });
    await expect(client.findServiceUrl(namespace, 'app=hoot-registry')).resolves.toMatchObject({
      url: 'http://203.0.113.9:8080',
      reach: 'external',
    });
    const missing = await client.findServiceUrl(namespace, 'app=nothing').catch((e: unknown) => e);
    expect(isK8sError(missing, K8sErrorCode.ServiceNotFound)).toBe(true);
  });
});
