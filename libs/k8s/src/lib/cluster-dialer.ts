import { promises as dns } from 'node:dns';
import { connect as netConnect, isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { K8sError, K8sErrorCode } from './k8s-error';
import type { PodView } from './pod-view';
import { SocketLikeDuplex } from './port-forward.stream';
import type { ServiceView } from './service-view';

/** A host name that cluster DNS would answer. */
export type ClusterName =
  /** `<svc>`, `<svc>.<ns>`, `<svc>.<ns>.svc[.<cluster domain>]` */
  | { readonly kind: 'service'; readonly service: string; readonly namespace: string }
  /** `<pod>.<headless-svc>.<ns>.svc[.<cluster domain>]` (a StatefulSet pod's stable name) */
  | { readonly kind: 'pod'; readonly pod: string; readonly service: string; readonly namespace: string };

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * Whether `host` is a name of cluster DNS, and what it names. `defaultNamespace` is where a bare `<svc>`
 * lives (the release namespace). IP addresses, `localhost` and names of 3+ labels without `.svc` are not
 * cluster names (undefined). Note that `<svc>.<ns>` also looks like `example.com`: callers ask this only
 * for names that public DNS did not resolve.
 */
export function classifyClusterHost(
  host: string,
  defaultNamespace: string,
  clusterDomain = 'cluster.local',
): ClusterName | undefined {
  const name = host.trim().toLowerCase().replace(/\.$/, '');
  if (name === '' || name === 'localhost' || isIP(name) || isIP(name.replace(/^\[|\]$/g, ''))) {
    return undefined;
  }
  let labels = name.split('.');
  if (!labels.every((l) => DNS_LABEL.test(l))) return undefined;
  const domain = `svc.${clusterDomain.toLowerCase().replace(/\.$/, '')}`;
  let svcSuffix = false;
  if (name.endsWith(`.${domain}`)) {
    labels = labels.slice(0, labels.length - domain.split('.').length);
    svcSuffix = true;
  } else if (labels.length > 1 && labels[labels.length - 1] === 'svc') {
    labels = labels.slice(0, -1);
    svcSuffix = true;
  }
  if (svcSuffix) {
    if (labels.length === 2) return { kind: 'service', service: labels[0], namespace: labels[1] };
    if (labels.length === 3) {
      return { kind: 'pod', pod: labels[0], service: labels[1], namespace: labels[2] };
    }
    return undefined;
  }
  if (labels.length === 1) return { kind: 'service', service: labels[0], namespace: defaultNamespace };
  if (labels.length === 2) return { kind: 'service', service: labels[0], namespace: labels[1] };
  return undefined;
}

/** One port of an EndpointSlice (`port` is the pod's port number, a named targetPort already resolved). */
export interface EndpointSlicePortView {
  readonly name?: string;
  readonly port?: number;
  readonly protocol?: string;
}

/** One endpoint of an EndpointSlice; `pod` is its `targetRef` when that is a Pod. */
export interface EndpointView {
  readonly addresses: readonly string[];
  /** `conditions.ready` (absent counts as ready, as the API documents). */
  readonly ready: boolean;
  readonly terminating: boolean;
  readonly pod?: { readonly name: string; readonly namespace: string };
}

/** What the dialer reads of a discovery.k8s.io/v1 EndpointSlice. */
export interface EndpointSliceView {
  readonly name: string;
  /** null: all ports of the pods (a Service without ports). */
  readonly ports: readonly EndpointSlicePortView[] | null;
  readonly endpoints: readonly EndpointView[];
}

/** A Service port with its `targetPort` (a number or a container port's name). */
export interface DialServicePort {
  readonly name?: string;
  readonly port: number;
  readonly protocol: string;
  readonly targetPort?: number | string;
}

/** The Kubernetes API as the dialer uses it; the real one is `KubeClient`, tests use `FakeDialSource`. */
export interface DialSource {
  /** undefined when there is no such Service (404). Throws `K8sError`. */
  getService(
    namespace: string,
    name: string,
  ): Promise<(ServiceView & { readonly targetPorts: readonly DialServicePort[] }) | undefined>;
  /** The slices labelled `kubernetes.io/service-name=<service>`. Throws `K8sError`. */
  listEndpointSlices(namespace: string, service: string): Promise<readonly EndpointSliceView[]>;
  /** undefined when there is no such pod (404). Throws `K8sError`. */
  getPod(namespace: string, name: string): Promise<PodView | undefined>;
  /** A TCP stream to the pod's port through the API server, once open. Throws `K8sError`. */
  portForward(namespace: string, pod: string, port: number): Promise<Duplex>;
}

/** Where a cluster name leads: one pod's port. */
export interface DialTarget {
  readonly namespace: string;
  readonly pod: string;
  readonly port: number;
  /** `service <ns>/<svc>` or `pod <ns>/<pod>`: how the name was resolved (for messages). */
  readonly via: string;
}

/** Told once per host:port when a connection goes through the Kubernetes API. */
export interface TunnelNotice {
  readonly host: string;
  readonly port: number;
  readonly target: DialTarget;
}

export interface ClusterDialerOptions {
  readonly source: DialSource;
  /** The release namespace: where a bare `<svc>` lives. */
  readonly namespace: string;
  readonly clusterDomain?: string;
  /** Whether `host` resolves here (default: `dns.lookup`). Injectable for tests. */
  readonly resolves?: (host: string) => Promise<boolean>;
  /** A direct TCP connection (default `net.connect`); must emit `connect` or `error`. */
  readonly netConnect?: (host: string, port: number) => Duplex;
  readonly onTunnel?: (notice: TunnelNotice) => void;
}

async function dnsResolves(host: string): Promise<boolean> {
  try {
    await dns.lookup(host);
    return true;
  } catch {
    return false;
  }
}

function failed(code: K8sErrorCode, message: string): never {
  throw new K8sError(code, message);
}

/**
 * Picks the pod (and its port) behind a Service port, from the Service's EndpointSlices: the slice port
 * with the Service port's name gives the pod port (a named `targetPort` resolved by the endpoints
 * controller); the first Ready, non-terminating endpoint backed by a Pod is chosen.
 */
export function pickEndpoint(
  service: { readonly name: string; readonly namespace: string },
  servicePort: DialServicePort | undefined,
  requestedPort: number,
  slices: readonly EndpointSliceView[],
): DialTarget | undefined {
  const candidates: DialTarget[] = [];
  for (const slice of slices) {
    let podPort: number | undefined;
    if (!servicePort) podPort = requestedPort;
    else if (slice.ports === null || slice.ports.length === 0) {
      podPort = typeof servicePort.targetPort === 'number' ? servicePort.targetPort : servicePort.port;
    } else {
      const match = slice.ports.find(
        (p) => (p.name ?? '') === (servicePort.name ?? '') && (p.protocol ?? 'TCP') === 'TCP',
      );
      podPort = match?.port;
    }
    if (podPort === undefined) continue;
    for (const endpoint of slice.endpoints) {
      if (!endpoint.ready || endpoint.terminating || !endpoint.pod) continue;
      candidates.push({
        namespace: endpoint.pod.namespace || service.namespace,
        pod: endpoint.pod.name,
        port: podPort,
        via: `service ${service.namespace}/${service.name}`,
      });
    }
  }
  candidates.sort((a, b) => a.pod.localeCompare(b.pod));
  return candidates[0];
}

/**
 * Reaches in-cluster addresses through the Kubernetes API, as `kubectl port-forward` does: a cluster DNS
 * name (see `classifyClusterHost`) that does not resolve here is resolved to one pod's port (a Service
 * through its EndpointSlices, a pod name directly) and connected through the API server's
 * `pods/portforward`. Anything else, and any name that resolves here (inside the cluster), is connected
 * directly, so runs inside a pod are unchanged.
 */
export class ClusterDialer {
  private readonly routes = new Map<string, Promise<ClusterName | undefined>>();
  private readonly told = new Set<string>();

  constructor(private readonly options: ClusterDialerOptions) {}

  /** The cluster name `host` stands for, if it is one (no network). */
  classify(host: string): ClusterName | undefined {
    return classifyClusterHost(host, this.options.namespace, this.options.clusterDomain);
  }

  /** The cluster name to tunnel to when `host` is one that does not resolve here; else undefined (connect directly). */
  tunnelFor(host: string): Promise<ClusterName | undefined> {
    const key = host.toLowerCase();
    let route = this.routes.get(key);
    if (!route) {
      const name = this.classify(host);
      route = name
        ? (this.options.resolves ?? dnsResolves)(host).then((ok) => (ok ? undefined : name))
        : Promise.resolve(undefined);
      this.routes.set(key, route);
    }
    return route;
  }

  /** The pod and port a cluster name and port lead to. Throws `K8sError`. */
  async resolve(name: ClusterName, port: number): Promise<DialTarget> {
    const { source } = this.options;
    if (name.kind === 'pod') {
      const pod = await source.getPod(name.namespace, name.pod);
      if (!pod) {
        failed(
          K8sErrorCode.PodNotFound,
          `no pod ${name.pod} in namespace ${name.namespace} (from ${name.pod}.${name.service}.${name.namespace}.svc)`,
        );
      }
      if (pod.deleting || pod.phase !== 'Running') {
        failed(
          K8sErrorCode.PodNotFound,
          `pod ${name.pod} in namespace ${name.namespace} is ${pod.deleting ? 'being deleted' : pod.phase}, not Running`,
        );
      }
      return { namespace: name.namespace, pod: name.pod, port, via: `pod ${name.namespace}/${name.pod}` };
    }
    const service = await source.getService(name.namespace, name.service);
    if (!service) {
      failed(K8sErrorCode.ServiceNotFound, `no Service ${name.service} in namespace ${name.namespace}`);
    }
    if (service.type === 'ExternalName') {
      failed(
        K8sErrorCode.ServicePortNotFound,
        `Service ${name.namespace}/${name.service} is an ExternalName for ${service.externalName ?? '?'}: connect to that instead`,
      );
    }
    const tcp = service.targetPorts.filter((p) => (p.protocol || 'TCP') === 'TCP');
    const servicePort = tcp.find((p) => p.port === port);
    if (!servicePort && tcp.length > 0) {
      failed(
        K8sErrorCode.ServicePortNotFound,
        `Service ${name.namespace}/${name.service} has no TCP port ${port} (ports: ${tcp.map((p) => p.port).join(', ')})`,
      );
    }
    const slices = await source.listEndpointSlices(name.namespace, name.service);
    const target = pickEndpoint(service, servicePort, port, slices);
    if (!target) {
      failed(
        K8sErrorCode.NoReadyEndpoint,
        `no Ready pod behind Service ${name.namespace}/${name.service} port ${port}`,
      );
    }
    return target;
  }

  /** A stream to `host:port` through the API server (no DNS look-up). Throws `K8sError`. */
  async tunnel(host: string, port: number, name: ClusterName): Promise<Duplex> {
    const target = await this.resolve(name, port);
    const key = `${host}:${port}`;
    if (!this.told.has(key)) {
      this.told.add(key);
      this.options.onTunnel?.({ host, port, target });
    }
    return this.options.source.portForward(target.namespace, target.pod, target.port);
  }

  /**
   * A connected stream to `host:port`: directly, or through the API server for a cluster name that does
   * not resolve here; then TLS over it when `tls` is given. Rejects with the direct connection's error
   * or a `K8sError`.
   */
  async open(host: string, port: number, tls?: ConnectionOptions): Promise<Duplex> {
    const name = await this.tunnelFor(host);
    const raw = name ? await this.tunnel(host, port, name) : await this.direct(host, port);
    if (!tls) return raw;
    return new Promise<Duplex>((resolve, reject) => {
      const secure = tlsConnect({
        ...tls,
        socket: raw,
        ...(tls.servername === undefined && !isIP(host) ? { servername: host } : {}),
      });
      secure.once('secureConnect', () => {
        secure.off('error', reject);
        resolve(secure);
      });
      secure.once('error', reject);
    });
  }

  /**
   * The same as `open`, but returned at once (for `http`'s `createConnection` and kafkajs's
   * `socketFactory`, which want a socket synchronously): emits `connect` once connected (after TLS), or
   * is destroyed with the error.
   */
  connect(host: string, port: number, tls?: ConnectionOptions): SocketLikeDuplex {
    return new DeferredSocket(() => this.open(host, port, tls));
  }

  private direct(host: string, port: number): Promise<Duplex> {
    return new Promise((resolve, reject) => {
      const socket = (this.options.netConnect ?? ((h, p) => netConnect({ host: h, port: p })))(host, port);
      const onError = (error: Error) => reject(error);
      socket.once('error', onError);
      socket.once('connect', () => {
        socket.off('error', onError);
        resolve(socket);
      });
    });
  }
}

/** A socket handed out before it is connected: writes wait, reads and errors pass through once it is. */
class DeferredSocket extends SocketLikeDuplex {
  private inner?: Duplex;
  private readonly queued: Array<{
    chunk: Buffer;
    encoding: BufferEncoding;
    callback: (e?: Error | null) => void;
  }> = [];
  private ending = false;
  private eof = false;

  constructor(open: () => Promise<Duplex>) {
    super();
    open().then(
      (inner) => this.attach(inner),
      (error: Error) => this.destroy(error),
    );
  }

  private attach(inner: Duplex): void {
    if (this.destroyed) {
      inner.destroy();
      return;
    }
    this.inner = inner;
    this.connecting = false;
    inner.on('data', (chunk: Buffer) => {
      this.touch();
      if (!this.push(chunk)) inner.pause();
    });
    inner.on('end', () => this.finish());
    inner.on('error', (error) => this.destroy(error));
    // Closed without an end (destroyed): the peer is gone, so is this stream's readable side.
    inner.on('close', () => this.finish());
    for (const { chunk, encoding, callback } of this.queued.splice(0)) inner.write(chunk, encoding, callback);
    if (this.ending) inner.end();
    this.emit('connect');
  }

  private finish(): void {
    if (this.eof || this.destroyed) return;
    this.eof = true;
    this.clearIdle();
    this.push(null);
  }

  override _read(): void {
    this.inner?.resume();
  }

  override _write(chunk: Buffer, encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.touch();
    if (this.inner) this.inner.write(chunk, encoding, callback);
    else this.queued.push({ chunk, encoding, callback });
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (this.inner) this.inner.end();
    else this.ending = true;
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.clearIdle();
    this.inner?.destroy();
    for (const { callback: cb } of this.queued.splice(0)) cb(error ?? new Error('socket destroyed'));
    callback(error);
  }
}
