import { CliError, CliErrorCode, ExitCode } from '../errors/cli.error';

/** Where the CLI writes: a stream and whether it is a terminal (colours, spinner). */
export interface OutputStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

/** The input the CLI reads (passwords). */
export interface InputStream extends AsyncIterable<Buffer | string> {
  readonly isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
  on?(event: 'data', listener: (chunk: Buffer | string) => void): unknown;
  off?(event: 'data', listener: (chunk: Buffer | string) => void): unknown;
  resume?(): unknown;
  pause?(): unknown;
}

export interface CliIo {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  readonly stdin: InputStream;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const FRAME_MS = 80;

/**
 * Shows `label` with a spinner on stderr while `work` runs, and clears it after: only when stderr is a
 * terminal (pipes and CI logs get nothing). stdout is never touched, so output stays machine-readable.
 */
export async function withProgress<T>(io: CliIo, label: string, work: Promise<T>): Promise<T> {
  if (!io.stderr.isTTY) return work;
  let frame = 0;
  const draw = () => io.stderr.write(`\r${FRAMES[frame++ % FRAMES.length]} ${label}`);
  draw();
  const timer = setInterval(draw, FRAME_MS);
  timer.unref?.();
  try {
    return await work;
  } finally {
    clearInterval(timer);
    io.stderr.write('\r\u001b[2K');
  }
}

/**
 * Reads a password: all of stdin (`--password-stdin`, first line, line ending dropped) or, on a terminal,
 * one line typed without echo.
 */
export async function readSecret(io: CliIo, fromStdin: boolean, prompt: string): Promise<string | undefined> {
  if (fromStdin) {
    let text = '';
    for await (const chunk of io.stdin) text += String(chunk);
    return text.split(/\r?\n/)[0];
  }
  if (!io.stdin.isTTY || !io.stdin.setRawMode || !io.stdin.on || !io.stdin.off) return undefined;
  return readLineHidden(io, prompt);
}

/** Reads one line from a terminal (raw mode, nothing echoed); Ctrl-C aborts. */
function readLineHidden(io: CliIo, prompt: string): Promise<string> {
  const stdin = io.stdin;
  io.stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let text = '';
    const done = (error?: Error) => {
      stdin.off?.('data', onData);
      stdin.setRawMode?.(false);
      stdin.pause?.();
      io.stderr.write('\n');
      if (error) reject(error);
      else resolve(text);
    };
    const onData = (chunk: Buffer | string) => {
      for (const ch of String(chunk)) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return done();
        if (ch === '\u0003') {
          return done(new CliError(CliErrorCode.Interrupted, 'interrupted', ExitCode.Interrupted));
        }
        if (ch === '\u007f' || ch === '\b') text = text.slice(0, -1);
        else text += ch;
      }
    };
    stdin.setRawMode?.(true);
    stdin.resume?.();
    stdin.on?.('data', onData);
  });
}

/** Reads one visible line from a terminal (a username). */
export function readLine(io: CliIo, prompt: string): Promise<string | undefined> {
  const stdin = io.stdin;
  if (!stdin.isTTY || !stdin.on || !stdin.off) return Promise.resolve(undefined);
  io.stderr.write(prompt);
  return new Promise((resolve) => {
    let text = '';
    const onData = (chunk: Buffer | string) => {
      text += String(chunk);
      const nl = text.search(/\r?\n/);
      if (nl === -1) return;
      stdin.off?.('data', onData);
      stdin.pause?.();
      resolve(text.slice(0, nl));
    };
    stdin.resume?.();
    stdin.on?.('data', onData);
  });
}
