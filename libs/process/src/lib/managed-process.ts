import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';

export interface ManagedProcessOptions {
  /** Shown in logs and errors. */
  name: string;
  command: string;
  args?: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Where stdout and stderr go (appended). */
  logFile?: string;
  /** Ready once a line of output matches. */
  readyLine?: RegExp;
  /** Ready once this resolves (polled until the timeout). Runs after `readyLine` matched, if both are set. */
  readyProbe?: () => Promise<unknown>;
  readyTimeoutMs?: number;
  /** Called with each output line (stdout and stderr). */
  onLine?: (line: string) => void;
  /** Aborting while it is not ready yet stops the process and makes `start` reject (a supervisor's stop). */
  signal?: AbortSignal;
}

/**
 * The shell prologue that makes a child die with us: a watchdog subshell polls our pid and the child's,
 * and sends the child SIGTERM (then SIGKILL) once we are gone, even after a `kill -9` of the test runner.
 */
export const WATCHDOG_PROLOGUE = [
  'parent=$1; shift',
  '( while kill -0 "$parent" 2>/dev/null && kill -0 $$ 2>/dev/null; do sleep 1; done',
  '  if kill -0 $$ 2>/dev/null; then kill -TERM $$ 2>/dev/null; sleep 15; kill -KILL $$ 2>/dev/null; fi',
  ') </dev/null >/dev/null 2>&1 &',
  'exec "$@"',
].join('\n');

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A child process in its own process group, stopped as a group, with its output kept for diagnosis. */
export class ManagedProcess {
  private readonly tail: string[] = [];
  private exitCode: number | null | undefined = undefined;
  private signalOfExit: NodeJS.Signals | null = null;
  readonly exited: Promise<number | null>;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
    private readonly log: WriteStream | undefined,
    onLine: ((line: string) => void) | undefined,
  ) {
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.signalOfExit = signal;
        this.exitCode = code ?? (signal ? null : 0);
        resolve(this.exitCode);
      });
    });
    const feed = (stream: NodeJS.ReadableStream | null) => {
      let buffered = '';
      stream?.on('data', (chunk: Buffer) => {
        this.log?.write(chunk);
        buffered += chunk.toString('utf8');
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) {
          this.tail.push(line);
          if (this.tail.length > 60) this.tail.shift();
          onLine?.(line);
        }
      });
    };
    feed(child.stdout);
    feed(child.stderr);
  }

  static async start(options: ManagedProcessOptions): Promise<ManagedProcess> {
    if (options.signal?.aborted) throw new Error(`${options.name}: start aborted`);
    let log: WriteStream | undefined;
    if (options.logFile) {
      mkdirSync(dirname(options.logFile), { recursive: true });
      log = createWriteStream(options.logFile, { flags: 'a' });
    }
    let matched = !options.readyLine;
    let onMatch: () => void = () => undefined;
    const lineSeen = new Promise<void>((resolve) => (onMatch = resolve));
    const child = spawn(
      'bash',
      ['-c', WATCHDOG_PROLOGUE, options.name, String(process.pid), options.command, ...(options.args ?? [])],
      {
        cwd: options.cwd,
        env: options.env ?? process.env,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const managed = new ManagedProcess(options.name, child, log, (line) => {
      if (!matched && options.readyLine?.test(line)) {
        matched = true;
        onMatch();
      }
      options.onLine?.(line);
    });
    try {
      await managed.waitReady(options, matched ? Promise.resolve() : lineSeen);
    } catch (error) {
      await managed.stop();
      throw error;
    }
    return managed;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.exitCode === undefined;
  }

  /** The signal that ended the process (e.g. `SIGKILL`), or null (exited by itself, or still running). */
  get exitSignal(): NodeJS.Signals | null {
    return this.signalOfExit;
  }

  /** The last lines the process printed. */
  recentOutput(): string {
    return this.tail.join('\n');
  }

  private async waitReady(options: ManagedProcessOptions, lineSeen: Promise<void>): Promise<void> {
    const timeoutMs = options.readyTimeoutMs ?? 120_000;
    const deadline = Date.now() + timeoutMs;
    const fail = (why: string) =>
      new Error(`${this.name}: ${why}\n--- last output of ${this.name} ---\n${this.recentOutput()}`);
    const exitedEarly = this.exited.then((code) => {
      throw fail(`exited with code ${code} before it was ready`);
    });
    let onAbort: () => void = () => undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(fail('start aborted'));
      options.signal?.addEventListener('abort', onAbort, { once: true });
    });
    const timeout = new Promise<never>((_, reject) => {
      const timer = setTimeout(() => reject(fail(`not ready after ${timeoutMs} ms`)), timeoutMs);
      this.exited.finally(() => clearTimeout(timer));
      lineSeen.then(() => !options.readyProbe && clearTimeout(timer));
    });
    // Keep unhandled-rejection noise away from whichever promise loses the race.
    exitedEarly.catch(() => undefined);
    timeout.catch(() => undefined);
    aborted.catch(() => undefined);
    try {
      await Promise.race([lineSeen, exitedEarly, timeout, aborted]);
      if (options.readyProbe)
        await this.probeUntilReady(options.readyProbe, deadline, timeoutMs, fail, aborted);
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
    }
  }

  private async probeUntilReady(
    readyProbe: () => Promise<unknown>,
    deadline: number,
    timeoutMs: number,
    fail: (why: string) => Error,
    aborted: Promise<never>,
  ): Promise<void> {
    let lastError: unknown;
    let stop = false;
    aborted.catch(() => (stop = true));
    while (Date.now() < deadline) {
      if (stop) throw fail('start aborted');
      if (!this.running) throw fail(`exited with code ${this.exitCode} before it was ready`);
      try {
        await readyProbe();
        return;
      } catch (error) {
        lastError = error;
        await sleep(200);
      }
    }
    const reason = lastError instanceof Error ? lastError.message : String(lastError);
    throw fail(`readiness probe still failing after ${timeoutMs} ms: ${reason}`);
  }

  /** SIGTERM to the whole group, then SIGKILL if it has not exited within `graceMs`. Idempotent. */
  async stop(graceMs = 20_000): Promise<void> {
    if (this.running && this.child.pid) {
      this.signalGroup('SIGTERM');
      let timer: ReturnType<typeof setTimeout> | undefined;
      const done = await Promise.race([
        this.exited.then(() => true),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), graceMs))),
      ]);
      clearTimeout(timer);
      if (!done) {
        this.signalGroup('SIGKILL');
        await this.exited;
      }
    }
    // Children of the group that outlived the leader (the watchdog, a forked helper) go too.
    this.signalGroup('SIGKILL');
    await new Promise<void>((resolve) => (this.log ? this.log.end(resolve) : resolve()));
  }

  /** Sends a signal to the group without waiting (for crash tests: `kill('SIGKILL')`). */
  kill(signal: NodeJS.Signals): void {
    this.signalGroup(signal);
  }

  private signalGroup(signal: NodeJS.Signals): void {
    if (!this.child.pid) return;
    try {
      process.kill(-this.child.pid, signal);
    } catch {
      // The group is already gone.
    }
  }
}
