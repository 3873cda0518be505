import { ApiException, CoreV1Api, KubeConfig, Watch } from '@kubernetes/client-node';
import { codeForStatus, K8sError, K8sErrorCode } from './k8s-error';
import type {
  PodList,
  PodSource,
  PodWatchEvent,
  PodWatchRequest,
  ServiceSource,
  WatchSession,
} from './kube-api.port';
import { PodWatcher, type PodWatcherOptions } from './pod-watcher';
import { toPodView, type RawPod } from './pod-view';
import { findServiceUrl, type ServiceUrl, type ServiceUrlOptions } from './service-url';
import { toServiceView, type RawService } from './service-view';

/** The message of a Kubernetes Status object in an error body, if there is one. */
function statusMessage(body: unknown): string | undefined {
  let value = body;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  const message = (value as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : undefined;
}

/** Maps whatever @kubernetes/client-node or the network threw to a K8sError with a stable code. */
export function toK8sError(error: unknown, what: string): K8sError {
  if (error instanceof K8sError) return error;
  if (error instanceof ApiException) {
    const detail = statusMessage(error.body) ?? `HTTP ${error.code}`;
    return new K8sError(codeForStatus(error.code), `${what}: ${detail}`, {
      status: error.code,
      cause: error,
    });
  }
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  if (typeof status === 'number') {
    const text = error instanceof Error ? error.message : String(error);
    return new K8sError(codeForStatus(status), `${what}: HTTP ${status} ${text}`, { status, cause: error });
  }
  const text = error instanceof Error ? error.message : String(error);
  return new K8sError(K8sErrorCode.ApiUnavailable, `${what}: ${text}`, { cause: error });
}

/**
 * The Kubernetes API through @kubernetes/client-node: the real `PodSource` and `ServiceSource`.
 * Obtain one with `loadKubeConfig()`.
 */
export class KubeClient implements PodSource, ServiceSource {
  private readonly core: CoreV1Api;

  constructor(private readonly config: KubeConfig) {
    this.core = config.makeApiClient(CoreV1Api);
  }

  /** The API server's URL. */
  get server(): string {
    return this.config.getCurrentCluster()?.server ?? '';
  }

  /** The current context's name. */
  get context(): string {
    return this.config.getCurrentContext();
  }

  /** The current context's namespace (`default` if it names none). */
  get namespace(): string {
    return this.config.getContextObject(this.config.getCurrentContext())?.namespace || 'default';
  }

  async listPods(namespace: string, labelSelector?: string): Promise<PodList> {
    try {
      const list = await this.core.listNamespacedPod({ namespace, labelSelector });
      return {
        pods: list.items.map((pod) => toPodView(pod as RawPod)),
        resourceVersion: list.metadata?.resourceVersion ?? '',
      };
    } catch (error) {
      throw toK8sError(error, `listing pods in namespace ${namespace}`);
    }
  }

  async watchPods(
    request: PodWatchRequest,
    onEvent: (event: PodWatchEvent) => void,
    onEnd: (error?: unknown) => void,
  ): Promise<WatchSession> {
    const what = `watching pods in namespace ${request.namespace}`;
    let closed = false;
    const end = (error?: unknown) => {
      if (closed) return;
      closed = true;
      onEnd(error === undefined || error === null ? undefined : toK8sError(error, what));
    };
    let controller: AbortController;
    try {
      controller = await new Watch(this.config).watch(
        `/api/v1/namespaces/${encodeURIComponent(request.namespace)}/pods`,
        {
          labelSelector: request.labelSelector,
          resourceVersion: request.resourceVersion,
          allowWatchBookmarks: true,
          timeoutSeconds: request.timeoutSeconds,
        },
        (type: string, object: unknown) => {
          if (closed) return;
          // client-node swallows exceptions thrown here: turn a bad object into an ERROR event instead.
          onEvent(decodeWatchEvent(type, object));
        },
        end,
      );
    } catch (error) {
      closed = true;
      throw toK8sError(error, what);
    }
    return {
      close() {
        closed = true;
        controller.abort();
      },
    };
  }

  async listServices(namespace: string, labelSelector: string) {
    try {
      const list = await this.core.listNamespacedService({ namespace, labelSelector });
      return list.items.map((service) => toServiceView(service as RawService));
    } catch (error) {
      throw toK8sError(error, `listing services in namespace ${namespace}`);
    }
  }

  /** A `PodWatcher` on this cluster (not started). */
  podWatcher(options: Omit<PodWatcherOptions, 'source'>): PodWatcher {
    return new PodWatcher({ ...options, source: this });
  }

  /** The URL of the one Service matching `labelSelector` in `namespace` (see `findServiceUrl`). */
  findServiceUrl(namespace: string, labelSelector: string, options?: ServiceUrlOptions): Promise<ServiceUrl> {
    return findServiceUrl(this, namespace, labelSelector, options);
  }
}

/** One line of a watch stream as a `PodWatchEvent` (never throws: a bad object becomes an ERROR event). */
export function decodeWatchEvent(type: string, object: unknown): PodWatchEvent {
  try {
    switch (type) {
      case 'ADDED':
      case 'MODIFIED':
      case 'DELETED':
        return { type, pod: toPodView(object as RawPod) };
      case 'BOOKMARK': {
        const rv = (object as RawPod | null)?.metadata?.resourceVersion;
        if (typeof rv !== 'string' || rv === '') throw new Error('BOOKMARK without metadata.resourceVersion');
        return { type, resourceVersion: rv };
      }
      case 'ERROR': {
        const status = (object ?? {}) as { code?: unknown; reason?: unknown; message?: unknown };
        return {
          type,
          ...(typeof status.code === 'number' ? { code: status.code } : {}),
          ...(typeof status.reason === 'string' ? { reason: status.reason } : {}),
          message: typeof status.message === 'string' ? status.message : 'watch error without a message',
        };
      }
      default:
        throw new Error(`unknown watch event type '${type}'`);
    }
  } catch (error) {
    return {
      type: 'ERROR',
      reason: 'Invalid',
      message: error instanceof Error ? error.message : String(error),
    };
  }
}
