import { FakeClock } from '@hoot/testing';
import fc from 'fast-check';
import { FakePodSource } from '../testing';
import { K8sError, K8sErrorCode } from './k8s-error';
import type { PodView } from './pod-view';
import { PodWatcher, type PodWatcherOptions, type PodWatcherProblem } from './pod-watcher';

/** Lets every queued microtask and promise continuation run (the fake delivers events asynchronously). */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i += 1) await new Promise<void>((resolve) => setImmediate(resolve));
}

interface Harness {
  source: FakePodSource;
  clock: FakeClock;
  watcher: PodWatcher;
  changed: PodView[];
  deleted: PodView[];
  problems: PodWatcherProblem[];
  log: string[];
}

function harness(options: Partial<PodWatcherOptions> = {}, source = new FakePodSource()): Harness {
  const clock = new FakeClock();
  const changed: PodView[] = [];
  const deleted: PodView[] = [];
  const problems: PodWatcherProblem[] = [];
  const log: string[] = [];
  const watcher = new PodWatcher({
    source,
    namespace: 'default',
    labelSelector: 'app=cash',
    clock,
    random: () => 0,
    onPodChanged: (pod) => {
      changed.push(pod);
      log.push(`changed ${pod.name} rv=${pod.resourceVersion}`);
    },
    onPodDeleted: (pod) => {
      deleted.push(pod);
      log.push(`deleted ${pod.name}`);
    },
    onProblem: (problem) => problems.push(problem),
    ...options,
  });
  return { source, clock, watcher, changed, deleted, problems, log };
}

const watchCalls = (source: FakePodSource) => source.calls.filter((c) => c.method === 'watchPods');
const listCalls = (source: FakePodSource) => source.calls.filter((c) => c.method === 'listPods');

describe('PodWatcher', () => {
  it('delivers the first list, then live changes and deletions of matching pods only', async () => {
    const source = new FakePodSource();
    source.addPod({ name: 'cash-a', labels: { app: 'cash' } });
    source.addPod({ name: 'other', labels: { app: 'registry' } });
    const h = harness({}, source);

    await h.watcher.start();
    expect(h.watcher.synced).toBe(true);
    expect(h.changed.map((p) => p.name)).toEqual(['cash-a']);

    await settle();
    source.addPod({ name: 'cash-b', labels: { app: 'cash' } });
    source.addPod({ name: 'other-2', labels: { app: 'registry' } });
    source.updatePod('cash-a', { phase: 'Running', ready: true });
    source.deletePod('cash-b');
    await settle();

    expect(h.log.slice(1)).toEqual([
      expect.stringMatching(/^changed cash-b /),
      expect.stringMatching(/^changed cash-a /),
      'deleted cash-b',
    ]);
    expect(h.changed.at(-1)).toMatchObject({
      name: 'cash-a',
      phase: 'Running',
      ready: true,
      deleting: false,
    });
    expect(h.watcher.pods().map((p) => p.name)).toEqual(['cash-a']);
    expect(listCalls(source)).toEqual([
      { method: 'listPods', namespace: 'default', labelSelector: 'app=cash' },
    ]);
    h.watcher.stop();
  });

  it('watches from the resourceVersion of the list, with the server timeout asked for', async () => {
    const source = new FakePodSource();
    source.addPod({ name: 'cash-a', labels: { app: 'cash' } });
    const h = harness({ tuning: { watchTimeoutSeconds: 42 } }, source);
    await h.watcher.start();
    await settle();
    expect(watchCalls(source)).toEqual([
      {
        method: 'watchPods',
        namespace: 'default',
        labelSelector: 'app=cash',
        resourceVersion: source.resourceVersion,
        timeoutSeconds: 42,
      },
    ]);
    h.watcher.stop();
  });

  it('resumes at once from the last resourceVersion when a healthy watch ends, missing nothing', async () => {
    const h = harness();
    await h.watcher.start();
    await settle();
    h.source.addPod({ name: 'cash-a', labels: { app: 'cash' } });
    await settle();
    const seen = h.source.resourceVersion;

    h.source.endWatches();
    h.source.addPod({ name: 'cash-b', labels: { app: 'cash' } }); // while no watch is open
    await settle();

    expect(watchCalls(h.source).map((c) => c.resourceVersion)).toEqual(['1', seen]);
    expect(h.changed.map((p) => p.name)).toEqual(['cash-a', 'cash-b']);
    expect(listCalls(h.source)).toHaveLength(1);
    expect(h.problems).toEqual([]);
    expect(h.clock.pendingTimers).toBe(0);
    h.watcher.stop();
  });

  it('counts a server-side timeout of a quiet but long watch as healthy', async () => {
    const h = harness({ tuning: { healthyWatchMs: 1000 } });
    await h.watcher.start();
    await settle();
    h.clock.advance(1000);
    h.source.endWatches();
    await settle();
    expect(watchCalls(h.source)).toHaveLength(2);
    expect(h.problems).toEqual([]);
    h.watcher.stop();
  });

  it('backs off exponentially (with jitter) while watches fail, and resets after success', async () => {
    const random = jest.fn(() => 0.5);
    const h = harness({ random, tuning: { initialBackoffMs: 100, maxBackoffMs: 350, jitter: 0.2 } });
    await h.watcher.start();
    await settle();
    const broken = new K8sError(K8sErrorCode.ApiUnavailable, 'connection reset');
    h.source.failNextWatches(broken, broken, broken);

    h.source.endWatches(broken);
    await settle();
    // 100 ms * (1 - 0.2 * 0.5) = 90 ms before the next attempt, not sooner.
    expect(h.problems.map((p) => p.retryInMs)).toEqual([90]);
    h.clock.advance(89);
    await settle();
    expect(watchCalls(h.source)).toHaveLength(1);
    h.clock.advance(1);
    await settle();
    expect(watchCalls(h.source)).toHaveLength(2); // failed again: 200 ms
    h.clock.advance(180);
    await settle();
    h.clock.advance(315); // 350 ms cap (400 would be next)
    await settle();
    h.clock.advance(315);
    await settle();
    expect(h.problems.map((p) => [p.stage, p.retryInMs])).toEqual([
      ['watch', 90],
      ['watch', 180],
      ['watch', 315],
      ['watch', 315],
    ]);
    expect(h.problems.every((p) => p.error instanceof K8sError)).toBe(true);
    expect(watchCalls(h.source)).toHaveLength(5);
    expect(h.source.openWatches).toBe(1);
    expect(h.watcher.stats.failures).toBe(4);

    h.source.addPod({ name: 'cash-a', labels: { app: 'cash' } });
    await settle();
    h.source.endWatches(broken);
    await settle();
    expect(h.problems.at(-1)?.retryInMs).toBe(90); // delivered an event: healthy again, backoff restarts
    h.watcher.stop();
  });

  it('treats a watch the server closes at once, without events, as a failure', async () => {
    const h = harness();
    await h.watcher.start();
    await settle();
    h.source.endWatches();
    await settle();
    expect(h.problems).toHaveLength(1);
    expect(h.problems[0]).toMatchObject({ stage: 'watch', retryInMs: 250 });
    expect(watchCalls(h.source)).toHaveLength(1);
    h.clock.advance(250);
    await settle();
    expect(watchCalls(h.source)).toHaveLength(2);
    h.watcher.stop();
  });

  it('relists on 410 Gone and reports what changed while it was not watching', async () => {
    const source = new FakePodSource();
    source.addPod({ name: 'stays', labels: { app: 'cash' } });
    source.addPod({ name: 'changes', labels: { app: 'cash' } });
    source.addPod({ name: 'goes', labels: { app: 'cash' } });
    const h = harness({}, source);
    await h.watcher.start();
    await settle();
    h.source.endWatches(new K8sError(K8sErrorCode.ApiUnavailable, 'network down'));
    await settle();
    // While disconnected: changes, and the history is compacted away.
    source.updatePod('changes', { phase: 'Running' });
    source.deletePod('goes');
    source.addPod({ name: 'new', labels: { app: 'cash' } });
    source.compact();
    h.log.length = 0;

    h.clock.advance(250);
    await settle();

    expect(h.problems.map((p) => (p.error as K8sError).code)).toEqual([
      K8sErrorCode.ApiUnavailable,
      K8sErrorCode.ApiGone,
    ]);
    expect(listCalls(source)).toHaveLength(2);
    expect(h.log).toEqual([
      'deleted goes',
      expect.stringMatching(/^changed changes /),
      expect.stringMatching(/^changed new /),
    ]);
    expect(
      h.watcher
        .pods()
        .map((p) => p.name)
        .sort(),
    ).toEqual(['changes', 'new', 'stays']);
    expect(watchCalls(source).at(-1)?.resourceVersion).toBe(source.resourceVersion);
    expect(source.openWatches).toBe(1);
    h.watcher.stop();
  });

  it('relists when an open watch gets an ERROR event with code 410', async () => {
    const h = harness();
    await h.watcher.start();
    await settle();
    h.source.errorWatches(410, 'Expired', 'too old resource version');
    await settle();
    expect(listCalls(h.source)).toHaveLength(2);
    expect(h.problems).toEqual([expect.objectContaining({ stage: 'watch', retryInMs: 0 })]);
    expect(h.watcher.stats).toMatchObject({ lists: 2, watches: 2 });
    h.watcher.stop();
  });

  it('resumes with backoff (without relisting) after an ERROR event that is not 410', async () => {
    const h = harness();
    await h.watcher.start();
    await settle();
    h.source.errorWatches(500, 'InternalError', 'etcd timeout');
    await settle();
    expect(h.problems).toEqual([expect.objectContaining({ stage: 'watch', retryInMs: 250 })]);
    expect((h.problems[0].error as K8sError).code).toBe(K8sErrorCode.ApiUnavailable);
    h.clock.advance(250);
    await settle();
    expect(listCalls(h.source)).toHaveLength(1);
    expect(watchCalls(h.source)).toHaveLength(2);
    h.watcher.stop();
  });

  it('retries a failing first list with backoff; start() resolves once a list succeeded', async () => {
    const source = new FakePodSource();
    source.addPod({ name: 'cash-a', labels: { app: 'cash' } });
    source.failNextLists(new K8sError(K8sErrorCode.ApiForbidden, 'pods is forbidden'));
    const h = harness({}, source);
    let resolved = false;
    const started = h.watcher.start().then(() => (resolved = true));
    await settle();
    expect(resolved).toBe(false);
    expect(h.problems).toEqual([expect.objectContaining({ stage: 'list', retryInMs: 250 })]);
    h.clock.advance(250);
    await started;
    expect(h.changed.map((p) => p.name)).toEqual(['cash-a']);
    h.watcher.stop();
  });

  it('keeps going when a handler throws, and reports it', async () => {
    const h = harness({
      onPodChanged: (pod) => {
        if (pod.name === 'bad') throw new Error('handler bug');
        h.changed.push(pod);
      },
    });
    await h.watcher.start();
    await settle();
    h.source.addPod({ name: 'bad', labels: { app: 'cash' } });
    h.source.addPod({ name: 'good', labels: { app: 'cash' } });
    await settle();
    expect(h.changed.map((p) => p.name)).toEqual(['good']);
    expect(h.problems).toEqual([{ stage: 'handler', error: new Error('handler bug') }]);
    h.watcher.stop();
  });

  it('reports a pod being deleted (deletionTimestamp set) as a change with deleting=true', async () => {
    const h = harness();
    await h.watcher.start();
    await settle();
    h.source.addPod({ name: 'cash-a', labels: { app: 'cash' }, phase: 'Running', ready: true });
    h.source.updatePod('cash-a', { deleting: true, ready: false });
    await settle();
    expect(h.changed.at(-1)).toMatchObject({ name: 'cash-a', deleting: true, ready: false });
    expect(h.deleted).toEqual([]);
    h.watcher.stop();
  });

  it('stop() closes the watch, cancels a pending retry and silences the handlers', async () => {
    const h = harness();
    await h.watcher.start();
    await settle();
    expect(h.source.openWatches).toBe(1);
    h.watcher.stop();
    expect(h.source.openWatches).toBe(0);
    h.source.addPod({ name: 'cash-a', labels: { app: 'cash' } });
    await settle();
    expect(h.changed).toEqual([]);

    const h2 = harness();
    await h2.watcher.start();
    await settle();
    h2.source.endWatches(new Error('boom'));
    await settle();
    expect(h2.clock.pendingTimers).toBe(1);
    h2.watcher.stop();
    expect(h2.clock.pendingTimers).toBe(0);
    h2.clock.advance(60_000);
    await settle();
    expect(watchCalls(h2.source)).toHaveLength(1);
    h2.watcher.stop(); // idempotent
  });

  it('start() resolves if stop() comes before the first list succeeded; start() twice throws', async () => {
    const source = new FakePodSource();
    source.failNextLists(new Error('down'));
    const h = harness({}, source);
    const started = h.watcher.start();
    expect(() => h.watcher.start()).toThrow('once');
    await settle();
    h.watcher.stop();
    await expect(started).resolves.toBeUndefined();
    expect(h.watcher.synced).toBe(false);
  });

  it('refuses a bad namespace or label selector before calling the API', () => {
    const source = new FakePodSource();
    for (const bad of [{ namespace: 'Bad_NS' }, { labelSelector: 'app=(' }, { labelSelector: 'a=b,,c' }]) {
      let error: unknown;
      try {
        harness(bad, source);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(K8sError);
      expect((error as K8sError).code).toBe(K8sErrorCode.ArgumentInvalid);
    }
    expect(source.calls).toEqual([]);
  });

  it('ends up with exactly the pods of the API, whatever the sequence of changes and failures', async () => {
    type Op =
      | { kind: 'add'; n: number; match: boolean }
      | { kind: 'update'; n: number }
      | { kind: 'delete'; n: number }
      | { kind: 'end' }
      | { kind: 'break' }
      | { kind: 'gone' }
      | { kind: 'compact' }
      | { kind: 'failWatch' }
      | { kind: 'bookmark' }
      | { kind: 'wait'; ms: number };
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ kind: fc.constant('add' as const), n: fc.nat(5), match: fc.boolean() }),
      fc.record({ kind: fc.constant('update' as const), n: fc.nat(5) }),
      fc.record({ kind: fc.constant('delete' as const), n: fc.nat(5) }),
      fc.constant({ kind: 'end' as const }),
      fc.constant({ kind: 'break' as const }),
      fc.constant({ kind: 'gone' as const }),
      fc.constant({ kind: 'compact' as const }),
      fc.constant({ kind: 'failWatch' as const }),
      fc.constant({ kind: 'bookmark' as const }),
      fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 2000 }) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 30 }), async (ops) => {
        const view = new Map<string, PodView>();
        const h = harness({
          onPodChanged: (pod) => view.set(pod.uid, pod),
          onPodDeleted: (pod) => {
            if (!view.delete(pod.uid)) throw new Error(`deleted unknown pod ${pod.name}`);
          },
        });
        await h.watcher.start();
        const names = new Set<string>();
        let counter = 0;
        for (const o of ops) {
          const name = `p${'n' in o ? o.n : 0}`;
          if (o.kind === 'add' && !names.has(name)) {
            counter += 1;
            h.source.addPod({ name, labels: { app: o.match ? 'cash' : 'other', gen: String(counter) } });
            names.add(name);
          } else if (o.kind === 'update' && names.has(name)) h.source.updatePod(name, { ready: true });
          else if (o.kind === 'delete' && names.has(name)) {
            h.source.deletePod(name);
            names.delete(name);
          } else if (o.kind === 'end') h.source.endWatches();
          else if (o.kind === 'break') h.source.endWatches(new Error('reset'));
          else if (o.kind === 'gone') h.source.errorWatches(410, 'Expired');
          else if (o.kind === 'compact') h.source.compact();
          else if (o.kind === 'failWatch') h.source.failNextWatches(new Error('refused'));
          else if (o.kind === 'bookmark') h.source.bookmark();
          else if (o.kind === 'wait') h.clock.advance(o.ms);
          await settle();
        }
        // Let every retry happen.
        for (let i = 0; i < 5; i += 1) {
          h.clock.advance(60_000);
          await settle();
        }
        const expected = (await h.source.listPods('default', 'app=cash')).pods;
        const key = (p: PodView) => `${p.uid}@${p.resourceVersion}`;
        expect([...view.values()].map(key).sort()).toEqual(expected.map(key).sort());
        expect(h.watcher.pods().map(key).sort()).toEqual(expected.map(key).sort());
        expect(h.problems.filter((p) => p.stage === 'handler')).toEqual([]);
        h.watcher.stop();
      }),
      { numRuns: 150 },
    );
  });
});
