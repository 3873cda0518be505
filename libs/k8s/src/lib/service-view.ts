import { K8sError, K8sErrorCode } from './k8s-error';

export interface ServicePortView {
  readonly name?: string;
  readonly port: number;
  readonly protocol: string;
  readonly appProtocol?: string;
  readonly nodePort?: number;
}

/** What `findServiceUrl` reads of a v1 Service. */
export interface ServiceView {
  readonly name: string;
  readonly namespace: string;
  /** ClusterIP, NodePort, LoadBalancer or ExternalName. */
  readonly type: string;
  readonly clusterIP?: string;
  readonly externalName?: string;
  readonly ports: readonly ServicePortView[];
  /** `status.loadBalancer.ingress`: where a LoadBalancer Service is reachable from outside. */
  readonly ingress: ReadonlyArray<{ readonly ip?: string; readonly hostname?: string }>;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

/** The fields of a v1 Service read by `toServiceView` (decoded by @kubernetes/client-node or raw JSON). */
export interface RawService {
  metadata?: {
    name?: string;
    namespace?: string;
    labels?: Record<string, string> | null;
    annotations?: Record<string, string> | null;
  } | null;
  spec?: {
    type?: string;
    clusterIP?: string;
    externalName?: string;
    ports?: Array<{
      name?: string;
      port?: number;
      protocol?: string;
      appProtocol?: string;
      nodePort?: number;
    }> | null;
  } | null;
  status?: { loadBalancer?: { ingress?: Array<{ ip?: string; hostname?: string }> | null } | null } | null;
}

/** Reads a Service object; throws `K8sError(ApiRejected)` if it lacks its name or namespace. */
export function toServiceView(raw: RawService): ServiceView {
  const meta = raw?.metadata ?? {};
  if (!meta.name || !meta.namespace) {
    throw new K8sError(
      K8sErrorCode.ApiRejected,
      'service object without metadata.name or metadata.namespace',
    );
  }
  const spec = raw.spec ?? {};
  const ports = (spec.ports ?? [])
    .filter((p) => typeof p?.port === 'number')
    .map((p) =>
      Object.freeze({
        ...(p.name ? { name: p.name } : {}),
        port: p.port as number,
        protocol: p.protocol ?? 'TCP',
        ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}),
        ...(p.nodePort ? { nodePort: p.nodePort } : {}),
      }),
    );
  const ingress = (raw.status?.loadBalancer?.ingress ?? []).map((i) =>
    Object.freeze({ ...(i.ip ? { ip: i.ip } : {}), ...(i.hostname ? { hostname: i.hostname } : {}) }),
  );
  return Object.freeze({
    name: meta.name,
    namespace: meta.namespace,
    type: spec.type ?? 'ClusterIP',
    ...(spec.clusterIP ? { clusterIP: spec.clusterIP } : {}),
    ...(spec.externalName ? { externalName: spec.externalName } : {}),
    ports: Object.freeze(ports),
    ingress: Object.freeze(ingress),
    labels: Object.freeze({ ...(meta.labels ?? {}) }),
    annotations: Object.freeze({ ...(meta.annotations ?? {}) }),
  });
}
