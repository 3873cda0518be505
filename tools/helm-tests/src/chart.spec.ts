import { join } from 'node:path';
import { mountOf } from './pod-env.resolver';
import {
  CHART_DIR,
  KUBE_VERSION,
  VALUE_SETS_DIR,
  named,
  ofKind,
  podTemplates,
  runHelm,
} from './chart.render';
import { VALUE_SETS, configData, containersOf, envOf, rendered, type Container } from './chart.fixture';

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
        // Port names are unique within a pod: the packager's (beside CASH's `http`) is `hls`.
        const port = c.name === 'packager' ? 'hls' : 'http';
        expect({ c: c.name, live: c.livenessProbe?.httpGet }).toEqual({
          c: c.name,
          live: { path: '/health/live', port },
        });
        expect(c.readinessProbe.httpGet).toEqual({ path: '/health/ready', port });
        expect(c.ports.find((p: { name: string }) => p.name === port)).toBeDefined();
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
