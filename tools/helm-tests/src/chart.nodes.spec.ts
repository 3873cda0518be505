import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { containerEnv } from './pod-env.resolver';
import { named, ofKind, render, renderFailure, renderYaml } from './chart.render';
import { configData, envOf, packagerKeys, rendered } from './chart.fixture';

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
  const podKeys = (secrets: Record<string, string>) => ({
    ...packagerKeys(['hoot-coremx-c1-0', 'hoot-coremx-c1-1', 'hoot-coremx-c2-0']),
    ...secrets,
  });
  const facts = (name: string) => ({ name, namespace: 'hoot', podIP: '10.244.0.7', hostIP: '192.168.49.2' });
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'hoot-cash-keys-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const keyOfPod = (pod: string, secrets: Record<string, string> = keys) => {
    const sts = named(objects, 'StatefulSet', pod.replace(/-\d+$/, ''));
    const env = containerEnv(
      objects,
      sts.spec.template,
      'cash',
      facts(pod),
      podKeys(secrets),
      join(dir, pod),
    );
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
