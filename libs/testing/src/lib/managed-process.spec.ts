import { spawn } from 'node:child_process';
import { ManagedProcess, WATCHDOG_PROLOGUE } from '@hoot/process';
import { eventually } from './eventually';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('ManagedProcess', () => {
  it('waits for the ready line, then stops the whole process group', async () => {
    const proc = await ManagedProcess.start({
      name: 'sleeper',
      command: 'bash',
      args: ['-c', 'sleep 300 & echo "child $!"; echo READY; wait'],
      readyLine: /^READY$/,
      readyTimeoutMs: 10_000,
    });
    const childPid = Number(/child (\d+)/.exec(proc.recentOutput())?.[1]);
    expect(childPid).toBeGreaterThan(0);
    expect(alive(childPid)).toBe(true);
    await proc.stop(5_000);
    expect(proc.running).toBe(false);
    await eventually(() => expect(alive(childPid)).toBe(false), { timeoutMs: 5_000 });
  });

  it('reports an early exit with the output it printed', async () => {
    await expect(
      ManagedProcess.start({
        name: 'crasher',
        command: 'bash',
        args: ['-c', 'echo "missing tool: frobnicator" >&2; exit 3'],
        readyLine: /READY/,
        readyTimeoutMs: 10_000,
      }),
    ).rejects.toThrow(/crasher: exited with code 3 before it was ready[\s\S]*missing tool: frobnicator/);
  });

  it('retries the readiness probe until it passes', async () => {
    let probes = 0;
    const proc = await ManagedProcess.start({
      name: 'probed',
      command: 'sleep',
      args: ['300'],
      readyProbe: async () => {
        probes += 1;
        if (probes < 3) throw new Error('not listening yet');
      },
      readyTimeoutMs: 10_000,
    });
    expect(probes).toBe(3);
    await proc.stop(5_000);
    expect(proc.running).toBe(false);
  });

  it('takes the child down with it when the parent dies, even by SIGKILL (watchdog)', async () => {
    // A parent shell starts a watched sleeper exactly as ManagedProcess does, prints its pid, and is killed.
    const parent = spawn('bash', ['-c', 'bash -c "$W" watched $$ sleep 300 & echo $!; wait'], {
      env: { ...process.env, W: WATCHDOG_PROLOGUE },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const childPid = await new Promise<number>((resolve) =>
      parent.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim()))),
    );
    parent.stdout.destroy();
    expect(alive(childPid)).toBe(true);
    parent.kill('SIGKILL');
    await eventually(() => expect(alive(childPid)).toBe(false), { timeoutMs: 20_000 });
  });
  it('aborting its signal before it is ready stops the process group and rejects the start', async () => {
    const abort = new AbortController();
    let childPid = 0;
    const starting = ManagedProcess.start({
      name: 'never-ready',
      command: 'bash',
      args: ['-c', 'sleep 300 & echo "child $!"; wait'],
      readyProbe: async () => {
        throw new Error('not listening');
      },
      readyTimeoutMs: 60_000,
      signal: abort.signal,
      onLine: (line) => {
        const pid = /child (\d+)/.exec(line)?.[1];
        if (pid) {
          childPid = Number(pid);
          abort.abort();
        }
      },
    });
    await expect(starting).rejects.toThrow(/never-ready: start aborted/);
    expect(childPid).toBeGreaterThan(0);
    await eventually(() => expect(alive(childPid)).toBe(false), { timeoutMs: 5_000 });
    await expect(
      ManagedProcess.start({ name: 'too-late', command: 'sleep', args: ['300'], signal: abort.signal }),
    ).rejects.toThrow(/too-late: start aborted/);
  });

  it('tells the signal that ended it (a kill -9 from outside)', async () => {
    const proc = await ManagedProcess.start({ name: 'victim', command: 'sleep', args: ['300'] });
    expect(proc.exitSignal).toBeNull();
    process.kill(proc.pid as number, 'SIGKILL');
    expect(await proc.exited).toBeNull();
    expect(proc.exitSignal).toBe('SIGKILL');
    await proc.stop(5_000);
  });
});
