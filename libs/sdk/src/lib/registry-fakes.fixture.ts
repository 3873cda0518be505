import type { Clock, TimerHandle } from '@hoot/domain';
import type { FetchInit, FetchLike, FetchResponseLike } from './registry-http';

/**
 * Test doubles for the SDK's specs. The SDK may depend on `@hoot/domain` only (it runs in browsers),
 * so it cannot use `@hoot/testing`'s FakeClock; this is the same idea, kept small.
 */
export class TestClock implements Clock {
  private timers: { id: number; dueAt: number; callback: () => void }[] = [];
  private nextId = 1;

  constructor(private current = 1_000_000) {}

  now(): number {
    return this.current;
  }

  setTimeout(callback: () => void, delayMs: number): TimerHandle {
    const timer = { id: this.nextId++, dueAt: this.current + Math.max(0, delayMs), callback };
    this.timers.push(timer);
    return { id: timer.id };
  }

  clearTimeout(handle: TimerHandle): void {
    const id = (handle as { id: number }).id;
    this.timers = this.timers.filter((t) => t.id !== id);
  }

  get pendingTimers(): number {
    return this.timers.length;
  }

  /** Moves time forward, firing due timers in order. */
  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      const due = this.timers
        .filter((t) => t.dueAt <= target)
        .sort((a, b) => a.dueAt - b.dueAt || a.id - b.id)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.current = Math.max(this.current, due.dueAt);
      due.callback();
    }
    this.current = target;
  }
}

/** How a fake server answers: an HTTP answer, a refused connection, or no answer at all. */
export type FakeAnswer =
  { status: number; body?: unknown; headers?: Record<string, string> } | 'network' | 'hang';

export interface FakeCall {
  origin: string;
  /** Path and query. */
  path: string;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
  at: number;
}

type Behaviour = FakeAnswer | ((call: FakeCall) => FakeAnswer);

/** A set of fake HTTP servers by origin; unknown origins refuse connections. Records every call. */
export class FakeServers {
  readonly calls: FakeCall[] = [];
  private readonly behaviours = new Map<string, Behaviour>();
  private waiters: { count: number; resolve: () => void }[] = [];

  constructor(private readonly clock: Clock) {}

  /** Sets how `origin` (e.g. `http://reg-c1-1`) answers from now on. */
  set(origin: string, behaviour: Behaviour): this {
    this.behaviours.set(origin, behaviour);
    return this;
  }

  /** Calls to `origin`, optionally only those to `path`. */
  callsTo(origin: string, path?: string): FakeCall[] {
    return this.calls.filter((c) => c.origin === origin && (path === undefined || c.path === path));
  }

  /** Resolves once `count` calls in total have arrived. */
  waitForCalls(count: number): Promise<void> {
    if (this.calls.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  readonly fetch: FetchLike = (url: string, init: FetchInit): Promise<FetchResponseLike> => {
    const u = new URL(url);
    const call: FakeCall = {
      origin: u.origin,
      path: u.pathname + u.search,
      method: init.method,
      headers: init.headers,
      body: init.body,
      at: this.clock.now(),
    };
    this.calls.push(call);
    const ready = this.waiters.filter((w) => this.calls.length >= w.count);
    this.waiters = this.waiters.filter((w) => this.calls.length < w.count);
    ready.forEach((w) => w.resolve());
    const behaviour = this.behaviours.get(call.origin) ?? 'network';
    const answer = typeof behaviour === 'function' ? behaviour(call) : behaviour;
    if (answer === 'network') return Promise.reject(new TypeError('fetch failed: connection refused'));
    if (answer === 'hang') {
      return new Promise((_, reject) =>
        init.signal.addEventListener('abort', () => reject(init.signal.reason), { once: true }),
      );
    }
    const problem = answer.status >= 400;
    const headers: Record<string, string> = {
      ...(answer.body === undefined
        ? {}
        : { 'content-type': problem ? 'application/problem+json' : 'application/json' }),
      ...(answer.headers ?? {}),
    };
    const text =
      answer.body === undefined
        ? ''
        : typeof answer.body === 'string'
          ? answer.body
          : JSON.stringify(answer.body);
    return Promise.resolve({
      status: answer.status,
      headers: {
        forEach: (cb: (value: string, name: string) => void) =>
          Object.entries(headers).forEach(([n, v]) => cb(v, n)),
      },
      text: () => Promise.resolve(text),
    });
  };
}

/** A problem+json body as hoot services send it. */
export function problemBody(status: number, code: string, detail: string): Record<string, unknown> {
  return { type: `https://hoot.mx/problems/${code}`, title: `status ${status}`, status, detail, code };
}
