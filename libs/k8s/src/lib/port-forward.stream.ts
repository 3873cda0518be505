import { Duplex, PassThrough, Writable } from 'node:stream';
import { codeForStatus, K8sError, K8sErrorCode } from './k8s-error';

/**
 * A `Duplex` with the parts of `net.Socket` that `http` (as `createConnection`), `tls.connect({socket})`
 * and kafkajs (as `socketFactory`) touch: `connecting`, `setTimeout` (an idle timer emitting `timeout`),
 * and no-op `setKeepAlive`, `setNoDelay`, `ref`, `unref`.
 */
export class SocketLikeDuplex extends Duplex {
  connecting = true;
  remoteAddress?: string;
  remotePort?: number;
  private idleMs = 0;
  private idleTimer?: NodeJS.Timeout;

  setKeepAlive(): this {
    return this;
  }

  setNoDelay(): this {
    return this;
  }

  ref(): this {
    return this;
  }

  unref(): this {
    return this;
  }

  setTimeout(ms: number, callback?: () => void): this {
    if (callback) this.once('timeout', callback);
    this.idleMs = ms;
    this.touch();
    return this;
  }

  /** Restarts the idle timer (call on every byte in or out). */
  protected touch(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    if (this.idleMs > 0 && !this.destroyed) {
      this.idleTimer = setTimeout(() => this.emit('timeout'), this.idleMs);
      this.idleTimer.unref();
    }
  }

  protected clearIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }
}

/** What the stream needs of client-node's port-forward WebSocket. */
export interface ForwardSocketLike {
  close(): void;
  on(event: 'close', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/**
 * Opens one port-forward WebSocket (client-node's `PortForward.portForward`): the pod's bytes go to
 * `output`, the API server's error channel to `errors`, and what is written to `input` goes to the pod.
 */
export type PortForwardOpener = (
  output: Writable,
  errors: Writable,
  input: PassThrough,
) => Promise<ForwardSocketLike>;

/** Where a port-forward goes (for messages). */
export interface PortForwardTarget {
  readonly namespace: string;
  readonly pod: string;
  readonly port: number;
}

const describe = (t: PortForwardTarget) => `pod ${t.pod} port ${t.port} in namespace ${t.namespace}`;

/** A failure to open the port-forward WebSocket as a `K8sError` that says what is missing. */
export function portForwardError(error: unknown, target: PortForwardTarget): K8sError {
  if (error instanceof K8sError) return error;
  const text = error instanceof Error ? error.message : String(error);
  // `ws` reports a refused upgrade as "Unexpected server response: 403".
  const status = /Unexpected server response: (\d{3})/.exec(text)?.[1];
  const what = `port-forward to ${describe(target)}`;
  if (status === '403') {
    return new K8sError(
      K8sErrorCode.ApiForbidden,
      `${what} is forbidden (HTTP 403): your Kubernetes user needs "create" on "pods/portforward" in namespace ${target.namespace}`,
      { status: 403, cause: error },
    );
  }
  if (status === '401') {
    return new K8sError(
      K8sErrorCode.ApiForbidden,
      `${what}: the API server refused the credentials of the kubeconfig (HTTP 401)`,
      { status: 401, cause: error },
    );
  }
  if (status === '404') {
    return new K8sError(K8sErrorCode.PodNotFound, `${what}: no such pod (HTTP 404)`, {
      status: 404,
      cause: error,
    });
  }
  if (status !== undefined) {
    const code = Number(status);
    const mapped = code >= 400 && code < 500 ? K8sErrorCode.PortForwardFailed : codeForStatus(code);
    return new K8sError(mapped, `${what}: HTTP ${code}`, { status: code, cause: error });
  }
  return new K8sError(K8sErrorCode.ApiUnavailable, `${what}: ${text}`, { cause: error });
}

/**
 * One TCP connection to a pod's port through the API server, as a `Duplex`. Ends (readable side) when the
 * WebSocket closes; an error on the API server's error channel (e.g. the pod refused the connection)
 * destroys it with `k8s.port-forward-failed`. `end()` closes the WebSocket once what was written is sent.
 */
export class PortForwardStream extends SocketLikeDuplex {
  private socket?: ForwardSocketLike;
  private readonly input = new PassThrough();
  private errorText = '';

  constructor(readonly target: PortForwardTarget) {
    super();
  }

  /** Opens the WebSocket; resolves once it is open (the stream is then connected). */
  static async open(opener: PortForwardOpener, target: PortForwardTarget): Promise<PortForwardStream> {
    const stream = new PortForwardStream(target);
    await stream.start(opener);
    return stream;
  }

  private async start(opener: PortForwardOpener): Promise<void> {
    const output = new Writable({
      write: (chunk: Buffer, _encoding, callback) => {
        if (chunk.length > 0 && !this.destroyed) {
          this.touch();
          this.push(chunk);
        }
        callback();
      },
    });
    const errors = new Writable({
      write: (chunk: Buffer, _encoding, callback) => {
        callback();
        if (chunk.length === 0) return;
        this.errorText += chunk.toString('utf8');
        // The API server sends the whole message in one frame.
        this.destroy(
          new K8sError(
            K8sErrorCode.PortForwardFailed,
            `port-forward to ${describe(this.target)}: ${this.errorText.trim()}`,
          ),
        );
      },
    });
    let socket: ForwardSocketLike;
    try {
      socket = await opener(output, errors, this.input);
    } catch (error) {
      throw portForwardError(error, this.target);
    }
    this.socket = socket;
    this.connecting = false;
    socket.on('error', (error) => this.destroy(portForwardError(error, this.target)));
    socket.on('close', () => {
      this.clearIdle();
      if (!this.destroyed) this.push(null);
    });
    if (this.destroyed) socket.close();
  }

  override _read(): void {
    // Data is pushed as the WebSocket delivers it.
  }

  override _write(chunk: Buffer, encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.touch();
    this.input.write(chunk, encoding, callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    // Half-close is not part of the port-forward channel protocol before v5: close once the data is sent.
    setImmediate(() => this.socket?.close());
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.clearIdle();
    this.socket?.close();
    this.input.destroy();
    callback(error);
  }
}
