import type { PodView } from './pod-view';
import type { ServiceView } from './service-view';

/** A consistent snapshot of the pods a selector matches, and the version to watch from. */
export interface PodList {
  readonly pods: readonly PodView[];
  readonly resourceVersion: string;
}

/** One event of a pod watch, already decoded. */
export type PodWatchEvent =
  | { readonly type: 'ADDED' | 'MODIFIED' | 'DELETED'; readonly pod: PodView }
  /** The server's progress marker: nothing changed up to `resourceVersion`. */
  | { readonly type: 'BOOKMARK'; readonly resourceVersion: string }
  /** The server ended the watch with an error Status (a `code` of 410 means: list again). */
  | { readonly type: 'ERROR'; readonly code?: number; readonly reason?: string; readonly message: string };

export interface PodWatchRequest {
  readonly namespace: string;
  readonly labelSelector?: string;
  /** Events after this version only. */
  readonly resourceVersion: string;
  /** Ask the server to end the watch after this many seconds (it closes cleanly; the watcher resumes). */
  readonly timeoutSeconds?: number;
}

/** An open watch. `close()` ends it without calling `onEnd`. */
export interface WatchSession {
  close(): void;
}

/**
 * Pods as the Kubernetes API serves them: the port the `PodWatcher` runs on. The real one is
 * `KubeClient` (@kubernetes/client-node); tests use `FakePodSource`.
 */
export interface PodSource {
  /** Throws `K8sError` (e.g. `ApiUnavailable`, `ApiForbidden`). */
  listPods(namespace: string, labelSelector?: string): Promise<PodList>;
  /**
   * Opens a watch. Events arrive through `onEvent` in order; `onEnd` is called once when the watch ends by
   * itself: without an argument when the server closed it cleanly, with a `K8sError` otherwise (a 410 is
   * `ApiGone`). Rejects (with a `K8sError`) only if the watch could not be opened at all.
   */
  watchPods(
    request: PodWatchRequest,
    onEvent: (event: PodWatchEvent) => void,
    onEnd: (error?: unknown) => void,
  ): Promise<WatchSession>;
}

/** Services as the Kubernetes API serves them: the port of `findServiceUrl`. */
export interface ServiceSource {
  /** Throws `K8sError`. */
  listServices(namespace: string, labelSelector: string): Promise<readonly ServiceView[]>;
}
