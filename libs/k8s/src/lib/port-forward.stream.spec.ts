import { EventEmitter } from 'node:events';
import type { PassThrough, Writable } from 'node:stream';
import { K8sErrorCode } from './k8s-error';
import { PortForwardStream, portForwardError, type PortForwardOpener } from './port-forward.stream';

const target = { namespace: 'hoot', pod: 'hoot-kafka-0', port: 9092 };

/** Does what client-node's PortForward does with the streams, without a WebSocket. */
class FakeForward extends EventEmitter {
  output!: Writable;
  errors!: Writable;
  sent: Buffer[] = [];
  closed = 0;
  close(): void {
    this.closed++;
    this.emit('close');
  }
  opener(): PortForwardOpener {
    return async (output, errors, input: PassThrough) => {
      this.output = output;
      this.errors = errors;
      input.on('data', (d: Buffer) => this.sent.push(d));
      // client-node hands over the 2-byte port prefix stripped: an empty first frame on each channel.
      output.write(Buffer.alloc(0));
      errors.write(Buffer.alloc(0));
      return this;
    };
  }
}

describe('PortForwardStream', () => {
  it('passes bytes both ways, ends when the WebSocket closes, and closes it on end()', async () => {
    const fake = new FakeForward();
    const stream = await PortForwardStream.open(fake.opener(), target);
    expect(stream.connecting).toBe(false);
    let got = '';
    stream.on('data', (d: Buffer) => (got += d.toString()));
    const ended = new Promise((r) => stream.once('end', r));
    stream.write('hello');
    fake.output.write(Buffer.from('world'));
    await new Promise((r) => setImmediate(r));
    expect(Buffer.concat(fake.sent).toString()).toBe('hello');
    stream.end();
    await ended;
    expect(got).toBe('world');
    expect(fake.closed).toBeGreaterThanOrEqual(1);
  });

  it("fails with the API server's error channel text (the pod refused the connection)", async () => {
    const fake = new FakeForward();
    const stream = await PortForwardStream.open(fake.opener(), target);
    const failed = new Promise<Error & { code?: string }>((r) => stream.once('error', r));
    fake.errors.write(Buffer.from('dial tcp4 127.0.0.1:9092: connect: connection refused'));
    const error = await failed;
    expect(error.code).toBe(K8sErrorCode.PortForwardFailed);
    expect(error.message).toBe(
      'port-forward to pod hoot-kafka-0 port 9092 in namespace hoot: dial tcp4 127.0.0.1:9092: connect: connection refused',
    );
    expect(fake.closed).toBe(1);
  });

  it('says which permission is missing when the upgrade is refused with 403', async () => {
    const opener: PortForwardOpener = async () => {
      throw new Error('Unexpected server response: 403');
    };
    await expect(PortForwardStream.open(opener, target)).rejects.toMatchObject({
      code: K8sErrorCode.ApiForbidden,
      message:
        'port-forward to pod hoot-kafka-0 port 9092 in namespace hoot is forbidden (HTTP 403): your Kubernetes user needs "create" on "pods/portforward" in namespace hoot',
    });
  });

  it.each([
    ['Unexpected server response: 401', K8sErrorCode.ApiForbidden],
    ['Unexpected server response: 404', K8sErrorCode.PodNotFound],
    ['Unexpected server response: 400', K8sErrorCode.PortForwardFailed],
    ['Unexpected server response: 503', K8sErrorCode.ApiUnavailable],
    ['connect ECONNREFUSED 10.201.0.1:6443', K8sErrorCode.ApiUnavailable],
  ])('%s → %s', (message, code) => {
    expect(portForwardError(new Error(message), target).code).toBe(code);
  });
});
