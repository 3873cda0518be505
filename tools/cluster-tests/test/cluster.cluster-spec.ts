/**
 * scripts/cluster-up and scripts/cluster-down for real (issue 15, items 3 and 4), with one cluster start:
 *  (a) the node comes up Ready; a pod runs, resolves a Service name through CoreDNS, is reachable through the
 *      Service and from the host by its pod IP;
 *  (b) NetworkPolicies are enforced, proved by traffic between two pods;
 *  (c) cluster-down leaves nothing behind on the machine (compared with a snapshot taken before cluster-up).
 * Needs root. A cluster already running is brought down first (the spec needs the machine without one).
 */
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { eventually } from '@hoot/testing';
import {
  KUBERNETES_SERVICE_IP,
  NODE_IP,
  NODE_NAME,
  POD_CIDR_PREFIX,
  ROOT,
  apply,
  clusterProcessesRunning,
  connectsFrom,
  kubectl,
  kubectlOk,
  netcheckPod,
  run,
  runOk,
} from '../src/cluster';
import { HostState, dockerState, leftovers, removed, snapshot } from '../src/host-state';

const NS = `cluster-spec-${process.pid}`;
const timings: Record<string, number> = {};

/** Connects from the host to IP:PORT and reads one line. */
function readLineFromHost(ip: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: ip, port, timeout: 2000 });
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk) => {
      data += chunk;
      if (data.includes('\n')) {
        socket.destroy();
        resolve(data.trim());
      }
    });
    socket.on('timeout', () => {
      socket.destroy();
      reject(new Error(`timeout connecting to ${ip}:${port}`));
    });
    socket.on('error', reject);
  });
}

async function podIp(name: string): Promise<string> {
  return eventually(
    async () => {
      const ip = (await kubectlOk(['-n', NS, 'get', 'pod', name, '-o', 'jsonpath={.status.podIP}'])).trim();
      expect(ip.startsWith(POD_CIDR_PREFIX)).toBe(true);
      return ip;
    },
    { timeoutMs: 60_000, intervalMs: 250, description: `pod ${name} has an IP` },
  );
}

describe('one-node cluster (scripts/cluster-up, scripts/cluster-down)', () => {
  let before: HostState;
  let dockerBefore: Awaited<ReturnType<typeof dockerState>>;
  let up: Awaited<ReturnType<typeof run>>;

  beforeAll(async () => {
    // network namespaces, iptables and mounts need root
    if (process.getuid?.() !== 0) throw new Error('the cluster specs need root (run npm test as root)');
    if (clusterProcessesRunning()) {
      await runOk('scripts/cluster-down', [], { timeoutMs: 180_000 });
    }
    before = await snapshot();
    dockerBefore = await dockerState();
    up = await run('scripts/cluster-up', [], { timeoutMs: 1_500_000 });
    timings['cluster-up'] = up.ms;
  });

  afterAll(async () => {
    // A failure before the last test must not leave a cluster running.
    if (clusterProcessesRunning()) await run('scripts/cluster-down', [], { timeoutMs: 180_000 });
    process.stdout.write(`cluster-tests timings (ms): ${JSON.stringify(timings)}\n`);
  });

  it('(a) brings the node Ready with DNS; a pod resolves a Service through CoreDNS and answers the host on its pod IP', async () => {
    expect({ code: up.code, tail: up.stderr.split('\n').slice(-15).join('\n') }).toMatchObject({ code: 0 });
    expect(up.stdout.trim()).toBe(`${ROOT}/.infra/cluster/kubeconfig`);

    const again = await runOk('scripts/cluster-up', [], { timeoutMs: 60_000 });
    timings['cluster-up (already running)'] = again.ms;
    expect(again.stderr).toContain('already running');
    expect(again.ms).toBeLessThan(10_000);

    const ready = await kubectlOk([
      'get',
      'node',
      NODE_NAME,
      '-o',
      'jsonpath={.status.conditions[?(@.type=="Ready")].status}',
    ]);
    expect(ready).toBe('True');
    expect(
      await kubectlOk(['get', 'storageclass', 'local', '-o', 'jsonpath={.metadata.annotations}']),
    ).toContain('is-default-class');
    expect(
      (await kubectlOk(['get', 'pv', '-o', 'name'])).split('\n').filter(Boolean).length,
    ).toBeGreaterThanOrEqual(12);

    await apply({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: NS, labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } },
    });
    await apply(
      netcheckPod(NS, 'server-b', { app: 'b' }, ['serve', ':8080']),
      netcheckPod(NS, 'client-a', { app: 'a' }, ['serve', ':8080']),
      netcheckPod(NS, 'client-c', { app: 'c' }, ['serve', ':8080']),
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'echo', namespace: NS },
        spec: { type: 'NodePort', selector: { app: 'b' }, ports: [{ port: 8080, targetPort: 8080 }] },
      },
    );
    const started = Date.now();
    await kubectlOk(['-n', NS, 'wait', '--for=condition=Ready', 'pod', '--all', '--timeout=120s'], {
      timeoutMs: 130_000,
    });
    timings['3 pods Ready'] = Date.now() - started;

    const bIp = await podIp('server-b');
    // from the host, by pod IP (the e2e suite's Chromium does WebRTC to pod IPs the same way)
    await expect(readLineFromHost(bIp, 8080)).resolves.toBe('netcheck server-b');

    // a Service name through CoreDNS, from a pod (search path: echo → echo.<ns>.svc.cluster.local)
    const resolved = await kubectlOk([
      '-n',
      NS,
      'exec',
      'client-a',
      '--',
      '/netcheck',
      'resolve',
      'echo',
      '30',
    ]);
    const echoIp = (
      await kubectlOk(['-n', NS, 'get', 'svc', 'echo', '-o', 'jsonpath={.spec.clusterIP}'])
    ).trim();
    expect(resolved.trim()).toBe(echoIp);
    const k8s = await kubectlOk([
      '-n',
      NS,
      'exec',
      'client-a',
      '--',
      '/netcheck',
      'resolve',
      'kubernetes.default',
      '30',
    ]);
    expect(k8s.trim()).toBe(KUBERNETES_SERVICE_IP);
    // and through the Service (kube-proxy), and its NodePort on the node IP from the host
    await eventually(
      async () => expect(await connectsFrom(NS, 'client-a', 'echo:8080')).toMatchObject({ ok: true }),
      {
        timeoutMs: 30_000,
        intervalMs: 250,
        description: 'client-a reaches the echo Service',
      },
    );
    const nodePort = Number(
      await kubectlOk(['-n', NS, 'get', 'svc', 'echo', '-o', 'jsonpath={.spec.ports[0].nodePort}']),
    );
    await eventually(
      async () => expect(await readLineFromHost(NODE_IP, nodePort)).toBe('netcheck server-b'),
      {
        timeoutMs: 30_000,
        intervalMs: 250,
        description: `NodePort ${nodePort} answers on ${NODE_IP}`,
      },
    );
  });

  it('(a) gives a claim of the default StorageClass a local volume a non-root pod can write; cluster-up recycles it once Released', async () => {
    const writer = netcheckPod(NS, 'writer', { app: 'writer' }, ['write', '/data/probe']);
    Object.assign(writer.spec, {
      restartPolicy: 'Never',
      securityContext: { ...writer.spec.securityContext, fsGroup: 65532 },
      volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }],
    });
    Object.assign(writer.spec.containers[0] ?? {}, { volumeMounts: [{ name: 'data', mountPath: '/data' }] });
    await apply(
      {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: 'data', namespace: NS },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '100Mi' } } },
      },
      writer,
    );
    await eventually(
      async () =>
        expect(await kubectlOk(['-n', NS, 'get', 'pod', 'writer', '-o', 'jsonpath={.status.phase}'])).toBe(
          'Succeeded',
        ),
      { timeoutMs: 60_000, intervalMs: 250, description: 'the writer pod wrote to its volume' },
    );
    const pv = (
      await kubectlOk(['-n', NS, 'get', 'pvc', 'data', '-o', 'jsonpath={.spec.volumeName}'])
    ).trim();
    const path = (await kubectlOk(['get', 'pv', pv, '-o', 'jsonpath={.spec.local.path}'])).trim();
    expect(readFileSync(join(path, 'probe'), 'utf8')).toBe('netcheck writer\n');

    await kubectlOk(['-n', NS, 'delete', 'pod', 'writer', '--wait=true']);
    await kubectlOk(['-n', NS, 'delete', 'pvc', 'data', '--wait=true']);
    await eventually(
      async () =>
        expect(await kubectlOk(['get', 'pv', pv, '-o', 'jsonpath={.status.phase}'])).toBe('Released'),
      {
        timeoutMs: 30_000,
        intervalMs: 250,
        description: `${pv} Released`,
      },
    );
    await runOk('scripts/cluster-up', [], { timeoutMs: 60_000 });
    expect(await kubectlOk(['get', 'pv', pv, '-o', 'jsonpath={.status.phase}'])).toBe('Available');
    expect(existsSync(join(path, 'probe'))).toBe(false);
  });

  it('(b) enforces NetworkPolicies: deny-all ingress cuts A off from B, a policy for A’s label lets A (only) back in', async () => {
    const target = `${await podIp('server-b')}:8080`;
    const poll = { timeoutMs: 60_000, intervalMs: 250 };

    // no policy: everyone reaches B
    await eventually(
      async () => expect(await connectsFrom(NS, 'client-a', target)).toMatchObject({ ok: true }),
      {
        ...poll,
        description: 'A reaches B without a policy',
      },
    );
    expect(await connectsFrom(NS, 'client-c', target)).toMatchObject({ ok: true });

    // deny all ingress to B
    let t = Date.now();
    await apply({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'b-deny-all', namespace: NS },
      spec: { podSelector: { matchLabels: { app: 'b' } }, policyTypes: ['Ingress'] },
    });
    await eventually(
      async () => expect(await connectsFrom(NS, 'client-a', target)).toMatchObject({ ok: false }),
      {
        ...poll,
        description: 'A is denied after deny-all',
      },
    );
    timings['deny-all enforced'] = Date.now() - t;
    expect(await connectsFrom(NS, 'client-c', target)).toMatchObject({ ok: false });
    expect(await connectsFrom(NS, 'client-a', 'echo:8080')).toMatchObject({ ok: false }); // through the Service too

    // allow A's label
    t = Date.now();
    await apply({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'b-allow-a', namespace: NS },
      spec: {
        podSelector: { matchLabels: { app: 'b' } },
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: [{ podSelector: { matchLabels: { app: 'a' } } }],
            ports: [{ protocol: 'TCP', port: 8080 }],
          },
        ],
      },
    });
    await eventually(
      async () => expect(await connectsFrom(NS, 'client-a', target)).toMatchObject({ ok: true }),
      {
        ...poll,
        description: 'A reaches B again once its label is allowed',
      },
    );
    timings['allow enforced'] = Date.now() - t;
    expect(await connectsFrom(NS, 'client-c', target)).toMatchObject({ ok: false });
  });

  it('(c) cluster-down leaves nothing behind: processes, iptables chains, ipsets, netns, links, mounts, cgroups', async () => {
    const during = await snapshot();
    const added = leftovers(before, during);
    // the comparison is not vacuous: the running cluster shows in every kind the snapshot covers
    expect(Object.keys(added).sort()).toEqual(
      expect.arrayContaining(['cgroups', 'ipsets', 'iptables', 'links', 'mounts', 'netns', 'processes']),
    );
    expect(added['links']).toEqual(expect.arrayContaining(['hoot0', 'hootcni0']));

    const down = await runOk('scripts/cluster-down', [], { timeoutMs: 300_000 });
    timings['cluster-down'] = down.ms;
    const after = await snapshot();
    expect(leftovers(before, after)).toEqual({});
    // and it took nothing away that was there before: no one else's chains, sets, links or namespaces…
    expect(removed(before, after)).toEqual({});
    // …nor Docker's rules, when the same dockerd ran throughout
    const dockerAfter = await dockerState();
    const sameDockerd = dockerBefore.dockerd !== '' && dockerBefore.dockerd === dockerAfter.dockerd;
    const dockerRulesGone = sameDockerd
      ? [...dockerBefore.rules].filter((r) => !dockerAfter.rules.has(r))
      : [];
    expect(dockerRulesGone).toEqual([]);
    expect(clusterProcessesRunning()).toBe(false);
    const ping = await kubectl(['get', '--raw', '/readyz'], { timeoutMs: 10_000 });
    expect(ping.code).not.toBe(0);
    expect((await runOk('ip', ['-4', 'addr'])).stdout).not.toContain(`${NODE_IP}/32`);
  });
});
