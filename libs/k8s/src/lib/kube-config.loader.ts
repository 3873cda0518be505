import { existsSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { K8sError, K8sErrorCode } from './k8s-error';
import { KubeClient } from './kube-client.adapter';

/** Where a pod's service account credentials are mounted. */
const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface LoadKubeConfigOptions {
  /** Read this kubeconfig file (else `$KUBECONFIG`, then `~/.kube/config`, then in-cluster). */
  kubeconfigPath?: string;
  /** Use the pod's service account (`KUBERNETES_SERVICE_HOST`/`_PORT` and the mounted token). */
  inCluster?: boolean;
  /** Use this context of the kubeconfig instead of its current-context. */
  context?: string;
  /** Tests only: a folder standing in for `/` when looking up the service-account files. */
  serviceAccountRoot?: string;
}

function fail(code: K8sErrorCode, message: string, cause?: unknown): never {
  throw new K8sError(code, message, cause === undefined ? {} : { cause });
}

function loadInCluster(config: KubeConfig, root: string): void {
  const host = process.env['KUBERNETES_SERVICE_HOST'];
  const port = process.env['KUBERNETES_SERVICE_PORT'];
  const token = `${root}${SERVICE_ACCOUNT_DIR}/token`;
  if (!host || !port) {
    fail(
      K8sErrorCode.InClusterUnavailable,
      'not in a pod: KUBERNETES_SERVICE_HOST/KUBERNETES_SERVICE_PORT are not set',
    );
  }
  if (!existsSync(token))
    fail(K8sErrorCode.InClusterUnavailable, `not in a pod: no service-account token at ${token}`);
  config.loadFromCluster(root);
}

/**
 * Loads Kubernetes client configuration and returns a client for it. Throws `K8sError`:
 * `KubeconfigNotFound`, `KubeconfigInvalid` (unparsable, no cluster, unknown context) or
 * `InClusterUnavailable`. Loading sends nothing to the cluster.
 */
export function loadKubeConfig(options: LoadKubeConfigOptions = {}): KubeClient {
  const config = new KubeConfig();
  if (options.inCluster && options.kubeconfigPath) {
    fail(K8sErrorCode.ArgumentInvalid, 'loadKubeConfig: pass either kubeconfigPath or inCluster, not both');
  }
  if (options.inCluster) {
    loadInCluster(config, options.serviceAccountRoot ?? '');
  } else if (options.kubeconfigPath !== undefined) {
    let text: string;
    try {
      text = readFileSync(options.kubeconfigPath, 'utf8');
    } catch (error) {
      fail(K8sErrorCode.KubeconfigNotFound, `cannot read kubeconfig ${options.kubeconfigPath}`, error);
    }
    try {
      config.loadFromString(text);
      config.makePathsAbsolute(dirname(options.kubeconfigPath));
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      fail(K8sErrorCode.KubeconfigInvalid, `kubeconfig ${options.kubeconfigPath} is invalid: ${why}`, error);
    }
  } else {
    try {
      config.loadFromDefault();
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      fail(K8sErrorCode.KubeconfigInvalid, `default kubeconfig is invalid: ${why}`, error);
    }
    // client-node falls back to http://localhost:8080 when it finds nothing: refuse that guess.
    if (
      config.getCurrentContext() === 'loaded-context' &&
      config.getCurrentCluster()?.server === 'http://localhost:8080'
    ) {
      fail(
        K8sErrorCode.KubeconfigNotFound,
        'no kubeconfig found ($KUBECONFIG, ~/.kube/config) and not in a pod',
      );
    }
  }
  if (options.context !== undefined) {
    if (!config.getContextObject(options.context)) {
      const known =
        config
          .getContexts()
          .map((c) => c.name)
          .join(', ') || 'none';
      fail(
        K8sErrorCode.KubeconfigInvalid,
        `kubeconfig has no context '${options.context}' (contexts: ${known})`,
      );
    }
    config.setCurrentContext(options.context);
  }
  const cluster = config.getCurrentCluster();
  if (!cluster?.server) {
    fail(
      K8sErrorCode.KubeconfigInvalid,
      `kubeconfig context '${config.getCurrentContext()}' names no cluster with a server`,
    );
  }
  return new KubeClient(config);
}
