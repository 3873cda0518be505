import { K8sError, K8sErrorCode } from './k8s-error';

export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';

/** What hoot needs to know about a pod: a small, plain, immutable view of a v1 Pod. */
export interface PodView {
  readonly name: string;
  readonly namespace: string;
  readonly uid: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly phase: PodPhase;
  /** The pod's `Ready` condition is `True`. */
  readonly ready: boolean;
  /** A deletion was asked for (`metadata.deletionTimestamp` is set); the pod may still run its grace period. */
  readonly deleting: boolean;
  /** `status.podIP`, once the pod has one. */
  readonly ip?: string;
  /** The object's version: it changes with every change of the pod. */
  readonly resourceVersion: string;
}

/**
 * The fields of a v1 Pod read by `toPodView`, as they arrive either decoded by @kubernetes/client-node
 * (dates as `Date`) or as raw JSON from a watch (dates as strings).
 */
export interface RawPod {
  metadata?: {
    name?: string;
    namespace?: string;
    uid?: string;
    labels?: Record<string, string> | null;
    resourceVersion?: string;
    deletionTimestamp?: Date | string | null;
  } | null;
  status?: {
    phase?: string;
    podIP?: string;
    conditions?: Array<{ type?: string; status?: string }> | null;
  } | null;
}

const PHASES: ReadonlySet<string> = new Set<PodPhase>([
  'Pending',
  'Running',
  'Succeeded',
  'Failed',
  'Unknown',
]);

/** Reads a pod object; throws `K8sError(ApiRejected)` if it lacks its name, namespace, uid or resourceVersion. */
export function toPodView(raw: RawPod): PodView {
  const meta = raw?.metadata ?? {};
  const missing = (['name', 'namespace', 'uid', 'resourceVersion'] as const).filter(
    (key) => typeof meta[key] !== 'string' || meta[key] === '',
  );
  if (missing.length > 0) {
    throw new K8sError(
      K8sErrorCode.ApiRejected,
      `pod object without metadata.${missing.join(', metadata.')}`,
    );
  }
  const status = raw.status ?? {};
  const phase = status.phase && PHASES.has(status.phase) ? (status.phase as PodPhase) : 'Unknown';
  const ready = (status.conditions ?? []).some((c) => c?.type === 'Ready' && c.status === 'True');
  return Object.freeze({
    name: meta.name as string,
    namespace: meta.namespace as string,
    uid: meta.uid as string,
    labels: Object.freeze({ ...(meta.labels ?? {}) }),
    phase,
    ready,
    deleting: meta.deletionTimestamp !== undefined && meta.deletionTimestamp !== null,
    ...(status.podIP ? { ip: status.podIP } : {}),
    resourceVersion: meta.resourceVersion as string,
  });
}
