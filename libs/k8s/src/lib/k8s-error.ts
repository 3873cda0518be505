/**
 * Stable codes of every error this lib raises. Callers branch on these, never on messages: never rename
 * one, only add.
 */
export enum K8sErrorCode {
  /** An argument (namespace, label selector, option) is malformed; nothing was sent to the cluster. */
  ArgumentInvalid = 'k8s.argument-invalid',
  /** The kubeconfig file named does not exist or cannot be read. */
  KubeconfigNotFound = 'k8s.kubeconfig-not-found',
  /** The kubeconfig could not be parsed or has no usable current context/cluster. */
  KubeconfigInvalid = 'k8s.kubeconfig-invalid',
  /** In-cluster configuration was asked for, but this process does not run in a pod (no service account). */
  InClusterUnavailable = 'k8s.in-cluster-unavailable',
  /** The API server could not be reached, or answered with a server error (5xx, 429). */
  ApiUnavailable = 'k8s.api-unavailable',
  /** The API server refused the credentials (401) or the permission (403). */
  ApiForbidden = 'k8s.api-forbidden',
  /** The resourceVersion asked for is too old (410 Gone / Expired): list again. */
  ApiGone = 'k8s.api-gone',
  /** The API server answered with another client error (4xx), or with an object we cannot read. */
  ApiRejected = 'k8s.api-rejected',
  /** No Service matches the label selector in the namespace. */
  ServiceNotFound = 'k8s.service-not-found',
  /** More than one Service matches the label selector. */
  ServiceAmbiguous = 'k8s.service-ambiguous',
  /** The Service has no port to build a URL with (none at all, or not the one named). */
  ServicePortNotFound = 'k8s.service-port-not-found',
  /** A cluster name points at a pod that does not exist, or is not running (cluster dialer). */
  PodNotFound = 'k8s.pod-not-found',
  /** The Service has no Ready pod behind the port asked for (cluster dialer). */
  NoReadyEndpoint = 'k8s.no-ready-endpoint',
  /** The API server's port-forward to a pod failed or the pod refused the connection (cluster dialer). */
  PortForwardFailed = 'k8s.port-forward-failed',
}

/** An error of this lib: a stable `code`, a message for humans, the HTTP status when the API server answered. */
export class K8sError extends Error {
  override readonly name = 'K8sError';

  constructor(
    readonly code: K8sErrorCode,
    message: string,
    readonly details: { status?: number; reason?: string; cause?: unknown } = {},
  ) {
    super(message);
  }

  get status(): number | undefined {
    return this.details.status;
  }
}

/** True if `error` is a K8sError with that code. */
export function isK8sError(error: unknown, code?: K8sErrorCode): error is K8sError {
  return error instanceof K8sError && (code === undefined || error.code === code);
}

/** The K8sError code for an HTTP status of the API server. */
export function codeForStatus(status: number | undefined): K8sErrorCode {
  if (status === 410) return K8sErrorCode.ApiGone;
  if (status === 401 || status === 403) return K8sErrorCode.ApiForbidden;
  if (status === undefined || status === 429 || status >= 500) return K8sErrorCode.ApiUnavailable;
  return K8sErrorCode.ApiRejected;
}
