import { K8sError, K8sErrorCode } from '../lib/k8s-error';
import type {
  PodList,
  PodSource,
  PodWatchEvent,
  PodWatchRequest,
  ServiceSource,
  WatchSession,
} from '../lib/kube-api.port';
import { matchesLabels, parseLabelSelector } from '../lib/label-selector';
import type { PodPhase, PodView } from '../lib/pod-view';
import type { ServiceView } from '../lib/service-view';

export interface FakePodInit {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  phase?: PodPhase;
  ready?: boolean;
  ip?: string;
}

interface OpenWatch {
  request: PodWatchRequest;
  onEvent: (event: PodWatchEvent) => void;
  onEnd: (error?: unknown) => void;
  closed: boolean;
}

interface Change {
  rv: number;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  pod: PodView;
}

/**
 * An in-memory Kubernetes pod API with the semantics the `PodWatcher` relies on: a global resourceVersion,
 * lists that are snapshots, watches that replay every change after their resourceVersion and then stream
 * live ones, `410 Gone` for a version older than the last `compact()`, and switches to make calls fail.
 * Events are delivered asynchronously (a microtask later), as from a network.
 */
export class FakePodSource implements PodSource {
  private rv = 1;
  private compactedBelow = 0;
  private readonly pods = new Map<string, PodView>();
  private readonly history: Change[] = [];
  private readonly watches: OpenWatch[] = [];
  private uidCounter = 0;
  private listFailures: unknown[] = [];
  private watchFailures: unknown[] = [];
  /** Every call, for assertions. */
  readonly calls: Array<
    | { method: 'listPods'; namespace: string; labelSelector?: string }
    | ({ method: 'watchPods' } & PodWatchRequest)
  > = [];

  /** The current resourceVersion. */
  get resourceVersion(): string {
    return String(this.rv);
  }

  /** Watches neither closed by the client nor ended by `endWatches`. */
  get openWatches(): number {
    return this.watches.filter((w) => !w.closed).length;
  }

  addPod(init: FakePodInit): PodView {
    const namespace = init.namespace ?? 'default';
    const key = `${namespace}/${init.name}`;
    if (this.pods.has(key)) throw new Error(`FakePodSource: pod ${key} exists`);
    this.uidCounter += 1;
    const pod = this.version({
      name: init.name,
      namespace,
      uid: `uid-${this.uidCounter}`,
      labels: { ...(init.labels ?? {}) },
      phase: init.phase ?? 'Pending',
      ready: init.ready ?? false,
      deleting: false,
      ...(init.ip ? { ip: init.ip } : {}),
    });
    this.pods.set(key, pod);
    this.record('ADDED', pod);
    return pod;
  }

  updatePod(
    name: string,
    patch: Partial<Omit<PodView, 'name' | 'namespace' | 'uid' | 'resourceVersion'>>,
    namespace = 'default',
  ): PodView {
    const key = `${namespace}/${name}`;
    const old = this.pods.get(key);
    if (!old) throw new Error(`FakePodSource: no pod ${key}`);
    const pod = this.version({ ...old, ...patch });
    this.pods.set(key, pod);
    this.record('MODIFIED', pod);
    return pod;
  }

  deletePod(name: string, namespace = 'default'): PodView {
    const key = `${namespace}/${name}`;
    const old = this.pods.get(key);
    if (!old) throw new Error(`FakePodSource: no pod ${key}`);
    this.pods.delete(key);
    const pod = this.version(old);
    this.record('DELETED', pod);
    return pod;
  }

  /** Forgets history: a watch from a version before now is answered with `410 Gone`. */
  compact(): void {
    this.compactedBelow = this.rv;
  }

  /** The next list calls reject with these errors, in order. */
  failNextLists(...errors: unknown[]): void {
    this.listFailures.push(...errors);
  }

  /** The next watch calls reject with these errors, in order. */
  failNextWatches(...errors: unknown[]): void {
    this.watchFailures.push(...errors);
  }

  /** Ends every open watch, as a server timeout (no error) or a broken connection (an error) would. */
  endWatches(error?: unknown): void {
    for (const watch of this.watches.filter((w) => !w.closed)) {
      watch.closed = true;
      queueMicrotask(() => watch.onEnd(error));
    }
  }

  /** Sends an ERROR event (a Status) on every open watch and ends it, as the server does. */
  errorWatches(code: number, reason: string, message = reason): void {
    for (const watch of this.watches.filter((w) => !w.closed)) {
      watch.closed = true;
      queueMicrotask(() => {
        watch.onEvent({ type: 'ERROR', code, reason, message });
        watch.onEnd();
      });
    }
  }

  /** Sends a BOOKMARK with the current resourceVersion on every open watch. */
  bookmark(): void {
    const resourceVersion = this.resourceVersion;
    for (const watch of this.watches.filter((w) => !w.closed)) {
      queueMicrotask(() => !watch.closed && watch.onEvent({ type: 'BOOKMARK', resourceVersion }));
    }
  }

  async listPods(namespace: string, labelSelector?: string): Promise<PodList> {
    this.calls.push({
      method: 'listPods',
      namespace,
      ...(labelSelector !== undefined ? { labelSelector } : {}),
    });
    const failure = this.listFailures.shift();
    if (failure !== undefined) throw failure;
    const requirements = parseLabelSelector(labelSelector ?? '');
    const pods = [...this.pods.values()].filter(
      (p) => p.namespace === namespace && matchesLabels(requirements, p.labels),
    );
    return { pods, resourceVersion: this.resourceVersion };
  }

  async watchPods(
    request: PodWatchRequest,
    onEvent: (event: PodWatchEvent) => void,
    onEnd: (error?: unknown) => void,
  ): Promise<WatchSession> {
    this.calls.push({ method: 'watchPods', ...request });
    const failure = this.watchFailures.shift();
    if (failure !== undefined) throw failure;
    const from = Number(request.resourceVersion);
    if (!Number.isInteger(from))
      throw new K8sError(K8sErrorCode.ApiRejected, `bad resourceVersion '${request.resourceVersion}'`);
    const watch: OpenWatch = { request, onEvent, onEnd, closed: false };
    this.watches.push(watch);
    if (from < this.compactedBelow) {
      this.errorWatch(watch, 410, 'Expired', `too old resource version: ${from} (${this.compactedBelow})`);
    } else {
      for (const change of this.history.filter((c) => c.rv > from)) this.deliver(watch, change);
    }
    return {
      close: () => {
        watch.closed = true;
      },
    };
  }

  private errorWatch(watch: OpenWatch, code: number, reason: string, message: string): void {
    watch.closed = true;
    queueMicrotask(() => {
      watch.onEvent({ type: 'ERROR', code, reason, message });
      watch.onEnd();
    });
  }

  private version(pod: Omit<PodView, 'resourceVersion'>): PodView {
    this.rv += 1;
    return Object.freeze({
      ...pod,
      labels: Object.freeze({ ...pod.labels }),
      resourceVersion: String(this.rv),
    });
  }

  private record(type: Change['type'], pod: PodView): void {
    const change = { rv: this.rv, type, pod };
    this.history.push(change);
    for (const watch of this.watches.filter((w) => !w.closed)) this.deliver(watch, change);
  }

  private deliver(watch: OpenWatch, change: Change): void {
    const { namespace, labelSelector } = watch.request;
    if (change.pod.namespace !== namespace) return;
    if (!matchesLabels(parseLabelSelector(labelSelector ?? ''), change.pod.labels)) return;
    queueMicrotask(() => !watch.closed && watch.onEvent({ type: change.type, pod: change.pod }));
  }
}

/** An in-memory `ServiceSource`: the services given, filtered by namespace and label selector. */
export class FakeServiceSource implements ServiceSource {
  private failure: unknown;

  constructor(readonly services: ServiceView[] = []) {}

  /** The next list call rejects with this error. */
  failNextList(error: unknown): void {
    this.failure = error;
  }

  async listServices(namespace: string, labelSelector: string): Promise<readonly ServiceView[]> {
    const failure = this.failure;
    this.failure = undefined;
    if (failure !== undefined) throw failure;
    const requirements = parseLabelSelector(labelSelector);
    return this.services.filter((s) => s.namespace === namespace && matchesLabels(requirements, s.labels));
  }
}
