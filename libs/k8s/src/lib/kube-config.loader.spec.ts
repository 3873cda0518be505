import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { K8sError, K8sErrorCode } from './k8s-error';
import { loadKubeConfig, type LoadKubeConfigOptions } from './kube-config.loader';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hoot-k8s-loader-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function kubeconfig(extra: Record<string, unknown> = {}): string {
  const path = join(dir, 'config');
  writeFileSync(
    path,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        { name: 'a', cluster: { server: 'https://a.example:6443', 'certificate-authority': 'ca.crt' } },
        { name: 'b', cluster: { server: 'https://b.example:6443' } },
      ],
      users: [{ name: 'u', user: { token: 't' } }],
      contexts: [
        { name: 'ctx-a', context: { cluster: 'a', user: 'u', namespace: 'hoot' } },
        { name: 'ctx-b', context: { cluster: 'b', user: 'u' } },
      ],
      'current-context': 'ctx-a',
      ...extra,
    }),
  );
  return path;
}

function codeOf(options: LoadKubeConfigOptions): string | undefined {
  try {
    loadKubeConfig(options);
  } catch (error) {
    return error instanceof K8sError ? error.code : `not a K8sError: ${String(error)}`;
  }
  return undefined;
}

describe('loadKubeConfig', () => {
  it('reads a kubeconfig file: server, context and its namespace', () => {
    const client = loadKubeConfig({ kubeconfigPath: kubeconfig() });
    expect(client.server).toBe('https://a.example:6443');
    expect(client.context).toBe('ctx-a');
    expect(client.namespace).toBe('hoot');
  });

  it('switches to another context, whose namespace defaults to "default"', () => {
    const client = loadKubeConfig({ kubeconfigPath: kubeconfig(), context: 'ctx-b' });
    expect(client.server).toBe('https://b.example:6443');
    expect(client.namespace).toBe('default');
  });

  it('refuses missing files, garbage, unknown contexts and contexts without a cluster', () => {
    expect(codeOf({ kubeconfigPath: join(dir, 'nope') })).toBe(K8sErrorCode.KubeconfigNotFound);
    const garbage = join(dir, 'garbage');
    writeFileSync(garbage, ': : not yaml [');
    expect(codeOf({ kubeconfigPath: garbage })).toBe(K8sErrorCode.KubeconfigInvalid);
    expect(codeOf({ kubeconfigPath: kubeconfig(), context: 'ctx-z' })).toBe(K8sErrorCode.KubeconfigInvalid);
    expect(codeOf({ kubeconfigPath: kubeconfig({ 'current-context': 'ctx-z' }) })).toBe(
      K8sErrorCode.KubeconfigInvalid,
    );
  });

  it('refuses in-cluster mode outside a pod, and a contradictory request', () => {
    const saved = {
      host: process.env['KUBERNETES_SERVICE_HOST'],
      port: process.env['KUBERNETES_SERVICE_PORT'],
    };
    try {
      delete process.env['KUBERNETES_SERVICE_HOST'];
      delete process.env['KUBERNETES_SERVICE_PORT'];
      expect(codeOf({ inCluster: true })).toBe(K8sErrorCode.InClusterUnavailable);
      process.env['KUBERNETES_SERVICE_HOST'] = '10.96.0.1';
      process.env['KUBERNETES_SERVICE_PORT'] = '443';
      expect(codeOf({ inCluster: true, serviceAccountRoot: dir })).toBe(K8sErrorCode.InClusterUnavailable);
      expect(codeOf({ inCluster: true, kubeconfigPath: kubeconfig() })).toBe(K8sErrorCode.ArgumentInvalid);
    } finally {
      for (const [key, value] of [
        ['KUBERNETES_SERVICE_HOST', saved.host],
        ['KUBERNETES_SERVICE_PORT', saved.port],
      ] as const) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });

  it('uses the service account in a pod', () => {
    const sa = join(dir, 'var/run/secrets/kubernetes.io/serviceaccount');
    mkdirSync(sa, { recursive: true });
    writeFileSync(join(sa, 'token'), 'sa-token');
    writeFileSync(join(sa, 'namespace'), 'hoot-system');
    const saved = {
      host: process.env['KUBERNETES_SERVICE_HOST'],
      port: process.env['KUBERNETES_SERVICE_PORT'],
    };
    try {
      process.env['KUBERNETES_SERVICE_HOST'] = 'fd00::1';
      process.env['KUBERNETES_SERVICE_PORT'] = '443';
      const client = loadKubeConfig({ inCluster: true, serviceAccountRoot: dir });
      expect(client.server).toBe('https://[fd00::1]:443');
      expect(client.namespace).toBe('hoot-system');
    } finally {
      for (const [key, value] of [
        ['KUBERNETES_SERVICE_HOST', saved.host],
        ['KUBERNETES_SERVICE_PORT', saved.port],
      ] as const) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });
});
