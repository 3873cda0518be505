import { FakeClock } from '@hoot/testing';
import {
  DEFAULT_SUPERVISOR_POLICY,
  ServiceSupervisor,
  backoffFor,
  type CrashLoop,
  type ProcessExit,
  type SupervisedProcess,
  type SupervisorEvent,
  type SupervisorPolicy,
} from './service-supervisor';

/** A process that runs until the test crashes it (or the supervisor stops it). */
class FakeProcess implements SupervisedProcess {
  readonly exit: Promise<ProcessExit>;
  stopCalls = 0;
  private end: (exit: ProcessExit) => void = () => undefined;
  private ended = false;

  constructor(
    readonly id: number,
    private readonly output = `line of process ${id}`,
  ) {
    this.exit = new Promise((resolve) => (this.end = resolve));
  }

  crash(exit: ProcessExit = { code: null, signal: 'SIGKILL' }): void {
    this.ended = true;
    this.end(exit);
  }

  get running(): boolean {
    return !this.ended;
  }

  async stop(): Promise<void> {
    this.stopCalls += 1;
    if (!this.ended) this.crash({ code: null, signal: 'SIGTERM' });
  }

  recentOutput(): string {
    return this.output;
  }
}

/** Lets every pending promise callback run (the supervisor's loop is async). */
const settle = async () => {
  for (let i = 0; i < 20; i += 1) await Promise.resolve();
};

interface Harness {
  clock: FakeClock;
  supervisor: ServiceSupervisor;
  events: SupervisorEvent[];
  processes: FakeProcess[];
  /** Restart requests not answered yet (the test decides when a restart is ready or fails). */
  pending: { attempt: number; signal: AbortSignal; ready(): FakeProcess; fail(why: string): void }[];
  gaveUp: CrashLoop[];
}

function supervise(policy: SupervisorPolicy = DEFAULT_SUPERVISOR_POLICY): Harness {
  const clock = new FakeClock();
  const events: SupervisorEvent[] = [];
  const processes = [new FakeProcess(0)];
  const pending: Harness['pending'] = [];
  const gaveUp: CrashLoop[] = [];
  const supervisor = new ServiceSupervisor(
    {
      part: 'cash-coremx-1-c1',
      policy,
      clock,
      onEvent: (e) => events.push(e),
      restart: (attempt, signal) =>
        new Promise<SupervisedProcess>((resolve, reject) => {
          const entry = {
            attempt,
            signal,
            ready: () => {
              const p = new FakeProcess(processes.length);
              processes.push(p);
              pending.splice(pending.indexOf(entry), 1);
              resolve(p);
              return p;
            },
            fail: (why: string) => {
              pending.splice(pending.indexOf(entry), 1);
              reject(new Error(`cash-coremx-1-c1: ${why}\n--- last output ---\nEADDRINUSE`));
            },
          };
          pending.push(entry);
          signal.addEventListener('abort', () => entry.fail('start aborted'));
        }),
    },
    processes[0],
  );
  void supervisor.gaveUp.then((loop) => gaveUp.push(loop));
  return { clock, supervisor, events, processes, pending, gaveUp };
}

/** Crashes the running process, waits out the backoff and brings the restart up. */
async function crashAndRestart(h: Harness, backoffMs: number): Promise<FakeProcess> {
  h.processes[h.processes.length - 1].crash();
  await settle();
  h.clock.advance(backoffMs - 1);
  await settle();
  expect(h.pending).toHaveLength(0); // not before the backoff is over
  h.clock.advance(1);
  await settle();
  expect(h.pending).toHaveLength(1);
  const p = h.pending[0].ready();
  await settle();
  return p;
}

describe('ServiceSupervisor (the local platform restarts a crashed service)', () => {
  it('doubles the backoff from the initial delay up to the cap', () => {
    const policy = { ...DEFAULT_SUPERVISOR_POLICY, backoffMs: { initial: 1_000, max: 30_000 } };
    expect([1, 2, 3, 4, 5, 6, 7, 50].map((n) => backoffFor(policy, n))).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000,
    ]);
  });

  it('restarts a crashed service after 1 s, then 2 s, 4 s …, logging the exit and the attempt', async () => {
    const h = supervise({ ...DEFAULT_SUPERVISOR_POLICY, crashLoop: { crashes: 10, withinMs: 60_000 } });
    h.processes[0].crash({ code: null, signal: 'SIGKILL' });
    await settle();
    expect(h.events).toEqual([
      {
        type: 'crashed',
        part: 'cash-coremx-1-c1',
        exit: { code: null, signal: 'SIGKILL' },
        crashes: 1,
        restartInMs: 1_000,
        attempt: 1,
      },
    ]);
    expect(h.processes[0].stopCalls).toBe(1); // what it left in its process group goes
    expect(h.supervisor.process).toBeUndefined();
    h.clock.advance(999);
    await settle();
    expect(h.pending).toHaveLength(0);
    h.clock.advance(1);
    await settle();
    expect(h.pending.map((p) => p.attempt)).toEqual([1]);
    h.clock.advance(3_000); // start-up time of the restarted service
    h.pending[0].ready();
    await settle();
    expect(h.events.slice(1)).toEqual([
      { type: 'restarting', part: 'cash-coremx-1-c1', attempt: 1 },
      { type: 'restarted', part: 'cash-coremx-1-c1', attempt: 1, ms: 3_000 },
    ]);
    expect(h.supervisor.process).toBe(h.processes[1]);

    h.processes[1].crash({ code: 1, signal: null });
    await settle();
    expect(h.events.at(-1)).toMatchObject({
      type: 'crashed',
      exit: { code: 1 },
      restartInMs: 2_000,
      attempt: 2,
    });
    h.clock.advance(2_000);
    await settle();
    h.pending[0].ready();
    await settle();
    await crashAndRestart(h, 4_000);
    await crashAndRestart(h, 8_000);
    expect(h.supervisor.restarts).toBe(4);
    expect(h.gaveUp).toEqual([]);
    await h.supervisor.stop();
  });

  it('starts again from the initial backoff once the service stayed up a minute', async () => {
    const h = supervise();
    await crashAndRestart(h, 1_000);
    await crashAndRestart(h, 2_000);
    h.clock.advance(60_000);
    await crashAndRestart(h, 1_000);
    await h.supervisor.stop();
  });

  it('counts a restart that is not ready (it exits or times out) as a crash, and keeps trying', async () => {
    const h = supervise();
    h.processes[0].crash();
    await settle();
    h.clock.advance(1_000);
    await settle();
    h.pending[0].fail('exited with code 1 before it was ready');
    await settle();
    expect(h.events.slice(-2)).toEqual([
      {
        type: 'restart-failed',
        part: 'cash-coremx-1-c1',
        attempt: 1,
        error: 'cash-coremx-1-c1: exited with code 1 before it was ready',
      },
      {
        type: 'crashed',
        part: 'cash-coremx-1-c1',
        exit: undefined,
        crashes: 2,
        restartInMs: 2_000,
        attempt: 2,
      },
    ]);
    h.clock.advance(2_000);
    await settle();
    expect(h.pending.map((p) => p.attempt)).toEqual([2]);
    h.pending[0].ready();
    await settle();
    expect(h.supervisor.process).toBe(h.processes[1]);
    await h.supervisor.stop();
  });

  it('gives up on a crash loop (5 crashes within 60 s), naming the service with its last output', async () => {
    const h = supervise();
    await crashAndRestart(h, 1_000);
    await crashAndRestart(h, 2_000);
    await crashAndRestart(h, 4_000);
    await crashAndRestart(h, 8_000);
    expect(h.gaveUp).toEqual([]);
    h.processes[4].crash({ code: 7, signal: null });
    await settle();
    expect(h.gaveUp).toEqual([
      {
        part: 'cash-coremx-1-c1',
        crashes: 5,
        withinMs: 60_000,
        lastExit: { code: 7, signal: null },
        lastOutput: 'line of process 4',
        message: 'cash-coremx-1-c1 crashed 5 times within 60 s (last: code 7); not restarting it again',
      },
    ]);
    expect(h.events.at(-1)).toMatchObject({ type: 'crash-loop', part: 'cash-coremx-1-c1', crashes: 5 });
    h.clock.advance(600_000);
    await settle();
    expect(h.pending).toEqual([]); // no restart after giving up
    expect(h.clock.pendingTimers).toBe(0);
  });

  it('does not call crashes spread wider than the window a loop', async () => {
    const h = supervise();
    for (let i = 0; i < 8; i += 1) {
      h.clock.advance(20_000); // a crash every ~20 s: at most 3 in any 60 s
      await crashAndRestart(h, backoffFor(DEFAULT_SUPERVISOR_POLICY, i + 1)); // 1 s … 30 s, never reset
    }
    expect(h.gaveUp).toEqual([]);
    expect(h.supervisor.restarts).toBe(8);
    await h.supervisor.stop();
  });

  it('stops during a backoff: no restart ever comes, no timer is left', async () => {
    const h = supervise();
    h.processes[0].crash();
    await settle();
    expect(h.clock.pendingTimers).toBe(1);
    await h.supervisor.stop();
    expect(h.clock.pendingTimers).toBe(0);
    h.clock.advance(600_000);
    await settle();
    expect(h.pending).toEqual([]);
    expect(h.events.map((e) => e.type)).toEqual(['crashed']);
  });

  it('stops during a restart that is not ready yet: the start is aborted and nothing runs', async () => {
    const h = supervise();
    h.processes[0].crash();
    await settle();
    h.clock.advance(1_000);
    await settle();
    const [restart] = h.pending;
    expect(restart.signal.aborted).toBe(false);
    await h.supervisor.stop();
    expect(restart.signal.aborted).toBe(true);
    expect(h.pending).toEqual([]);
    expect(h.supervisor.process).toBeUndefined();
    expect(h.events.map((e) => e.type)).toEqual(['crashed', 'restarting']);
  });

  it('stops the running service and does not restart it (a stop is not a crash)', async () => {
    const h = supervise();
    await h.supervisor.stop();
    expect(h.processes[0].running).toBe(false);
    h.clock.advance(600_000);
    await settle();
    expect(h.events).toEqual([]);
    expect(h.pending).toEqual([]);
    await h.supervisor.stop(); // idempotent
  });
});
