import { EventEmitter } from 'node:events';
import {
  attachRealKurentoClient,
  callKurento,
  closeKurentoNow,
  isKurentoConnected,
  kurentoClientOptions,
  kurentoIceCandidate,
  listenForClientErrors,
  realKurentoClient,
  type KurentoHandle,
} from './kurento-connection';
import { MEDIA_DEFAULTS } from './media.defaults';

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

/** An emitter with kurento-client's strict `newListener` hook: only its event types may be listened to. */
function strictObject(events: string[]): KurentoHandle {
  const object = new EventEmitter();
  object.on('newListener', (event: string) => {
    if (event.startsWith('_') || event === 'release') return;
    if (!events.includes(event)) throw new SyntaxError(`doesn't accept events of type '${event}'`);
  });
  return object as unknown as KurentoHandle;
}

describe('listenForClientErrors', () => {
  it("gets an 'error' listener past kurento-client's hook, which refuses a plain one", () => {
    const object = strictObject(['Error', 'IceCandidateFound']);
    expect(() => object.on('error', () => undefined)).toThrow(SyntaxError);
    const seen: unknown[] = [];
    listenForClientErrors(object, (error) => seen.push(error));
    object.emit('error', new Error('subscribe failed'));
    expect(seen).toEqual([new Error('subscribe failed')]);
    // The hook is back in place.
    expect(() => object.on('Unknown', () => undefined)).toThrow(SyntaxError);
    expect(object.listenerCount('newListener')).toBe(1);
  });
});

describe('the client socket helpers', () => {
  it('reads the connection state and closes the socket of the real client behind a copy', () => {
    const disconnect = jest.fn();
    const close = jest.fn();
    const socket = { connected: true, disconnect };
    const real = handle({ _re: socket });
    const copy = attachRealKurentoClient(handle({ close }), real);
    expect(isKurentoConnected(copy)).toBe(true);
    socket.connected = false;
    expect(isKurentoConnected(copy)).toBe(false);
    closeKurentoNow(copy);
    expect(close).toHaveBeenCalledTimes(1);
    expect(disconnect).toHaveBeenCalledTimes(1);
    expect(realKurentoClient(copy)).toBe(real);
    const plain = handle({});
    expect(realKurentoClient(plain)).toBe(plain);
  });
});

describe('kurentoClientOptions', () => {
  it("shortens kurento-client's memory of answered requests (its 20 s default makes every reply cost a scan)", () => {
    expect(kurentoClientOptions()).toEqual({
      failAfter: MEDIA_DEFAULTS.failAfter,
      duplicates_timeout: MEDIA_DEFAULTS.duplicateRepliesMs,
    });
    expect(MEDIA_DEFAULTS.duplicateRepliesMs).toBeLessThan(20_000);
  });

  it('passes the failAfter, request timeout and duplicate window it is given', () => {
    expect(kurentoClientOptions({ failAfter: 2, requestTimeoutMs: 300, duplicateRepliesMs: 50 })).toEqual({
      failAfter: 2,
      duplicates_timeout: 50,
      request_timeout: 300,
      response_timeout: 300,
    });
  });
});
