import { systemClock, type Clock, type TimerHandle } from '@hoot/domain';
import { codeForStatus, isK8sError, K8sError, K8sErrorCode } from './k8s-error';
import type { PodList, PodSource, PodWatchEvent, WatchSession } from './kube-api.port';
import { checkNamespace, parseLabelSelector } from './label-selector';
import type { PodView } from './pod-view';

/** Tunables of the list+watch loop, with why each value. */
export const POD_WATCHER_DEFAULTS = {
  /** First retry after a failure: short, since an API server restart or a dropped connection heals in seconds. */
  initialBackoffMs: 250,
  /** Retries never wait longer: a pod change is seen at most this late after the API server is back. */
  maxBackoffMs: 30_000,
  /** Each delay is shortened by up to this fraction at random, so many watchers do not reconnect in step. */
  jitter: 0.2,
  /**
   * A watch that lived this long, or delivered an event, was healthy: its end is no failure and the watch
   * resumes at once. A watch that ends sooner without an event counts as a failure (backoff), so a server
   * that closes every watch at once is not hammered.
   */
  healthyWatchMs: 5_000,
  /**
   * Server-side timeout asked for each watch (client-go asks 5–10 min): the server ends the watch cleanly and
   * we resume from the last resourceVersion, which keeps connections fresh through proxies and load balancers.
   */
  watchTimeoutSeconds: 300,
} as const;

export type PodWatcherTuning = { -readonly [K in keyof typeof POD_WATCHER_DEFAULTS]: number };

/** Something went wrong and was handled; `retryInMs` says when the watcher tries again (if it does). */
export interface PodWatcherProblem {
  readonly stage: 'list' | 'watch' | 'handler';
  readonly error: unknown;
  readonly retryInMs?: number;
}

export interface PodWatcherOptions {
  source: PodSource;
  namespace: string;
  /** Kubernetes label selector (`app=cash,hoot.mx/coremx`); all pods of the namespace when absent. */
  labelSelector?: string;
  /** A pod appeared or changed (also once per pod of the first list, and for changes found by a relist). */
  onPodChanged(pod: PodView): void;
  /** A pod is gone: the last view we had of it (also for pods found missing by a relist). */
  onPodDeleted(pod: PodView): void;
  /** Failures the watcher handled by itself (logged by the caller; never thrown). */
  onProblem?(problem: PodWatcherProblem): void;
  clock?: Clock;
  /** In [0, 1); for the backoff jitter. */
  random?: () => number;
  tuning?: Partial<PodWatcherTuning>;
}

/** Counters, for diagnosis and tests. */
export interface PodWatcherStats {
  /** Successful lists (the first one and every relist). */
  lists: number;
  /** Watches opened. */
  watches: number;
  /** Consecutive failures right now (0 when healthy). */
  failures: number;
}

/**
 * Lists and watches the pods of a namespace that match a label selector, as client-go's reflector does:
 * list, then watch from the list's resourceVersion; when the watch ends or fails, resume from the last
 * resourceVersion seen (with exponential backoff after failures); when the server says that version is gone
 * (410), list again and report the difference (pods missing from the new list are reported deleted).
 * Handlers are called in order, one event at a time; a handler that throws is reported, not fatal.
 */
export class PodWatcher {
  private readonly namespace: string;
  private readonly labelSelector: string | undefined;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly tuning: PodWatcherTuning;
  private readonly known = new Map<string, PodView>();
  private state: 'idle' | 'running' | 'stopped' = 'idle';
  private resourceVersion: string | undefined;
  /** Bumped by every new cycle and by stop(): callbacks of an older cycle are ignored. */
  private generation = 0;
  private session: WatchSession | undefined;
  private timer: TimerHandle | undefined;
  private readonly counters: PodWatcherStats = { lists: 0, watches: 0, failures: 0 };
  private markSynced: () => void = () => undefined;
  private readonly syncedPromise: Promise<void>;
  private isSynced = false;

  constructor(private readonly options: PodWatcherOptions) {
    this.namespace = checkNamespace(options.namespace);
    if (options.labelSelector !== undefined) parseLabelSelector(options.labelSelector);
    this.labelSelector = options.labelSelector?.trim() || undefined;
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.tuning = { ...POD_WATCHER_DEFAULTS, ...options.tuning };
    this.syncedPromise = new Promise((resolve) => (this.markSynced = resolve));
  }

  /**
   * Starts listing and watching. Resolves once the first list has been delivered to the handlers (or the
   * watcher was stopped first); list failures are retried with backoff meanwhile, never thrown.
   */
  start(): Promise<void> {
    if (this.state !== 'idle') throw new Error('PodWatcher.start() may be called once');
    this.state = 'running';
    void this.cycle();
    return this.syncedPromise;
  }

  /** Stops for good: closes the watch, cancels retries; no handler is called afterwards. Idempotent. */
  stop(): void {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    this.generation += 1;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.session?.close();
    this.session = undefined;
    this.markSynced();
  }

  /** True once the first list has been delivered. */
  get synced(): boolean {
    return this.isSynced;
  }

  /** The pods as last seen (the first list plus every event since). */
  pods(): PodView[] {
    return [...this.known.values()];
  }

  get stats(): Readonly<PodWatcherStats> {
    return { ...this.counters };
  }

  private current(generation: number): boolean {
    return this.state === 'running' && generation === this.generation;
  }

  private async cycle(): Promise<void> {
    this.generation += 1;
    const generation = this.generation;
    if (this.resourceVersion === undefined) {
      let list: PodList;
      try {
        list = await this.options.source.listPods(this.namespace, this.labelSelector);
      } catch (error) {
        if (this.current(generation)) this.retryAfterFailure('list', error);
        return;
      }
      if (!this.current(generation)) return;
      this.counters.lists += 1;
      this.counters.failures = 0;
      this.reconcile(list);
      this.resourceVersion = list.resourceVersion;
      if (!this.isSynced) {
        this.isSynced = true;
        this.markSynced();
      }
      if (!this.current(generation)) return; // a handler stopped us
    }
    await this.watch(generation);
  }

  private async watch(generation: number): Promise<void> {
    const openedAt = this.clock.now();
    let delivered = false;
    let ended = false;
    let session: WatchSession;
    try {
      session = await this.options.source.watchPods(
        {
          namespace: this.namespace,
          labelSelector: this.labelSelector,
          resourceVersion: this.resourceVersion as string,
          timeoutSeconds: this.tuning.watchTimeoutSeconds,
        },
        (event) => {
          if (ended || !this.current(generation)) return;
          if (event.type === 'ERROR') {
            ended = true;
            this.closeSession();
            this.watchEnded(errorOfStatus(event), delivered, openedAt);
            return;
          }
          delivered = true;
          this.apply(event);
        },
        (error) => {
          if (ended || !this.current(generation)) return;
          ended = true;
          this.session = undefined;
          this.watchEnded(error, delivered, openedAt);
        },
      );
    } catch (error) {
      if (this.current(generation)) this.retryAfterFailure('watch', error);
      return;
    }
    this.counters.watches += 1;
    if (ended || !this.current(generation)) {
      session.close();
      return;
    }
    this.session = session;
  }

  private closeSession(): void {
    const session = this.session;
    this.session = undefined;
    session?.close();
  }

  private watchEnded(error: unknown, delivered: boolean, openedAt: number): void {
    // A watch that delivered events or lived long was a success, however it ended: backoff starts over.
    const healthy = delivered || this.clock.now() - openedAt >= this.tuning.healthyWatchMs;
    if (healthy) this.counters.failures = 0;
    if (isK8sError(error, K8sErrorCode.ApiGone)) {
      // Our resourceVersion is too old: list again now (a list never answers 410).
      this.resourceVersion = undefined;
      this.report({ stage: 'watch', error, retryInMs: 0 });
      void this.cycle();
      return;
    }
    if (error !== undefined && error !== null) {
      this.retryAfterFailure('watch', error);
      return;
    }
    if (healthy) {
      void this.cycle();
      return;
    }
    this.retryAfterFailure('watch', new Error('the API server ended the watch at once, without an event'));
  }

  private retryAfterFailure(stage: 'list' | 'watch', error: unknown): void {
    this.counters.failures += 1;
    const { initialBackoffMs, maxBackoffMs, jitter } = this.tuning;
    const base = Math.min(maxBackoffMs, initialBackoffMs * 2 ** Math.min(this.counters.failures - 1, 30));
    const delay = Math.max(0, Math.round(base * (1 - jitter * this.random())));
    this.report({ stage, error, retryInMs: delay });
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      if (this.state === 'running') void this.cycle();
    }, delay);
  }

  private apply(event: Exclude<PodWatchEvent, { type: 'ERROR' }>): void {
    if (event.type === 'BOOKMARK') {
      this.resourceVersion = event.resourceVersion;
      return;
    }
    const pod = event.pod;
    this.resourceVersion = pod.resourceVersion;
    if (event.type === 'DELETED') {
      this.known.delete(pod.uid);
      this.call('onPodDeleted', pod);
      return;
    }
    if (this.known.get(pod.uid)?.resourceVersion === pod.resourceVersion) return; // seen already
    this.known.set(pod.uid, pod);
    this.call('onPodChanged', pod);
  }

  /** Makes `known` equal to a fresh list, reporting what changed while we were not watching. */
  private reconcile(list: PodList): void {
    const fresh = new Map(list.pods.map((pod) => [pod.uid, pod]));
    const gone = [...this.known.values()].filter((pod) => !fresh.has(pod.uid));
    const changed = list.pods.filter(
      (pod) => this.known.get(pod.uid)?.resourceVersion !== pod.resourceVersion,
    );
    this.known.clear();
    for (const [uid, pod] of fresh) this.known.set(uid, pod);
    for (const pod of gone) this.call('onPodDeleted', pod);
    for (const pod of changed) this.call('onPodChanged', pod);
  }

  private call(handler: 'onPodChanged' | 'onPodDeleted', pod: PodView): void {
    if (this.state !== 'running') return;
    try {
      this.options[handler](pod);
    } catch (error) {
      this.report({ stage: 'handler', error });
    }
  }

  private report(problem: PodWatcherProblem): void {
    try {
      this.options.onProblem?.(problem);
    } catch {
      // A failing problem reporter must not break the watch loop.
    }
  }
}

/** The K8sError for an ERROR event (a Status object the server sends before it ends the watch). */
function errorOfStatus(event: Extract<PodWatchEvent, { type: 'ERROR' }>): K8sError {
  const gone = event.code === 410 || event.reason === 'Expired' || event.reason === 'Gone';
  return new K8sError(
    gone ? K8sErrorCode.ApiGone : codeForStatus(event.code),
    `watch ended by the API server: ${event.message}`,
    {
      status: event.code,
      reason: event.reason,
    },
  );
}
