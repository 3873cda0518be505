/**
 * The installed platform as the suite sees it from the host: the registry nodes through their NodePorts,
 * the CoreMX pods and StatefulSets, port-forwards to cluster-internal Services (auth, Kafka), the people
 * of the run (created through auth's admin API) and the operators' service key.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ManagedProcess, eventually } from '@hoot/testing';
import { ARTIFACTS, KUBECONFIG, NAMESPACE, RELEASE, kubectlJson, kubectlOk, kubectlPath } from './cluster';

export type Cloud = 'c1' | 'c2';

export interface RegistryNode {
  registryId: string;
  cloud: Cloud;
  /** What the suite and the browser use: http://<node IP>:<NodePort> (HOOT_E2E_REGISTRY_<CLOUD> overrides). */
  url: string;
  /** The Service's `hoot.mx/url` annotation (what `kubectl hoot` uses). */
  annotatedUrl: string | undefined;
  deployment: string;
}

export interface CoreMxPod {
  /** The CoreMX id: the pod name. */
  coremxId: string;
  cloud: Cloud;
  statefulSet: string;
  podIP: string;
  uid: string;
}

export interface Person {
  username: string;
  password: string;
  displayName: string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Kubernetes objects are walked freely
type K8sObject = Record<string, any>;

/** The node's InternalIP (NodePorts answer there). */
export async function nodeIp(): Promise<string> {
  const nodes = await kubectlJson(['get', 'nodes']);
  const addresses: K8sObject[] = nodes.items[0]?.status?.addresses ?? [];
  const ip = addresses.find((a) => a.type === 'InternalIP')?.address;
  if (!ip) throw new Error('the node has no InternalIP');
  return ip;
}

/** The registry nodes of the release: one Service per node, labelled with its id. */
export async function registryNodes(): Promise<Record<Cloud, RegistryNode>> {
  const ip = await nodeIp();
  const services = await kubectlJson(['get', 'services', '-l', 'app.kubernetes.io/component=registry']);
  const found: Partial<Record<Cloud, RegistryNode>> = {};
  for (const svc of services.items as K8sObject[]) {
    const registryId: string = svc.metadata.labels?.['hoot.mx/registry-id'] ?? '';
    const cloud = /^reg-(c[12])-1$/.exec(registryId)?.[1] as Cloud | undefined;
    if (!cloud) continue;
    const port = (svc.spec.ports as K8sObject[]).find((p) => p.nodePort) ?? svc.spec.ports[0];
    const override = process.env[`HOOT_E2E_REGISTRY_${cloud.toUpperCase()}`];
    const annotatedUrl: string | undefined = svc.metadata.annotations?.['hoot.mx/url'];
    const url = override ?? (port?.nodePort ? `http://${ip}:${port.nodePort}` : annotatedUrl);
    if (!url) throw new Error(`service ${svc.metadata.name} has no NodePort and no hoot.mx/url`);
    const selector = Object.entries(svc.spec.selector as Record<string, string>)
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    const deployments = await kubectlJson(['get', 'deployments', '-l', selector]);
    const deployment: string =
      (deployments.items as K8sObject[])[0]?.metadata.name ?? `${RELEASE}-${registryId}`;
    found[cloud] = { registryId, cloud, url: url.replace(/\/$/, ''), annotatedUrl, deployment };
  }
  if (!found.c1 || !found.c2) {
    throw new Error(`expected registry Services reg-c1-1 and reg-c2-1, found ${Object.keys(found).join()}`);
  }
  return found as Record<Cloud, RegistryNode>;
}

/** The CoreMX pods (one per StatefulSet pod), by id. */
export async function coremxPods(): Promise<CoreMxPod[]> {
  const pods = await kubectlJson(['get', 'pods', '-l', 'app.kubernetes.io/component=coremx']);
  return (pods.items as K8sObject[])
    .filter((p) => !p.metadata.deletionTimestamp)
    .map((p) => ({
      coremxId: p.metadata.labels?.['hoot.mx/coremx-id'] ?? p.metadata.name,
      cloud: p.metadata.labels?.['hoot.mx/cloud'] as Cloud,
      statefulSet: (p.metadata.ownerReferences as K8sObject[] | undefined)?.find(
        (o) => o.kind === 'StatefulSet',
      )?.name,
      podIP: p.status?.podIP ?? '',
      uid: p.metadata.uid,
    }));
}

/** The pods of one registry node's Deployment. */
export async function registryPods(deployment: string): Promise<{ name: string; ready: boolean }[]> {
  const dep = await kubectlJson(['get', 'deployment', deployment]);
  const selector = Object.entries(dep.spec.selector.matchLabels as Record<string, string>)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  const pods = await kubectlJson(['get', 'pods', '-l', selector]);
  return (pods.items as K8sObject[])
    .filter((p) => !p.metadata.deletionTimestamp)
    .map((p) => ({
      name: p.metadata.name,
      ready: (p.status?.conditions ?? []).some((c: K8sObject) => c.type === 'Ready' && c.status === 'True'),
    }));
}

/** A Secret's key, decoded (undefined when absent). */
export async function secretValue(secret: string, key: string): Promise<string | undefined> {
  const s = await kubectlJson(['get', 'secret', secret]);
  const data: string | undefined = s.data?.[key];
  return data === undefined ? undefined : Buffer.from(data, 'base64').toString('utf8').trim();
}

/** A `kubectl port-forward` to a Service on a free local port; stop it when done. */
export interface PortForward {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export async function portForward(service: string, remotePort: number): Promise<PortForward> {
  let port = 0;
  const proc = await ManagedProcess.start({
    name: `port-forward ${service}`,
    command: kubectlPath(),
    args: [
      '--kubeconfig',
      KUBECONFIG,
      '-n',
      NAMESPACE,
      'port-forward',
      '--address',
      '127.0.0.1',
      `svc/${service}`,
      `:${remotePort}`,
    ],
    logFile: join(ARTIFACTS, `port-forward-${service}.log`),
    readyLine: /Forwarding from 127\.0\.0\.1:\d+/,
    readyTimeoutMs: 30_000,
    onLine: (line) => {
      const m = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(line);
      if (m) port = Number(m[1]);
    },
  });
  return { url: `http://127.0.0.1:${port}`, port, stop: () => proc.stop(5_000) };
}

/** A user token through a registry's sign-in route, as the page gets it. */
export async function userToken(registryUrl: string, person: Person): Promise<string> {
  const res = await fetch(`${registryUrl}/v1/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'password', username: person.username, password: person.password }),
    signal: AbortSignal.timeout(10_000),
  });
  if (!res.ok) throw new Error(`sign-in of ${person.username}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

/** GET a registry route with a token; throws unless 200. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- registry answers are walked freely
export async function registryGet(registryUrl: string, token: string, path: string): Promise<any> {
  const res = await fetch(`${registryUrl}${path}`, {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(10_000),
  });
  if (res.status !== 200) throw new Error(`GET ${path} at ${registryUrl}: ${res.status} ${await res.text()}`);
  return res.json();
}

export interface CoreMxView {
  coremxId: string;
  liveness: 'alive' | 'suspect' | 'down';
  state?: string;
  cloud?: string;
  rooms?: number;
}

/** `GET /v1/coremx` of a registry. */
export async function coremxAt(registryUrl: string, token: string): Promise<CoreMxView[]> {
  return ((await registryGet(registryUrl, token, '/v1/coremx')) as { coremx: CoreMxView[] }).coremx;
}

/**
 * The people of the run, created through auth's admin API (a port-forward to the auth Service, with the
 * admin key of the Secret the chart reads): `<name>-<run>` so a reused cluster never collides.
 */
export async function createPeople(names: string[]): Promise<Record<string, Person>> {
  const adminKey = await secretValue('hoot-auth', 'admin-api-key');
  if (!adminKey) throw new Error('Secret hoot-auth has no admin-api-key');
  const auth = await portForward(await authServiceName(), 3100);
  try {
    const run = randomBytes(3).toString('hex');
    const people: Record<string, Person> = {};
    for (const name of names) {
      const person = {
        username: `${name}-${run}`,
        password: `pw-${name}-${randomBytes(8).toString('hex')}`,
        displayName: `${name[0].toUpperCase()}${name.slice(1)} ${run}`,
      };
      await eventually(
        async () => {
          const res = await fetch(`${auth.url}/v1/admin/accounts`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${adminKey}` },
            body: JSON.stringify(person),
            signal: AbortSignal.timeout(10_000),
          });
          if (res.status !== 201)
            throw new Error(`creating ${person.username}: ${res.status} ${await res.text()}`);
        },
        { timeoutMs: 30_000, intervalMs: 1_000, description: `account ${person.username}` },
      );
      people[name] = person;
    }
    return people;
  } finally {
    await auth.stop();
  }
}

/** The auth Service of the release. */
async function authServiceName(): Promise<string> {
  const services = await kubectlJson(['get', 'services', '-l', 'app.kubernetes.io/component=auth']);
  const name: string | undefined = (services.items as K8sObject[])[0]?.metadata.name;
  if (!name) throw new Error('no auth Service (app.kubernetes.io/component=auth)');
  return name;
}

/**
 * The operators' service API key, for `kubectl hoot coremx drain`: `ops` of the bootstrap service keys
 * in Secret hoot-auth (how the chart's README has operators add one), else `.infra/local-secrets/
 * service-key-ops`, else a service account made for this run through auth's admin API.
 */
export async function operatorKey(): Promise<{ key: string; source: string }> {
  const pairs = (await secretValue('hoot-auth', 'bootstrap-service-keys')) ?? '';
  const ops = pairs
    .split(',')
    .map((p) => p.trim().split(':'))
    .find(([name]) => name === 'ops');
  if (ops?.[1]) return { key: ops[1], source: 'Secret hoot-auth bootstrap-service-keys (ops)' };
  const adminKey = await secretValue('hoot-auth', 'admin-api-key');
  if (!adminKey) throw new Error('Secret hoot-auth has no admin-api-key');
  const auth = await portForward(await authServiceName(), 3100);
  try {
    const username = `ops-e2e-${randomBytes(3).toString('hex')}`;
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${adminKey}` };
    const created = await fetch(`${auth.url}/v1/admin/accounts`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ username, displayName: 'Operators (e2e)', kind: 'service' }),
    });
    if (created.status !== 201)
      throw new Error(`creating ${username}: ${created.status} ${await created.text()}`);
    const { id } = (await created.json()) as { id: string };
    const key = await fetch(`${auth.url}/v1/admin/accounts/${id}/api-keys`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ name: 'cluster-e2e' }),
    });
    if (key.status !== 201) throw new Error(`key of ${username}: ${key.status} ${await key.text()}`);
    return {
      key: ((await key.json()) as { apiKey: string }).apiKey,
      source: `service account ${username} made through auth's admin API`,
    };
  } finally {
    await auth.stop();
  }
}

/** `kubectl delete pod NAME` (graceful, returns once the API accepted it). */
export async function deletePod(name: string): Promise<void> {
  await kubectlOk(['delete', 'pod', name, '--wait=false']);
}

export { kubectlJson, kubectlOk };
