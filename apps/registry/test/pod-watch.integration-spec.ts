import { execFileSync } from 'node:child_process';
import {
  eventually,
  integrationInfra,
  mongoUriFor,
  startKubeApiserver,
  type RunningKubeApiserver,
  RegistryCluster,
} from '@hoot/testing';

/**
 * The cluster switch: a registry with `K8S_POD_WATCH=true` against a real kube-apiserver marks a CoreMX
 * down as soon as its pod is deleted. Failure-detection timeouts are set far beyond the spec's length,
 * so only the pod watch can have done it.
 */
const NAMESPACE = 'hoot-podwatch';
let kube: RunningKubeApiserver;
let cluster: RegistryCluster;

const kubectl = (args: string[], input?: string) =>
  execFileSync('kubectl', ['--kubeconfig', kube.kubeconfigPath, ...args], { input, encoding: 'utf8' });

const pod = (name: string, coremxId: string) =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: NAMESPACE,
      labels: { 'app.kubernetes.io/component': 'coremx', 'hoot.mx/coremx-id': coremxId },
    },
    spec: { containers: [{ name: 'cash', image: 'registry.invalid/hoot/cash:0' }] },
  });

beforeAll(async () => {
  // A cold machine builds kube-apiserver first (≈11 min, then cached at user level).
  kube = await startKubeApiserver();
  kubectl(['create', 'namespace', NAMESPACE]);
  kubectl(['-n', NAMESPACE, 'create', 'serviceaccount', 'default']);
  cluster = new RegistryCluster(
    {
      mongoUri: (db) => mongoUriFor(db),
      kafkaBrokers: integrationInfra().kafkaBrokers,
      prefix: `podw${Date.now().toString(36)}`,
    },
    [
      {
        registryId: 'reg-c1-1',
        env: {
          K8S_POD_WATCH: 'true',
          K8S_KUBECONFIG: kube.kubeconfigPath,
          K8S_NAMESPACE: NAMESPACE,
          SUSPECT_AFTER_MS: '600000',
          COREMX_SUSPECT_AFTER_MS: '600000',
          DEAD_AFTER_MS: '1200000',
          COREMX_HARD_TIMEOUT_MS: '1800000',
        },
      },
    ],
    undefined,
    ['coremx-k1', 'coremx-k2'],
  );
  await cluster.start();
}, 25 * 60_000);

afterAll(async () => {
  await cluster?.stop();
  await kube?.stop();
});

it('marks the CoreMX of a deleted pod down at once, and leaves the others alone', async () => {
  const user = await cluster.userToken('operator');
  const url = cluster.urlOf('reg-c1-1');
  const coremx = async () =>
    (
      (await (await fetch(`${url}/v1/coremx`, { headers: { authorization: `Bearer ${user}` } })).json()) as {
        coremx: Array<{ coremxId: string; state: string }>;
      }
    ).coremx.map((c) => [c.coremxId, c.state]);
  kubectl(['apply', '-f', '-'], pod('coremx-k1-0', 'coremx-k1'));
  kubectl(['apply', '-f', '-'], pod('coremx-k2-0', 'coremx-k2'));
  for (const id of ['coremx-k1', 'coremx-k2']) {
    const res = await fetch(`${url}/internal/v1/coremx/${id}`, {
      method: 'PUT',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${await cluster.cashToken(id)}`,
      },
      body: JSON.stringify({
        address: `${id}.c1.hoot.mx`,
        signalingUrl: `ws://127.0.0.1:1/${id}`,
        state: 'active',
        load: 0.1,
        rooms: 0,
        participants: 0,
        capacity: 10,
        incarnation: 1,
        seq: 1,
      }),
    });
    expect(res.status).toBe(200);
  }
  expect(await coremx()).toEqual([
    ['coremx-k1', 'active'],
    ['coremx-k2', 'active'],
  ]);
  kubectl(['-n', NAMESPACE, 'delete', 'pod', 'coremx-k1-0', '--wait=false']);
  await eventually(
    async () =>
      expect(await coremx()).toEqual([
        ['coremx-k1', 'down'],
        ['coremx-k2', 'active'],
      ]),
    { description: 'coremx-k1 is down after its pod was deleted', timeoutMs: 30_000 },
  );
});
