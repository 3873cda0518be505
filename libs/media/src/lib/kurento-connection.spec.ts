import { EventEmitter } from 'node:events';
import { callKurento, kurentoIceCandidate, type KurentoHandle } from './kurento-connection';

function handle(methods: Record<string, unknown>): KurentoHandle {
  return Object.assign(new EventEmitter(), methods) as unknown as KurentoHandle;
}

describe('callKurento', () => {
  it('resolves with the callback result', async () => {
    const target = handle({ getName: (cb: (e: null, v: string) => void) => cb(null, 'pipeline-1') });
    await expect(callKurento(target, 'getName')).resolves.toBe('pipeline-1');
  });

  it('rejects with the server error, code included', async () => {
    const error = Object.assign(new Error('Invalid session'), { code: 40007 });
    const target = handle({ connect: (_sink: unknown, cb: (e: Error) => void) => cb(error) });
    await expect(callKurento(target, 'connect', 'sink')).rejects.toMatchObject({ code: 40007 });
  });

  it('rejects a method the object does not have', async () => {
    await expect(callKurento(handle({}), 'explode')).rejects.toThrow("no method 'explode'");
  });
});

describe('kurentoIceCandidate', () => {
  it("builds kurento-client's IceCandidate complex type", () => {
    const candidate = kurentoIceCandidate({
      candidate: 'candidate:1 1 udp 1 10.0.0.1 9 typ host',
      sdpMid: '0',
      sdpMLineIndex: 0,
    });
    expect(candidate).toMatchObject({
      candidate: 'candidate:1 1 udp 1 10.0.0.1 9 typ host',
      sdpMid: '0',
      sdpMLineIndex: 0,
    });
  });
});
