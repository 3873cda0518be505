import type { Duplex } from 'node:stream';
import {
  ApiException,
  CoreV1Api,
  DiscoveryV1Api,
  KubeConfig,
  PortForward,
  Watch,
  type V1EndpointSlice,
  type V1Service,
} from '@kubernetes/client-node';
import {
  ClusterDialer,
  type ClusterDialerOptions,
  type DialServicePort,
  type DialSource,
  type EndpointSliceView,
} from './cluster-dialer';
import { codeForStatus, K8sError, K8sErrorCode } from './k8s-error';
import { PortForwardStream, type ForwardSocketLike } from './port-forward.stream';
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
export class KubeClient implements PodSource, ServiceSource, DialSource {
  private readonly core: CoreV1Api;
  private discoveryApi?: DiscoveryV1Api;

  constructor(private readonly config: KubeConfig) {
    this.core = config.makeApiClient(CoreV1Api);
  }

  private get discovery(): DiscoveryV1Api {
    this.discoveryApi ??= this.config.makeApiClient(DiscoveryV1Api);
    return this.discoveryApi;
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

  async getService(namespace: string, name: string) {
    try {
      const service = await this.core.readNamespacedService({ name, namespace });
      return { ...toServiceView(service as RawService), targetPorts: targetPortsOf(service) };
    } catch (error) {
      if (error instanceof ApiException && error.code === 404) return undefined;
      throw toK8sError(error, `reading Service ${name} in namespace ${namespace}`);
    }
  }

  async listEndpointSlices(namespace: string, service: string): Promise<EndpointSliceView[]> {
    try {
      const list = await this.discovery.listNamespacedEndpointSlice({
        namespace,
        labelSelector: `kubernetes.io/service-name=${service}`,
      });
      return list.items.map(toEndpointSliceView);
    } catch (error) {
      throw toK8sError(error, `listing the EndpointSlices of Service ${service} in namespace ${namespace}`);
    }
  }

  async getPod(namespace: string, name: string) {
    try {
      return toPodView((await this.core.readNamespacedPod({ name, namespace })) as RawPod);
    } catch (error) {
      if (error instanceof ApiException && error.code === 404) return undefined;
      throw toK8sError(error, `reading pod ${name} in namespace ${namespace}`);
    }
  }

  /** A TCP stream to a pod's port through the API server (`pods/portforward`, as `kubectl port-forward`). */
  portForward(namespace: string, pod: string, port: number): Promise<Duplex> {
    const forward = new PortForward(this.config);
    return PortForwardStream.open(
      async (output, errors, input) =>
        (await forward.portForward(namespace, pod, [port], output, errors, input)) as ForwardSocketLike,
      { namespace, pod, port },
    );
  }

  /** A `ClusterDialer` on this cluster; `namespace` defaults to the context's. */
  clusterDialer(options: Partial<Omit<ClusterDialerOptions, 'source'>> = {}): ClusterDialer {
    return new ClusterDialer({ ...options, namespace: options.namespace ?? this.namespace, source: this });
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

function targetPortsOf(service: V1Service): DialServicePort[] {
  return (service.spec?.ports ?? []).map((p) => ({
    ...(p.name ? { name: p.name } : {}),
    port: p.port,
    protocol: p.protocol ?? 'TCP',
    ...(p.targetPort !== undefined ? { targetPort: p.targetPort as number | string } : {}),
  }));
}

/** The parts of a discovery.k8s.io/v1 EndpointSlice the cluster dialer reads. */
export function toEndpointSliceView(slice: V1EndpointSlice): EndpointSliceView {
  return {
    name: slice.metadata?.name ?? '',
    ports: slice.ports
      ? slice.ports.map((p) => ({
          ...(p.name ? { name: p.name } : {}),
          ...(typeof p.port === 'number' ? { port: p.port } : {}),
          ...(p.protocol ? { protocol: p.protocol } : {}),
        }))
      : null,
    endpoints: (slice.endpoints ?? []).map((e) => ({
      addresses: e.addresses ?? [],
      ready: e.conditions?.ready !== false,
      terminating: e.conditions?.terminating === true,
      ...(e.targetRef?.kind === 'Pod' && e.targetRef.name
        ? {
            pod: {
              name: e.targetRef.name,
              namespace: e.targetRef.namespace ?? slice.metadata?.namespace ?? '',
            },
          }
        : {}),
    })),
  };
}
