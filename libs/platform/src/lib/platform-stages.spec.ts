import { PlatformAbortedError, StageRunner, type PlatformProgress } from './platform-stages';

function deferred() {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe('StageRunner', () => {
  let events: string[];
  const record = (e: PlatformProgress) => events.push(`${e.part}:${e.state}`);
  const part = (name: string, gate?: Promise<void>) => ({
    part: name,
    start: async () => {
      await gate;
      return { url: `url-${name}`, stop: async () => void events.push(`${name}:stop-called`) };
    },
  });
  beforeEach(() => (events = []));

  it('starts a stage only once every part of the previous one is ready, and stops in reverse order', async () => {
    const kafka = deferred();
    const runner = new StageRunner(record);
    const first = runner.run([part('kafka', kafka.promise), part('mongo')]);
    await Promise.resolve();
    expect(events).toEqual(['kafka:starting', 'mongo:starting']);
    kafka.resolve();
    await first;
    await runner.run([part('auth')]);
    await runner.run([part('registry')]);
    expect(events).toEqual([
      'kafka:starting',
      'mongo:starting',
      'mongo:ready',
      'kafka:ready',
      'auth:starting',
      'auth:ready',
      'registry:starting',
      'registry:ready',
    ]);
    events = [];
    await Promise.all([runner.stopAll(), runner.stopAll()]);
    expect(events.filter((e) => e.endsWith('stop-called'))).toEqual([
      'registry:stop-called',
      'auth:stop-called',
      'kafka:stop-called',
      'mongo:stop-called',
    ]);
  });

  it('reports ready with the part url and the time it took', async () => {
    let t = 1_000;
    const seen: PlatformProgress[] = [];
    const runner = new StageRunner(
      (e) => seen.push(e),
      undefined,
      () => (t += 250),
    );
    await runner.run([part('auth')]);
    expect(seen).toEqual([
      { part: 'auth', state: 'starting' },
      { part: 'auth', state: 'ready', url: 'url-auth', ms: 250 },
    ]);
  });

  it('stops everything started so far when a part fails, then rethrows its error', async () => {
    const runner = new StageRunner(record);
    await runner.run([part('kafka')]);
    const failing = {
      part: 'auth',
      start: () => Promise.reject(new Error('auth: exited with code 1\nlast output')),
    };
    await expect(runner.run([failing, part('kms')])).rejects.toThrow('auth: exited with code 1');
    expect(events).toEqual([
      'kafka:starting',
      'kafka:ready',
      'auth:starting',
      'kms:starting',
      'auth:failed',
      'kms:ready',
      'kms:stopping',
      'kms:stop-called',
      'kms:stopped',
      'kafka:stopping',
      'kafka:stop-called',
      'kafka:stopped',
    ]);
  });

  it('stops what has started and starts nothing more once aborted', async () => {
    const abort = new AbortController();
    const gate = deferred();
    const runner = new StageRunner(record, abort.signal);
    const stage = runner.run([part('kafka', gate.promise)]);
    abort.abort();
    gate.resolve();
    await expect(stage).rejects.toBeInstanceOf(PlatformAbortedError);
    await expect(runner.run([part('auth')])).rejects.toBeInstanceOf(PlatformAbortedError);
    expect(events).toEqual([
      'kafka:starting',
      'kafka:ready',
      'kafka:stopping',
      'kafka:stop-called',
      'kafka:stopped',
    ]);
  });

  it('keeps stopping the other parts when a listener or a stop throws', async () => {
    const runner = new StageRunner(() => {
      throw new Error('listener bug');
    });
    const stopped: string[] = [];
    await runner.run([{ part: 'a', start: async () => ({ stop: async () => void stopped.push('a') }) }]);
    await runner.run([
      {
        part: 'b',
        start: async () => ({
          stop: async () => {
            throw new Error('b would not stop');
          },
        }),
      },
    ]);
    await expect(runner.stopAll()).rejects.toThrow('b would not stop');
    expect(stopped).toEqual(['a']);
  });
});
