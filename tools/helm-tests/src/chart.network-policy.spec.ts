import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { allowedFlows, type Endpoint, type Flow } from './network-policy.evaluator';
import { WORKSPACE_ROOT, named, ofKind, parseManifests, podTemplates, render } from './chart.render';
import { rendered } from './chart.fixture';

describe('NetworkPolicies', () => {
  it('deny by default: one policy selects every pod of the release with no rule in either direction', () => {
    for (const objects of Object.values(rendered)) {
      const deny = named(objects, 'NetworkPolicy', 'hoot-default-deny');
      expect(deny.spec).toEqual({
        podSelector: {
          matchLabels: { 'app.kubernetes.io/instance': 'hoot', 'app.kubernetes.io/name': 'hoot' },
        },
        policyTypes: ['Ingress', 'Egress'],
      });
      for (const { template } of podTemplates(objects))
        expect(template.metadata.labels).toMatchObject(deny.spec.podSelector.matchLabels);
    }
  });
});

describe('NetworkPolicies allow exactly the flows of ARCHITECTURE.md', () => {
  const release = { 'app.kubernetes.io/name': 'hoot', 'app.kubernetes.io/instance': 'hoot' };
  const pod = (component: string, extra: Record<string, string> = {}) => ({
    ...release,
    'app.kubernetes.io/component': component,
    ...extra,
  });
  const endpoints: Endpoint[] = [
    { name: 'auth', labels: pod('auth') },
    { name: 'reg-c1-1', labels: pod('registry', { 'hoot.mx/registry-id': 'reg-c1-1' }) },
    { name: 'reg-c2-1', labels: pod('registry', { 'hoot.mx/registry-id': 'reg-c2-1' }) },
    { name: 'coremx', labels: pod('coremx', { 'hoot.mx/cloud': 'c1' }) },
    { name: 'kafka', labels: { 'app.kubernetes.io/name': 'kafka' } },
    { name: 'mongodb', labels: { 'app.kubernetes.io/name': 'mongodb' } },
    { name: 'kube-dns', labels: { 'k8s-app': 'kube-dns' }, namespace: 'kube-system' },
    { name: 'ingress-controller', labels: { app: 'ingress-nginx' }, namespace: 'ingress-nginx' },
    { name: 'prometheus', labels: { app: 'prometheus' }, namespace: 'monitoring' },
    { name: 'other-app', labels: { app: 'other' } },
    { name: 'kube-apiserver', ip: '10.96.0.1' },
    { name: 'cloud-metadata', ip: '169.254.169.254' },
    { name: 'client', ip: '198.51.100.7' },
  ];
  const outside = ['kube-apiserver', 'cloud-metadata', 'client'];
  const tcp = [53, 80, 443, 3100, 3200, 3300, 6443, 8443, 8888, 9092, 27017].map((port) => ({
    port,
    protocol: 'TCP' as const,
  }));
  const udp = [53, 39999, 40000, 40999, 41000].map((port) => ({ port, protocol: 'UDP' as const }));
  const key = (f: Flow) => `${f.from} -> ${f.to} ${f.protocol}/${f.port}`;

  function expected(): string[] {
    const flows: Flow[] = [];
    const add = (from: string[], to: string[], protocol: 'TCP' | 'UDP', ports: number[]) => {
      for (const f of from)
        for (const t of to)
          for (const port of ports) if (f !== t) flows.push({ from: f, to: t, port, protocol });
    };
    const hoot = ['auth', 'reg-c1-1', 'reg-c2-1', 'coremx'];
    const registries = ['reg-c1-1', 'reg-c2-1'];
    const everyone = endpoints.map((e) => e.name);
    add(hoot, ['kube-dns'], 'UDP', [53]);
    add(hoot, ['kube-dns'], 'TCP', [53]);
    // auth: introspection/JWKS/service tokens from registries and CASH, metrics from Prometheus.
    add([...registries, 'coremx', 'prometheus'], ['auth'], 'TCP', [3100]);
    add(['auth', ...registries], ['mongodb'], 'TCP', [27017]);
    add(['auth', ...registries, 'coremx'], ['kafka'], 'TCP', [9092]);
    // The registry's public API and web app: everyone (clients, ingress, peers, CASH heartbeats).
    // (auth calls nobody: its egress is MongoDB and Kafka only.)
    const callers = everyone.filter((e) => e !== 'auth');
    add(callers, registries, 'TCP', [3200]);
    add(registries, ['kube-apiserver'], 'TCP', [443, 6443, 8443]);
    // Webhook delivery: public addresses over HTTPS only (not the API server's, not cloud metadata).
    add(registries, ['client'], 'TCP', [443]);
    // CASH signaling (clients, registries' room calls) and WebRTC media.
    add(callers, ['coremx'], 'TCP', [3300]);
    add(outside, ['coremx'], 'UDP', [40000, 40999]);
    add(
      ['coremx'],
      outside,
      'UDP',
      udp.map((u) => u.port),
    );
    return [...new Set(flows.map(key))].sort();
  }

  it('the allowed flows between hoot pods, their dependencies and the outside are exactly the expected ones', () => {
    const objects = render({
      valueSets: ['two-clouds'],
      set: ['networkPolicy.kubeApiServer.cidrs={10.96.0.1/32}'],
    });
    const policies = ofKind(objects, 'NetworkPolicy');
    const hoot = new Set(['auth', 'reg-c1-1', 'reg-c2-1', 'coremx']);
    const allowed = allowedFlows(policies, 'hoot', endpoints, [...tcp, ...udp])
      .filter((f) => hoot.has(f.from) || hoot.has(f.to))
      .map(key)
      .sort();
    expect(allowed).toEqual(expected());
  });

  it('lets registries deliver webhooks exactly to registry.webhooks.egress', () => {
    const registryFlows = (set: string[], setJson: string[] = []) => {
      const objects = render({ set: ['registry.podWatch=false', ...set], setJson });
      return allowedFlows(ofKind(objects, 'NetworkPolicy'), 'hoot', endpoints, tcp)
        .filter((f) => f.from === 'reg-c1-1' && outside.includes(f.to))
        .map(key)
        .sort();
    };
    expect(registryFlows([])).toEqual(['reg-c1-1 -> client TCP/443']);
    expect(
      registryFlows(
        ['registry.webhooks.allowPrivateUrls=true'],
        [
          `registry.webhooks.egress=${JSON.stringify([
            { cidr: '10.0.0.0/8', ports: [80, 8443] },
            { cidr: '198.51.100.0/24', ports: [443] },
          ])}`,
        ],
      ),
    ).toEqual([
      'reg-c1-1 -> client TCP/443',
      'reg-c1-1 -> kube-apiserver TCP/80',
      'reg-c1-1 -> kube-apiserver TCP/8443',
    ]);
    expect(registryFlows([], ['registry.webhooks.egress=[]'])).toEqual([]);
  });

  it('the evaluator sees a missing default deny (the test can fail)', () => {
    const objects = render({ valueSets: ['two-clouds'] }).filter(
      (o) => !(o.kind === 'NetworkPolicy' && o.metadata.name === 'hoot-dns'),
    );
    const flows = allowedFlows(ofKind(objects, 'NetworkPolicy'), 'hoot', endpoints, [
      { port: 53, protocol: 'UDP' },
    ]).map(key);
    expect(flows).not.toContain('auth -> kube-dns UDP/53');
  });
});

describe('the dev Kafka and MongoDB (k8s/base NetworkPolicies)', () => {
  it('accept exactly the hoot pods that use them: Kafka ← auth, registries, CASH; MongoDB ← auth, registries', () => {
    const devInfra = parseManifests(
      execFileSync('kubectl', ['kustomize', join(WORKSPACE_ROOT, 'k8s/overlays/local')], {
        encoding: 'utf8',
      }),
    );
    const release = { 'app.kubernetes.io/name': 'hoot', 'app.kubernetes.io/instance': 'hoot' };
    const endpoints: Endpoint[] = [
      ...['auth', 'registry', 'coremx'].map((c) => ({
        name: c,
        labels: { ...release, 'app.kubernetes.io/component': c },
      })),
      { name: 'throw-away', labels: { run: 'debug' } },
      {
        name: 'other-namespace',
        labels: { ...release, 'app.kubernetes.io/component': 'registry' },
        namespace: 'other',
      },
      { name: 'kafka', labels: { 'app.kubernetes.io/name': 'kafka' } },
      { name: 'mongodb', labels: { 'app.kubernetes.io/name': 'mongodb' } },
      { name: 'kube-dns', labels: { 'k8s-app': 'kube-dns' }, namespace: 'kube-system' },
    ];
    const flows = allowedFlows(ofKind(devInfra, 'NetworkPolicy'), 'hoot', endpoints, [
      { port: 9092, protocol: 'TCP' },
      { port: 27017, protocol: 'TCP' },
      { port: 53, protocol: 'UDP' },
    ])
      .filter((f) => ['kafka', 'mongodb'].includes(f.from) || ['kafka', 'mongodb'].includes(f.to))
      .map((f) => `${f.from} -> ${f.to} ${f.protocol}/${f.port}`)
      .sort();
    expect(flows).toEqual([
      'auth -> kafka TCP/9092',
      'auth -> mongodb TCP/27017',
      'coremx -> kafka TCP/9092',
      'kafka -> kube-dns UDP/53',
      'mongodb -> kube-dns UDP/53',
      'registry -> kafka TCP/9092',
      'registry -> mongodb TCP/27017',
    ]);
  });
});
