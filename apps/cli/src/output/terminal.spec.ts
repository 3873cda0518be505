import { EventEmitter } from 'node:events';
import { MemoryStream, memoryStdin } from '../testing/cli-harness';
import { readSecret, withProgress, type CliIo, type InputStream } from './terminal';

/** A terminal stdin: raw mode recorded, keystrokes pushed by the spec. */
class FakeTty extends EventEmitter implements InputStream {
  readonly isTTY = true;
  raw: boolean[] = [];
  setRawMode(mode: boolean) {
    this.raw.push(mode);
    return this;
  }
  resume() {
    return this;
  }
  pause() {
    return this;
  }
  async *[Symbol.asyncIterator](): AsyncIterator<Buffer> {
    // Not read by the prompt.
  }
  type(text: string) {
    this.emit('data', Buffer.from(text));
  }
}

const io = (stdin: InputStream, stderrTty: boolean): CliIo & { stderr: MemoryStream } => ({
  stdout: new MemoryStream(),
  stderr: new MemoryStream(stderrTty),
  stdin,
});

describe('withProgress', () => {
  it('draws a spinner on a terminal stderr and clears it afterwards', async () => {
    const target = io(memoryStdin(), true);
    await expect(withProgress(target, 'waiting…', Promise.resolve(42))).resolves.toBe(42);
    expect(target.stderr.text).toMatch(/^\r. waiting…/);
    expect(target.stderr.text.endsWith('\r\u001b[2K')).toBe(true);
  });

  it('writes nothing when stderr is not a terminal, and passes errors on', async () => {
    const target = io(memoryStdin(), false);
    await expect(withProgress(target, 'waiting…', Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(target.stderr.text).toBe('');
  });
});

describe('readSecret', () => {
  it('takes the first line of stdin with --password-stdin', async () => {
    await expect(readSecret(io(memoryStdin('s3cret\r\nrest'), false), true, 'Password: ')).resolves.toBe(
      's3cret',
    );
  });

  it('reads a line from a terminal in raw mode without echo, honouring backspace', async () => {
    const tty = new FakeTty();
    const target = io(tty, true);
    const secret = readSecret(target, false, 'Password: ');
    tty.type('pa');
    tty.type('x\u007fss\r');
    await expect(secret).resolves.toBe('pass');
    expect(tty.raw).toEqual([true, false]);
    expect(target.stderr.text).toBe('Password: \n');
  });

  it('Ctrl-C aborts the prompt', async () => {
    const tty = new FakeTty();
    const secret = readSecret(io(tty, true), false, 'Password: ');
    tty.type('ab\u0003');
    await expect(secret).rejects.toMatchObject({ code: 'cli.interrupted', exitCode: 130 });
  });

  it('gives nothing without a terminal (the caller asks for --password-stdin)', async () => {
    await expect(readSecret(io(memoryStdin(), false), false, 'Password: ')).resolves.toBeUndefined();
  });
});
