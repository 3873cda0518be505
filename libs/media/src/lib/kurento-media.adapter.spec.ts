import { EventEmitter } from 'node:events';
import { FakeClock } from '@hoot/testing';
import {
  attachRealKurentoClient,
  type KurentoConnectOptions,
  type KurentoHandle,
} from './kurento-connection';
import { KurentoMediaPort } from './kurento-media.adapter';
import { MediaError, MediaErrorCode } from './media-error.exception';
import type { MediaIceCandidate } from './media.port';

type Callback = (error: unknown, result?: unknown) => void;
/**
 * How the fake server answers one call: a value, an error, never (`'hang'`), or when the test says
 * (`'hold'`: the callback waits in `held`).
 */
type Reply = { value?: unknown } | { error: unknown } | 'hang' | 'hold';

const OFFER = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n';
const METHODS = [
  'create',
  'release',
  'processOffer',
  'gatherCandidates',
  'addIceCandidate',
  'connect',
  'getServerManager',
  'getMediaobjectById',
  'getInfo',
  'getCreationTime',
  'getPipelines',
  'getUsedCpu',
  'getUsedMemory',
  'getCpuCount',
];
const EVENTS = ['Error', 'IceCandidateFound', 'IceGatheringDone'];

/**
 * A stand-in for a kurento-client connection and its server: objects are event emitters with
 * callback methods and kurento-client's strict `newListener` hook (subscribing on first listener).
 */
class FakeKurento {
  readonly calls: { id: string; method: string; args: unknown[] }[] = [];
  readonly held: Callback[] = [];
  readonly objects = new Map<string, KurentoHandle>();
  private readonly scripted = new Map<string, Reply[]>();
  private next = 1;
  serverCreatedAt = 1000;
  subscribeError?: unknown;
  readonly socket = { connected: true, disconnect: jest.fn() };
  readonly client: KurentoHandle;
  readonly real = new EventEmitter() as unknown as KurentoHandle;
  closed = false;

  constructor() {
    this.client = this.makeObject('client');
    Object.assign(this.real, { _re: this.socket });
    attachRealKurentoClient(this.client, this.real);
    (this.client as unknown as { close: () => void }).close = () => {
      this.closed = true;
    };
  }

  /** The next call of `method` answers `reply`. */
  script(method: string, reply: Reply): void {
    this.scripted.set(method, [...(this.scripted.get(method) ?? []), reply]);
  }

  callsOf(method: string) {
    return this.calls.filter((call) => call.method === method);
  }

  makeObject(id: string): KurentoHandle {
    const object = new EventEmitter() as unknown as KurentoHandle;
    Object.assign(object, { id });
    object.on('newListener', (event: string) => {
      if (event.startsWith('_') || event === 'release' || event === 'newListener') return;
      if (!EVENTS.includes(event)) throw new SyntaxError(`no events of type '${event}'`);
      this.calls.push({ id, method: 'subscribe', args: [event] });
      const error = this.subscribeError;
      if (error) queueMicrotask(() => object.emit('error', error));
    });
    for (const method of METHODS) {
      (object as Record<string, unknown>)[method] = (...args: unknown[]) => {
        const callback = args.pop() as Callback;
        this.calls.push({ id, method, args });
        const reply = this.scripted.get(method)?.shift() ?? this.defaultReply(id, method, args);
        if (reply === 'hang') return;
        if (reply === 'hold') {
          this.held.push(callback);
          return;
        }
        queueMicrotask(() => ('error' in reply ? callback(reply.error) : callback(null, reply.value)));
      };
    }
    this.objects.set(id, object);
    return object;
  }

  private defaultReply(id: string, method: string, args: unknown[]): Reply {
    switch (method) {
      case 'create':
        return {
          value: this.makeObject(
            args[0] === 'MediaPipeline'
              ? `p${this.next++}_kurento.MediaPipeline`
              : `${id}/e${this.next++}_kurento.WebRtcEndpoint`,
          ),
        };
      case 'getServerManager':
        return { value: this.objects.get('manager') ?? this.makeObject('manager') };
      case 'getMediaobjectById':
        return { value: this.objects.get(args[0] as string) ?? this.makeObject(args[0] as string) };
      case 'processOffer':
        return { value: 'v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n' };
      case 'getInfo':
        return { value: { version: '7.2.0', modules: [] } };
      case 'getCreationTime':
        return { value: this.serverCreatedAt };
      case 'getPipelines':
        return {
          value: [...this.objects.values()].filter((o) => String(o.id).endsWith('_kurento.MediaPipeline')),
        };
      case 'getUsedCpu':
        return { value: 12.5 };
      case 'getUsedMemory':
        return { value: 2048 };
      case 'getCpuCount':
        return { value: 4 };
      default:
        return { value: undefined };
    }
  }
}

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

async function setUp(options: { callTimeoutMs?: number } = {}) {
  const clock = new FakeClock();
  const servers: FakeKurento[] = [];
  const connects: KurentoConnectOptions[] = [];
  const background: unknown[] = [];
  const port = await KurentoMediaPort.connect({
    url: 'ws://kms/kurento',
    clock,
    callTimeoutMs: options.callTimeoutMs ?? 1_000,
    healthTimeoutMs: 500,
    onBackgroundError: (error) => background.push(error),
    connector: async (_url, connectOptions) => {
      connects.push(connectOptions);
      const server = new FakeKurento();
      servers.push(server);
      return server.client;
    },
  });
  return { port, clock, servers, connects, background, kms: () => servers[servers.length - 1] };
}

describe('KurentoMediaPort', () => {
  it('creates a pipeline and endpoints whose direction follows their kind', async () => {
    const { port, kms, connects } = await setUp();
    expect(connects).toEqual([{ failAfter: 5 }]);
    const pipeline = await port.createPipeline('standup');
    expect(pipeline).toEqual({
      type: 'pipeline',
      id: 'p1_kurento.MediaPipeline',
      roomId: 'standup',
      generation: 1,
    });
    const publisher = await port.createEndpoint(pipeline, { kind: 'publish' });
    const subscriber = await port.createEndpoint(pipeline, { kind: 'subscribe', audioOnly: true });
    expect(
      kms()
        .callsOf('create')
        .map((call) => call.args),
    ).toEqual([
      ['MediaPipeline'],
      ['WebRtcEndpoint', { recvonly: true }],
      ['WebRtcEndpoint', { sendonly: true }],
    ]);
    expect(publisher).toMatchObject({
      pipelineId: pipeline.id,
      roomId: 'standup',
      kind: 'publish',
      audioOnly: false,
    });
    expect(subscriber).toMatchObject({ kind: 'subscribe', audioOnly: true });
    // The candidate subscription is made at once, before anyone can gather.
    expect(
      kms()
        .callsOf('subscribe')
        .map((call) => call.id),
    ).toEqual([publisher.id, subscriber.id]);
  });

  it('negotiates, passes candidates both ways and connects only audio for an audio-only side', async () => {
    const { port, kms } = await setUp();
    const pipeline = await port.createPipeline('standup');
    const publisher = await port.createEndpoint(pipeline, { kind: 'publish' });
    const subscriber = await port.createEndpoint(pipeline, { kind: 'subscribe', audioOnly: true });
    await expect(port.processOffer(publisher, OFFER)).resolves.toMatch(/^v=0/);
    await port.gatherCandidates(publisher);
    kms()
      .objects.get(publisher.id)!
      .emit('IceCandidateFound', {
        candidate: {
          candidate: 'candidate:1 1 udp 1 10.0.0.1 9 typ host',
          sdpMid: '0',
          sdpMLineIndex: 0,
          __type__: 'IceCandidate',
        },
      });
    const found: MediaIceCandidate[] = [];
    port.onIceCandidate(publisher, (candidate) => found.push(candidate));
    expect(found).toEqual([
      { candidate: 'candidate:1 1 udp 1 10.0.0.1 9 typ host', sdpMid: '0', sdpMLineIndex: 0 },
    ]);

    await port.addIceCandidate(publisher, {
      candidate: 'candidate:2 1 udp 1 10.0.0.2 9 typ host',
      sdpMid: '0',
      sdpMLineIndex: 0,
    });
    await port.addIceCandidate(publisher, { candidate: '', sdpMid: '0', sdpMLineIndex: 0 });
    const added = kms().callsOf('addIceCandidate');
    expect(added).toHaveLength(1);
    expect(added[0].args[0]).toMatchObject({
      candidate: 'candidate:2 1 udp 1 10.0.0.2 9 typ host',
      __type__: 'IceCandidate',
    });

    await port.connect(publisher, subscriber);
    expect(kms().callsOf('connect')[0]).toMatchObject({
      id: publisher.id,
      args: [kms().objects.get(subscriber.id), 'AUDIO'],
    });
  });

  it('refuses bad input and foreign refs without calling the server', async () => {
    const { port, kms } = await setUp();
    const pipeline = await port.createPipeline('standup');
    const endpoint = await port.createEndpoint(pipeline, { kind: 'subscribe' });
    const before = kms().calls.length;
    const attempts = [
      port.createPipeline(''),
      port.createEndpoint(pipeline, { kind: 'record' as never }),
      port.processOffer(endpoint, 'not sdp'),
      port.addIceCandidate(endpoint, { candidate: 'candidate:1', sdpMid: '0', sdpMLineIndex: -1 }),
      port.connect(endpoint, endpoint),
      port.processOffer({ ...endpoint, id: 'someone-else' }, OFFER),
    ];
    const codes = await Promise.all(attempts.map((p) => p.catch((e: MediaError) => e.code)));
    expect(codes).toEqual([
      MediaErrorCode.InvalidArgument,
      MediaErrorCode.InvalidArgument,
      MediaErrorCode.InvalidArgument,
      MediaErrorCode.InvalidArgument,
      MediaErrorCode.InvalidArgument,
      MediaErrorCode.ObjectGone,
    ]);
    expect(kms().calls.length).toBe(before);
  });

  it('keeps the server’s Kurento code in the error', async () => {
    const { port, kms } = await setUp();
    const pipeline = await port.createPipeline('standup');
    const endpoint = await port.createEndpoint(pipeline, { kind: 'subscribe' });
    kms().script('processOffer', {
      error: Object.assign(new Error('bad offer'), {
        code: 40205,
        data: { type: 'SDP_END_POINT_PROCESS_OFFER_ERROR' },
      }),
    });
    await expect(port.processOffer(endpoint, OFFER)).rejects.toMatchObject({
      code: MediaErrorCode.SdpRejected,
      kurentoCode: 40205,
      kurentoType: 'SDP_END_POINT_PROCESS_OFFER_ERROR',
      operation: 'processOffer',
    });
  });

  it('times out a call on its clock and releases an object whose creation answers too late', async () => {
    const { port, kms, clock } = await setUp({ callTimeoutMs: 1_000 });
    kms().script('create', 'hold');
    const pending = port.createPipeline('late');
    clock.advance(999);
    await flush();
    expect(kms().callsOf('release')).toEqual([]);
    clock.advance(1);
    await expect(pending).rejects.toMatchObject({
      code: MediaErrorCode.Timeout,
      operation: 'createPipeline',
    });
    // The server finally answers: the orphan is released, not kept.
    kms().held.shift()!(null, kms().makeObject('late_kurento.MediaPipeline'));
    await flush();
    expect(
      kms()
        .callsOf('release')
        .map((call) => call.id),
    ).toEqual(['late_kurento.MediaPipeline']);
    expect(clock.pendingTimers).toBe(0);
  });

  it('releases idempotently and treats a 40101 on release as already gone', async () => {
    const { port, kms } = await setUp();
    const pipeline = await port.createPipeline('standup');
    const endpoint = await port.createEndpoint(pipeline, { kind: 'publish' });
    kms().script('release', { error: Object.assign(new Error('gone'), { code: 40101 }) });
    await port.release(endpoint);
    await port.release(endpoint);
    await port.release(pipeline);
    expect(
      kms()
        .callsOf('release')
        .map((call) => call.id),
    ).toEqual([endpoint.id, pipeline.id]);
    await expect(port.processOffer(endpoint, OFFER)).rejects.toMatchObject({
      code: MediaErrorCode.ObjectGone,
    });
    kms().script('release', { error: Object.assign(new Error('busy'), { code: 40003 }) });
    const other = await port.createPipeline('other');
    await expect(port.release(other)).rejects.toMatchObject({
      code: MediaErrorCode.ServerError,
      kurentoCode: 40003,
    });
  });

  it('rejects gatherCandidates when the candidate subscription failed', async () => {
    const { port, kms, background } = await setUp();
    const pipeline = await port.createPipeline('standup');
    kms().subscribeError = Object.assign(new Error('no such event'), { code: 40106 });
    const endpoint = await port.createEndpoint(pipeline, { kind: 'publish' });
    await flush();
    await expect(port.gatherCandidates(endpoint)).rejects.toMatchObject({
      code: MediaErrorCode.ServerError,
      kurentoCode: 40106,
    });
    expect(background).toHaveLength(1);
  });

  it('reports load from the ServerManager', async () => {
    const { port, kms } = await setUp();
    await port.createPipeline('standup');
    await expect(port.serverInfo()).resolves.toEqual({
      serverId: 'kms/7.2.0/1000',
      version: '7.2.0',
      usedCpuPercent: 12.5,
      usedMemoryKiB: 2048,
      cpuCount: 4,
      pipelines: 1,
    });
    expect(kms().callsOf('getUsedCpu')[0].args).toEqual([500]);
  });

  describe('health', () => {
    it('is up with the server identity while nothing is wrong', async () => {
      const { port } = await setUp();
      await port.createPipeline('standup');
      await expect(port.health()).resolves.toMatchObject({
        status: 'up',
        serverId: 'kms/7.2.0/1000',
        sessionLost: false,
        lostPipelineIds: [],
      });
    });

    it('reports a lost session and pipelines the server no longer lists', async () => {
      const { port, kms } = await setUp();
      const pipeline = await port.createPipeline('standup');
      kms().real.emit('reconnected', true);
      expect(await port.health()).toMatchObject({ sessionLost: false });
      kms().real.emit('reconnected', false);
      kms().script('getPipelines', { value: [] });
      kms().serverCreatedAt = 2000;
      expect(await port.health()).toMatchObject({
        status: 'up',
        serverId: 'kms/7.2.0/2000',
        sessionLost: true,
        lostPipelineIds: [pipeline.id],
      });
    });

    it('is down at once while reconnecting, and asks for a renewal once the client gave up', async () => {
      const { port, kms } = await setUp();
      kms().socket.connected = false;
      expect(await port.health()).toMatchObject({
        status: 'down',
        renewRequired: false,
        error: { code: MediaErrorCode.Unavailable },
      });
      expect(kms().callsOf('getServerManager')).toEqual([]);
      kms().real.emit('disconnect');
      expect(await port.health()).toMatchObject({ status: 'down', renewRequired: true });
      await expect(port.createPipeline('x')).rejects.toMatchObject({ code: MediaErrorCode.Unavailable });
    });

    it('asks for the pipelines again when one was released between their list and its description', async () => {
      const { port, kms } = await setUp();
      await port.createPipeline('standup');
      const notFound = Object.assign(new Error("Object 'p9_kurento.MediaPipeline' not found"), {
        code: 40101,
      });
      kms().script('getPipelines', { error: notFound });
      kms().script('getPipelines', { error: notFound });
      await expect(port.health()).resolves.toMatchObject({ status: 'up', lostPipelineIds: [] });
      expect(kms().callsOf('getPipelines')).toHaveLength(3);
      // Not forever: a list that keeps failing is a failed probe.
      for (let i = 0; i < 3; i++) kms().script('getPipelines', { error: notFound });
      await expect(port.health()).resolves.toMatchObject({
        status: 'down',
        error: { code: MediaErrorCode.ObjectGone },
      });
      // Other failures are not retried.
      kms().script('getPipelines', { error: Object.assign(new Error('boom'), { code: 40000 }) });
      const before = kms().callsOf('getPipelines').length;
      await expect(port.health()).resolves.toMatchObject({ status: 'down' });
      expect(kms().callsOf('getPipelines')).toHaveLength(before + 1);
    });

    it('is down with MEDIA_TIMEOUT when the probe gets no answer', async () => {
      const { port, kms, clock } = await setUp();
      kms().script('getInfo', 'hang');
      const probe = port.health();
      await flush();
      clock.advance(500);
      expect(await probe).toMatchObject({
        status: 'down',
        renewRequired: false,
        error: { code: MediaErrorCode.Timeout },
      });
    });
  });

  describe('renew', () => {
    it('closes the old connection, makes old refs gone and releases what they named on the fresh one', async () => {
      const { port, servers } = await setUp();
      const pipeline = await port.createPipeline('standup');
      const endpoint = await port.createEndpoint(pipeline, { kind: 'publish' });
      await port.renew();
      await flush();
      const [old, fresh] = servers;
      expect(old.closed).toBe(true);
      expect(old.socket.disconnect).toHaveBeenCalled();
      expect(port.generation).toBe(2);
      await expect(port.processOffer(endpoint, OFFER)).rejects.toMatchObject({
        code: MediaErrorCode.ObjectGone,
      });
      expect(fresh.callsOf('getMediaobjectById').map((call) => call.args)).toEqual([[pipeline.id]]);
      expect(fresh.callsOf('release').map((call) => call.id)).toEqual([pipeline.id]);
      // Events of the old client no longer count.
      old.real.emit('reconnected', false);
      expect(await port.health()).toMatchObject({ status: 'up', sessionLost: false });
    });

    it('throws a pipeline created across a renewal away', async () => {
      const { port, servers } = await setUp();
      const old = servers[0];
      old.script('create', 'hold');
      const creating = port.createPipeline('standup');
      await port.renew();
      old.held.shift()!(null, old.makeObject('stale_kurento.MediaPipeline'));
      await expect(creating).rejects.toMatchObject({ code: MediaErrorCode.ObjectGone });
      await flush();
      expect(old.callsOf('release').map((call) => call.id)).toEqual(['stale_kurento.MediaPipeline']);
    });

    it('reports MEDIA_UNAVAILABLE when the server cannot be reached, and after close', async () => {
      const clock = new FakeClock();
      const port = new KurentoMediaPort({
        url: 'ws://kms/kurento',
        clock,
        connector: () => Promise.reject(new Error('Connection error')),
      });
      await expect(port.createPipeline('x')).rejects.toMatchObject({ code: MediaErrorCode.Unavailable });
      expect(await port.health()).toMatchObject({ status: 'down', renewRequired: true });
      await expect(port.renew()).rejects.toMatchObject({
        code: MediaErrorCode.Unavailable,
        operation: 'renew',
      });
      await port.close();
      await expect(port.renew()).rejects.toMatchObject({ code: MediaErrorCode.Unavailable });
      expect(await port.health()).toMatchObject({ status: 'down', renewRequired: false });
    });
  });
});
