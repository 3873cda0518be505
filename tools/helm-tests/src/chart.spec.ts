import { createHash } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { allowedFlows, type Endpoint, type Flow } from './network-policy.evaluator';
import { containerEnv, mountOf, validateWithService, type Validation } from './pod-env.resolver';
import {
  CHART_DIR,
  KUBE_VERSION,
  VALUE_SETS_DIR,
  WORKSPACE_ROOT,
  named,
  ofKind,
  parseManifests,
  podTemplates,
  render,
  renderFailure,
  renderYaml,
  runHelm,
  type K8sObject,
} from './chart.render';

const VALUE_SETS: Record<string, string[]> = {
  default: [],
  'two clouds × two registry nodes': ['two-clouds'],
  'host networking for media': ['host-network'],
  'external Kafka/MongoDB with existing secrets': ['external-infra'],
};

const rendered = Object.fromEntries(
  Object.entries(VALUE_SETS).map(([name, valueSets]) => [name, render({ valueSets })]),
) as Record<string, K8sObject[]>;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Container = any;

function containersOf(template: K8sObject['spec']): Container[] {
  return [...(template.spec.initContainers ?? []), ...template.spec.containers];
}

function configData(objects: K8sObject[], name: string): Record<string, string> {
  return named(objects, 'ConfigMap', name).data;
}

function envOf(container: Container): Record<string, string> {
  return Object.fromEntries(
    (container.env ?? []).map((e: { name: string; value?: string }) => [e.name, e.value ?? '<ref>']),
  );
}

describe('helm lint', () => {
  it.each([[], ...Object.values(VALUE_SETS).filter((v) => v.length)])(
    'passes with value sets %p',
    (...sets) => {
      const args = ['lint', CHART_DIR, '--strict', '--kube-version', KUBE_VERSION];
      for (const set of sets.flat()) args.push('-f', join(VALUE_SETS_DIR, `${set}.yaml`));
      const run = runHelm(args);
      expect(run.stderr + run.stdout).toContain('0 chart(s) failed');
      expect(run.status).toBe(0);
    },
  );
});

describe.each(Object.keys(VALUE_SETS))('rendered with %s', (setName) => {
  const objects = rendered[setName];
  const pods = podTemplates(objects);

  it('renders the three workloads and no Secret of its own', () => {
    expect(pods.map((p) => p.owner.metadata.labels?.['app.kubernetes.io/component']).sort()).toEqual(
      expect.arrayContaining(['auth', 'coremx', 'registry']),
    );
    expect(ofKind(objects, 'Secret')).toEqual([]);
  });

  it('gives every hoot container liveness and readiness probes on /health/live and /health/ready', () => {
    for (const { template } of pods)
      for (const c of template.spec.containers.filter((c: Container) => c.name !== 'kms')) {
        expect({ c: c.name, live: c.livenessProbe?.httpGet }).toEqual({
          c: c.name,
          live: { path: '/health/live', port: 'http' },
        });
        expect(c.readinessProbe.httpGet).toEqual({ path: '/health/ready', port: 'http' });
        expect(c.ports.find((p: { name: string }) => p.name === 'http')).toBeDefined();
      }
  });

  it('probes Kurento’s liveness on its JSON-RPC port, from inside the container (it listens on loopback)', () => {
    for (const { template } of pods.filter((p) => p.owner.kind === 'StatefulSet')) {
      const kms = template.spec.containers.find((c: Container) => c.name === 'kms');
      const dial = ['bash', '-c', 'exec 3<>/dev/tcp/127.0.0.1/8888'];
      expect(kms.livenessProbe.exec.command).toEqual(dial);
      expect(kms.startupProbe.exec.command).toEqual(dial);
      // Readiness is CASH's: its /health/ready checks the media server, so the pod is ready when both are.
      expect(kms.readinessProbe).toBeUndefined();
    }
  });

  it('keeps the media server’s control port (8888) to the pod’s own CASH: loopback only, declared nowhere', () => {
    for (const sts of ofKind(objects, 'StatefulSet')) {
      const pod = sts.spec.template.spec;
      const kms = pod.containers.find((c: Container) => c.name === 'kms');
      const cash = pod.containers.find((c: Container) => c.name === 'cash');
      // CASH drives the media server over the pod's loopback…
      expect(configData(objects, sts.metadata.name).KMS_URL).toBe('ws://127.0.0.1:8888/kurento');
      expect(cash.envFrom).toEqual([{ configMapRef: { name: sts.metadata.name } }]);
      // …where Kurento is told to listen (its config copy is rewritten, or the pod does not start).
      const init = pod.initContainers.find((c: Container) => c.name === 'kms-config');
      expect(init.command.join(' ')).toContain('"address": "127.0.0.1"');
      expect(init.command.join(' ')).toContain('exit 1');
      // No container port, no Service port, no NetworkPolicy rule for it (with host networking, the
      // loopback is the node's: still unreachable from other machines).
      expect(kms.ports).toBeUndefined();
      for (const c of pod.containers)
        for (const port of c.ports ?? []) expect(port.containerPort).not.toBe(8888);
    }
    for (const service of ofKind(objects, 'Service'))
      for (const port of service.spec.ports) expect([port.port, port.targetPort]).not.toContain(8888);
    for (const policy of ofKind(objects, 'NetworkPolicy'))
      for (const rule of policy.spec.ingress ?? [])
        for (const port of rule.ports ?? []) {
          expect(port.port).not.toBe(8888);
          expect(port.port <= 8888 && 8888 <= (port.endPort ?? port.port) && port.protocol === 'TCP').toBe(
            false,
          );
        }
  });

  it('meets the restricted Pod Security Standard in every pod and container (host network aside)', () => {
    for (const { template } of pods) {
      const pod = template.spec;
      expect(pod.securityContext).toMatchObject({
        runAsNonRoot: true,
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
      expect(pod.hostPID ?? false).toBe(false);
      expect(pod.hostIPC ?? false).toBe(false);
      for (const c of containersOf(template)) {
        expect({ name: c.name, sc: c.securityContext }).toEqual({
          name: c.name,
          sc: {
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            runAsNonRoot: true,
            capabilities: { drop: ['ALL'] },
            seccompProfile: { type: 'RuntimeDefault' },
          },
        });
        expect(c.ports?.some((p: { hostPort?: number }) => p.hostPort) ?? false).toBe(false);
      }
      for (const v of pod.volumes ?? []) expect(v.hostPath).toBeUndefined();
    }
  });

  it('sets resource requests and limits on every container', () => {
    for (const { template } of pods)
      for (const c of containersOf(template)) {
        expect(Object.keys(c.resources.requests).sort()).toEqual(['cpu', 'ephemeral-storage', 'memory']);
        expect(Object.keys(c.resources.limits).sort()).toEqual(['cpu', 'ephemeral-storage', 'memory']);
      }
  });

  it('puts a config checksum on every pod template, whose ConfigMap is named after its workload', () => {
    for (const { owner, template } of pods) {
      const checksum = template.metadata.annotations['checksum/config'];
      expect(checksum).toMatch(/^[0-9a-f]{64}$/);
      const configMapName = template.spec.containers[0].envFrom[0].configMapRef.name;
      const data = configData(objects, configMapName);
      expect(Object.keys(data).length).toBeGreaterThan(3);
      expect(owner.metadata.name).toBe(configMapName);
    }
  });

  it('keeps secrets out of every ConfigMap: credentials only as *_FILE paths into mounted Secrets', () => {
    for (const cm of ofKind(objects, 'ConfigMap'))
      for (const [key, value] of Object.entries(cm.data as Record<string, string>)) {
        expect(key).not.toMatch(/(API_KEY|PASSWORD|SECRET|TOKEN|SERVICE_KEYS|SIGNING_KEY)$/);
        expect(value).not.toMatch(/mongodb(\+srv)?:\/\/[^/]*@/);
        expect(value).not.toMatch(/hk_[A-Za-z0-9]{16}/);
      }
    for (const { template } of pods) {
      const mounts = new Map<string, string>();
      for (const v of template.spec.volumes ?? []) if (v.secret) mounts.set(v.name, v.secret.secretName);
      for (const c of template.spec.containers) {
        const env = envOf(c);
        for (const name of [
          'AUTH_ADMIN_API_KEY',
          'REGISTRY_SERVICE_API_KEY',
          'CASH_SERVICE_API_KEY',
          'AUTH_BOOTSTRAP_ADMIN_PASSWORD',
          'WEBHOOK_SIGNING_KEY',
        ])
          expect(env[name]).toBeUndefined();
        for (const [name, path] of Object.entries(env).filter(([n]) => n.endsWith('_FILE'))) {
          const mount = mountOf(c, path);
          expect({ name, secretVolume: mounts.has(mount?.name ?? '') }).toEqual({ name, secretVolume: true });
        }
      }
    }
  });

  it('limits RBAC to get/list/watch on pods in the release namespace, for the registry only', () => {
    expect(ofKind(objects, 'ClusterRole')).toEqual([]);
    expect(ofKind(objects, 'ClusterRoleBinding')).toEqual([]);
    const [role] = ofKind(objects, 'Role');
    expect(ofKind(objects, 'Role')).toHaveLength(1);
    expect(role.rules).toEqual([{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] }]);
    const [binding] = ofKind(objects, 'RoleBinding');
    expect(binding.roleRef).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'Role',
      name: role.metadata.name,
    });
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'hoot-registry', namespace: 'hoot' }]);
    for (const { owner, template } of pods) {
      const isRegistry = owner.metadata.labels?.['app.kubernetes.io/component'] === 'registry';
      expect(template.spec.automountServiceAccountToken).toBe(isRegistry);
      expect(template.spec.serviceAccountName).toBe(
        `hoot-${owner.metadata.labels?.['app.kubernetes.io/component']}`,
      );
    }
  });

  it('keeps auth cluster-internal: a ClusterIP Service and no Ingress', () => {
    expect(named(objects, 'Service', 'hoot-auth').spec.type).toBe('ClusterIP');
    for (const ingress of ofKind(objects, 'Ingress'))
      expect(ingress.spec.rules[0].http.paths[0].backend.service.name).toMatch(/^hoot-reg-/);
  });
});

describe('auth: which forwarded client addresses it believes', () => {
  it('trusts no forwarder by default (no TRUST_PROXY, no TRUSTED_PROXIES)', () => {
    const data = configData(rendered.default, 'hoot-auth');
    expect(data).not.toHaveProperty('TRUST_PROXY');
    expect(data).not.toHaveProperty('TRUSTED_PROXIES');
  });

  it('passes auth.trustedProxies as TRUSTED_PROXIES', () => {
    const objects = render({ setJson: ['auth.trustedProxies=["10.244.0.0/16","fd00::/8","192.0.2.1"]'] });
    expect(configData(objects, 'hoot-auth').TRUSTED_PROXIES).toBe('10.244.0.0/16,fd00::/8,192.0.2.1');
  });
});

describe('registry: which forwarded client addresses it believes', () => {
  it('trusts no forwarder by default (no TRUST_PROXY, no TRUSTED_PROXIES)', () => {
    const objects = rendered['two clouds × two registry nodes'];
    for (const id of ['reg-c1-1', 'reg-c2-2']) {
      const data = configData(objects, `hoot-${id}`);
      expect(data).not.toHaveProperty('TRUST_PROXY');
      expect(data).not.toHaveProperty('TRUSTED_PROXIES');
    }
    expect(configData(rendered.default, 'hoot-reg-c1-1')).not.toHaveProperty('TRUST_PROXY');
  });

  it('passes registry.trustedProxies as TRUSTED_PROXIES', () => {
    const objects = render({ setJson: ['registry.trustedProxies=["10.42.0.0/16","fd00::/8","192.0.2.1"]'] });
    expect(configData(objects, 'hoot-reg-c1-1').TRUSTED_PROXIES).toBe('10.42.0.0/16,fd00::/8,192.0.2.1');
  });
});

describe('registry nodes', () => {
  const objects = rendered['two clouds × two registry nodes'];
  const ids = ['reg-c1-1', 'reg-c1-2', 'reg-c2-1', 'reg-c2-2'];

  it('one Deployment, Service, PodDisruptionBudget, HPA and Ingress per node, all selecting only that node', () => {
    for (const id of ids) {
      const name = `hoot-${id}`;
      const deployment = named(objects, 'Deployment', name);
      expect(deployment.spec.selector.matchLabels['hoot.mx/registry-id']).toBe(id);
      expect(deployment.spec.replicas).toBeUndefined(); // the HPA owns replicas
      expect(named(objects, 'Service', name).spec.selector['hoot.mx/registry-id']).toBe(id);
      expect(
        named(objects, 'PodDisruptionBudget', name).spec.selector.matchLabels['hoot.mx/registry-id'],
      ).toBe(id);
      expect(named(objects, 'HorizontalPodAutoscaler', name).spec.scaleTargetRef.name).toBe(name);
      const ingress = named(objects, 'Ingress', name);
      expect(ingress.spec.rules[0].host).toBe(`${id}.hoot.example`);
      expect(ingress.spec.tls).toEqual([{ hosts: [`${id}.hoot.example`], secretName: 'hoot-tls' }]);
    }
  });

  it('configures each node with its id, well-known URL and every other node as a peer', () => {
    for (const id of ids) {
      const config = configData(objects, `hoot-${id}`);
      expect(config.REGISTRY_ID).toBe(id);
      expect(config.REGISTRY_PUBLIC_URL).toBe(`https://${id}.hoot.example`);
      const peers = config.REGISTRY_PEERS.split(',');
      expect(peers).toHaveLength(3);
      expect(peers).not.toContain(`http://hoot-${id}.hoot.svc:3200`);
      expect(config.K8S_POD_WATCH).toBe('true');
      expect(config.K8S_COREMX_SELECTOR).toBe(
        'app.kubernetes.io/instance=hoot,app.kubernetes.io/component=coremx',
      );
    }
  });

  it('with podWatch off, renders no Role and mounts no token', () => {
    const objects = render({ set: ['registry.podWatch=false'] });
    expect(ofKind(objects, 'Role')).toEqual([]);
    expect(
      named(objects, 'Deployment', 'hoot-reg-c1-1').spec.template.spec.automountServiceAccountToken,
    ).toBe(false);
    expect(configData(objects, 'hoot-reg-c1-1').K8S_POD_WATCH).toBe('false');
  });

  it('gives each node the Kafka brokers, its public URL as the web app’s base URL and the conference settings', () => {
    for (const id of ids) {
      const config = configData(objects, `hoot-${id}`);
      expect(config).toMatchObject({
        KAFKA_BROKERS: 'hoot-kafka:9092',
        WEB_BASE_URL: `https://${id}.hoot.example`,
        JOIN_TICKET_TTL_S: '120',
        CREATE_RATE_PER_MIN: '30',
        JOIN_RATE_PER_MIN: '120',
      });
    }
    const tuned = configData(
      render({
        set: [
          'kafka.brokers={k-0.kafka:9092,k-1.kafka:9092}',
          'registry.conferences.joinTicketTtlSeconds=300',
          'registry.conferences.createRatePerMinute=5',
          'registry.conferences.joinRatePerMinute=60',
        ],
      }),
      'hoot-reg-c1-1',
    );
    expect(tuned).toMatchObject({
      KAFKA_BROKERS: 'k-0.kafka:9092,k-1.kafka:9092',
      JOIN_TICKET_TTL_S: '300',
      CREATE_RATE_PER_MIN: '5',
      JOIN_RATE_PER_MIN: '60',
    });
  });

  it('passes the webhook settings, large numbers as plain integers', () => {
    expect(configData(objects, 'hoot-reg-c2-2')).toMatchObject({
      WEBHOOK_ALLOW_PRIVATE_URLS: 'false',
      WEBHOOK_MAX_ATTEMPTS: '8',
      WEBHOOK_BACKOFF_BASE_MS: '500',
      WEBHOOK_BACKOFF_MAX_MS: '30000',
      WEBHOOK_TIMEOUT_MS: '5000',
    });
    const tuned = configData(
      render({
        setJson: [
          'registry.webhooks.allowPrivateUrls=true',
          'registry.webhooks.maxAttempts=3',
          'registry.webhooks.backoffBaseMs=250',
          'registry.webhooks.backoffMaxMs=1000000',
          'registry.webhooks.timeoutMs=2000',
        ],
      }),
      'hoot-reg-c1-1',
    );
    expect(tuned).toMatchObject({
      WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
      WEBHOOK_MAX_ATTEMPTS: '3',
      WEBHOOK_BACKOFF_BASE_MS: '250',
      WEBHOOK_BACKOFF_MAX_MS: '1000000',
      WEBHOOK_TIMEOUT_MS: '2000',
    });
  });

  it('reads the webhook signing key as a file of the Secret registry.webhooks.existingSecret, the same for every node', () => {
    const objects = render({
      valueSets: ['two-clouds'],
      set: ['registry.webhooks.existingSecret=prod-webhooks', 'registry.webhooks.existingSecretKey=key'],
    });
    for (const id of ids) {
      const pod = named(objects, 'Deployment', `hoot-${id}`).spec.template.spec;
      const [registry] = pod.containers;
      expect(envOf(registry).WEBHOOK_SIGNING_KEY_FILE).toBe('/var/run/secrets/hoot/webhooks/signing-key');
      expect(registry.volumeMounts).toContainEqual({
        name: 'webhooks',
        mountPath: '/var/run/secrets/hoot/webhooks',
        readOnly: true,
      });
      expect(pod.volumes.find((v: { name: string }) => v.name === 'webhooks').secret).toMatchObject({
        secretName: 'prod-webhooks',
        items: [{ key: 'key', path: 'signing-key' }],
      });
      const config = configData(objects, `hoot-${id}`);
      expect(Object.keys(config).filter((k) => k.startsWith('WEBHOOK_SIGNING_KEY'))).toEqual([]);
    }
  });
});

describe('CoreMX', () => {
  const objects = rendered['two clouds × two registry nodes'];

  it('is a StatefulSet per cloud with CASH and the real Kurento image, a headless Service and a journal volume', () => {
    const sts = named(objects, 'StatefulSet', 'hoot-coremx-c2');
    expect(sts.spec.serviceName).toBe('hoot-coremx-c2');
    const [cash, kms] = sts.spec.template.spec.containers;
    expect([cash.name, kms.name]).toEqual(['cash', 'kms']);
    expect(kms.image).toBe('kurento/kurento-media-server:7.2.0');
    expect(named(objects, 'Service', 'hoot-coremx-c2').spec.clusterIP).toBe('None');
    expect(sts.spec.volumeClaimTemplates[0].metadata.name).toBe('journal');
    expect(envOf(cash).COREMX_ID).toBe('$(POD_NAME)');
    expect(envOf(cash).COREMX_ADDRESS).toBe('$(POD_NAME).c2.hoot.mx');
  });

  it('tells registries to call CASH at the pod’s name in the headless Service, not at the signaling URL', () => {
    const sts = named(objects, 'StatefulSet', 'hoot-coremx-c2');
    const [cash] = sts.spec.template.spec.containers;
    const names = cash.env.map((e: { name: string }) => e.name);
    // $(POD_NAME) only expands when POD_NAME is defined earlier in the list.
    expect(names.indexOf('POD_NAME')).toBeLessThan(names.indexOf('CASH_API_URL'));
    const service = named(objects, 'Service', sts.spec.serviceName);
    expect(service.spec.clusterIP).toBe('None');
    expect(envOf(cash).CASH_API_URL).toBe(
      `http://$(POD_NAME).${service.metadata.name}.hoot.svc:${service.spec.ports[0].port}`,
    );
    // Also when clients reach signaling through the node's address (host networking).
    const hostNetwork = named(rendered['host networking for media'], 'StatefulSet', 'hoot-coremx-c1');
    expect(envOf(hostNetwork.spec.template.spec.containers[0]).CASH_API_URL).toBe(
      'http://$(POD_NAME).hoot-coremx-c1.hoot.svc:3300',
    );
  });

  it('lists the own cloud’s registries first, by priority, then the others', () => {
    expect(configData(objects, 'hoot-coremx-c2').REGISTRY_URLS.split(',')).toEqual(
      ['reg-c2-1', 'reg-c2-2', 'reg-c1-1', 'reg-c1-2'].map((id) => `http://hoot-${id}.hoot.svc:3200`),
    );
  });

  it('drains before it dies: preStop hooks, and a grace period longer than the drain deadline', () => {
    const sts = named(objects, 'StatefulSet', 'hoot-coremx-c1');
    const pod = sts.spec.template.spec;
    const [cash, kms] = pod.containers;
    const deadlineS = Number(configData(objects, 'hoot-coremx-c1').DRAIN_DEADLINE_MS) / 1000;
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(deadlineS);
    expect(cash.lifecycle.preStop.exec.command.join(' ')).toContain("process.kill(1, 'SIGTERM')");
    expect(kms.lifecycle.preStop.exec.command.join(' ')).toContain('/dev/tcp/127.0.0.1/3300');
  });

  it('tells CASH what a chat message puts on the topic: text by default, coremx.cash.chatEvents to change it', () => {
    expect(configData(objects, 'hoot-coremx-c1').CHAT_EVENTS).toBe('text');
    const metadata = render({ set: ['coremx.cash.chatEvents=metadata'] });
    expect(configData(metadata, 'hoot-coremx-c1').CHAT_EVENTS).toBe('metadata');
  });

  it('gives Kurento writable /tmp and a writable copy of /etc/kurento under a read-only root', () => {
    const pod = named(objects, 'StatefulSet', 'hoot-coremx-c1').spec.template.spec;
    const kms = pod.containers[1];
    const mounts = kms.volumeMounts.map((m: { mountPath: string; name: string }) => [m.mountPath, m.name]);
    expect(mounts).toEqual(
      expect.arrayContaining([
        ['/tmp', 'tmp'],
        ['/etc/kurento', 'kms-etc'],
      ]),
    );
    expect(pod.initContainers[0].volumeMounts[0].name).toBe('kms-etc');
    expect(pod.volumes.find((v: { name: string }) => v.name === 'kms-etc').emptyDir).toBeDefined();
  });

  it('passes the media port range to Kurento and opens exactly that range for UDP', () => {
    const objects = rendered['host networking for media'];
    const pod = named(objects, 'StatefulSet', 'hoot-coremx-c1').spec.template.spec;
    expect(pod.hostNetwork).toBe(true);
    expect(pod.dnsPolicy).toBe('ClusterFirstWithHostNet');
    expect(envOf(pod.containers[1])).toMatchObject({
      KMS_MIN_PORT: '50000',
      KMS_MAX_PORT: '50199',
      KMS_EXTERNAL_IPV4: '203.0.113.10',
    });
    expect(envOf(pod.containers[0]).SIGNALING_URL).toBe('ws://$(NODE_IP):3300/signal');
    const udp = named(objects, 'NetworkPolicy', 'hoot-coremx').spec.ingress[1].ports;
    expect(udp).toEqual([{ protocol: 'UDP', port: 50000, endPort: 50199 }]);
    expect(
      named(rendered.default, 'StatefulSet', 'hoot-coremx-c1').spec.template.spec.hostNetwork,
    ).toBeUndefined();
  });
});

describe('CASH service keys: one per CoreMX pod, none shared', () => {
  // Each CASH signs in as service account cash-<pod name>, the only one the registries accept for that
  // CoreMX's membership (403 coremx.not-bound otherwise).
  const objects = rendered['two clouds × two registry nodes'];
  const keys = Object.fromEntries(
    ['hoot-coremx-c1-0', 'hoot-coremx-c1-1', 'hoot-coremx-c2-0'].map((pod) => [
      `cash-${pod}`,
      `hk_${pod}-key-0123456789`,
    ]),
  );
  const facts = (name: string) => ({ name, namespace: 'hoot', podIP: '10.244.0.7', hostIP: '192.168.49.2' });
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'hoot-cash-keys-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const keyOfPod = (pod: string, secrets: Record<string, string> = keys) => {
    const sts = named(objects, 'StatefulSet', pod.replace(/-\d+$/, ''));
    const env = containerEnv(objects, sts.spec.template, 'cash', facts(pod), secrets, join(dir, pod));
    return readFileSync(env.CASH_SERVICE_API_KEY_FILE, 'utf8');
  };

  it('gives every pod of every group the key named after the pod, each a different one', () => {
    const read = ['hoot-coremx-c1-0', 'hoot-coremx-c1-1', 'hoot-coremx-c2-0'].map((pod) => keyOfPod(pod));
    expect(read).toEqual([
      keys['cash-hoot-coremx-c1-0'],
      keys['cash-hoot-coremx-c1-1'],
      keys['cash-hoot-coremx-c2-0'],
    ]);
    expect(new Set(read).size).toBe(3);
  });

  it('mounts only the pod’s own key into the cash container, and no Secret into the media server', () => {
    for (const name of ['hoot-coremx-c1', 'hoot-coremx-c2']) {
      const pod = named(objects, 'StatefulSet', name).spec.template.spec;
      const secretVolumes = pod.volumes.filter((v: { secret?: unknown }) => v.secret);
      const cashSecret = secretVolumes.find((v: { name: string }) => v.name === 'secrets');
      // The whole Secret is the pod's volume (a template cannot pick a key per pod)…
      expect(cashSecret.secret.secretName).toBe('hoot-cash');
      expect(cashSecret.secret.items).toBeUndefined();
      const [cash, kms] = pod.containers;
      // …but the cash container mounts one file of it, its own key.
      expect(cash.volumeMounts.filter((m: { name: string }) => m.name === 'secrets')).toEqual([
        {
          name: 'secrets',
          mountPath: '/var/run/secrets/hoot/cash/service-api-key',
          subPathExpr: 'cash-$(POD_NAME)',
          readOnly: true,
        },
      ]);
      const names = cash.env.map((e: { name: string }) => e.name);
      expect(names.indexOf('POD_NAME')).toBe(0); // defined before the mount's $(POD_NAME) is expanded
      for (const m of kms.volumeMounts)
        expect(secretVolumes.map((v: { name: string }) => v.name)).not.toContain(m.name);
    }
  });

  it('has no shared key left: a pod whose own key is missing gets none, whatever else the Secret holds', () => {
    const shared: Record<string, string> = { 'cash-service-api-key': 'hk_shared-key-0123456789', ...keys };
    delete shared['cash-hoot-coremx-c1-1'];
    expect(() => keyOfPod('hoot-coremx-c1-1', shared)).toThrow(
      'no content for key cash-hoot-coremx-c1-1 of Secret hoot-cash',
    );
    for (const doc of renderYaml({ valueSets: ['two-clouds'] }).split('\n---'))
      expect(doc).not.toContain('cash-service-api-key');
  });

  it('refuses the former single-key setting coremx.existingSecretKey, pointing to the per-pod keys', () => {
    expect(renderFailure({ set: ['coremx.existingSecretKey=cash-service-api-key'] })).toContain(
      'coremx.existingSecretKey is gone',
    );
  });
});

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
