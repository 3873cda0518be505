import { FakeClock } from '@hoot/testing';
import pino from 'pino';
import { FakeEngine } from '../engine/fake.engine';
import { FaultController } from '../fault/fault-controller';
import { MediaSet } from '../objects/media-set';
import type { JsonObject, RpcRequest, RpcResponse } from '../protocol/json-rpc';
import { KurentoRpcHandler } from './kurento-rpc.handler';
import { SessionRegistry, type RpcConnection } from './session-registry';

const OFFER = [
  'v=0',
  'o=- 1 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111',
  'c=IN IP4 0.0.0.0',
  'a=mid:0',
  'a=sendrecv',
  'a=rtpmap:111 opus/48000/2',
  'm=video 9 UDP/TLS/RTP/SAVPF 96 97',
  'c=IN IP4 0.0.0.0',
  'a=mid:1',
  'a=recvonly',
  'a=rtpmap:96 VP8/90000',
  'a=rtpmap:97 rtx/90000',
  'a=fmtp:97 apt=96',
  '',
].join('\r\n');

const flush = () => new Promise((resolve) => setImmediate(resolve));

function harness(graceMs = 10_000) {
  const clock = new FakeClock();
  const faults = new FaultController();
  const load = { usedMemoryKiB: () => 1024, cpuCount: () => 2, usedCpuPercent: async () => 12.5 };
  let n = 0;
  const mediaSet = new MediaSet({
    clock,
    engine: new FakeEngine({ announcedIp: '198.51.100.7', minPort: 40000, maxPort: 40010 }),
    load,
    serverVersion: '7.2.0',
    newUuid: () => `uuid-${++n}`,
  });
  const sessions = new SessionRegistry(clock, graceMs, (id) => mediaSet.collectSession(id));
  mediaSet.onEvent = (sessionId, notification) => sessions.connectionOf(sessionId)?.send(notification);
  const handler = new KurentoRpcHandler({
    mediaSet: () => mediaSet,
    sessions: () => sessions,
    faults,
    instanceId: () => 'server-1',
    logger: pino({ level: 'silent' }),
  });
  let nextId = 1;
  let nextConn = 1;
  const connect = () => {
    const events: RpcRequest[] = [];
    const conn: RpcConnection = { id: nextConn++, send: (m) => events.push(m as RpcRequest) };
    const call = async (method: string, params?: JsonObject | null): Promise<RpcResponse> => {
      const reply = await handler.handle(
        conn,
        JSON.stringify({ jsonrpc: '2.0', id: nextId++, method, params }),
      );
      if (!reply) throw new Error('no reply');
      return reply;
    };
    const ok = async (method: string, params?: JsonObject | null): Promise<JsonObject> => {
      const reply = await call(method, params);
      if (reply.error) throw new Error(`${method} failed: ${reply.error.code} ${reply.error.message}`);
      return reply.result!;
    };
    return { conn, call, ok, events };
  };
  return { clock, faults, mediaSet, sessions, handler, connect };
}

async function pipelineWithEndpoint(client: ReturnType<ReturnType<typeof harness>['connect']>) {
  const pipeline = (await client.ok('create', { type: 'MediaPipeline', constructorParams: {} }))
    .value as string;
  const endpoint = (
    await client.ok('create', { type: 'WebRtcEndpoint', constructorParams: { mediaPipeline: pipeline } })
  ).value as string;
  return { pipeline, endpoint };
}

describe('KurentoRpcHandler', () => {
  it('opens a session on the first request, binds it to the socket and fills it into later requests', async () => {
    const { connect } = harness();
    const client = connect();
    const first = await client.ok('create', { type: 'MediaPipeline', constructorParams: {} });
    expect(first.sessionId).toEqual(expect.any(String));
    expect(first.value).toMatch(/^uuid-\d+_kurento\.MediaPipeline$/);
    const second = await client.ok('describe', { object: first.value as string });
    expect(second).toEqual({
      sessionId: first.sessionId,
      type: 'MediaPipeline',
      qualifiedType: 'kurento.MediaPipeline',
      hierarchy: ['kurento.MediaObject'],
    });
  });

  it('answers connect with a new session, accepts a known one and rejects an unknown one with 40007', async () => {
    const { connect } = harness();
    const a = connect();
    const fresh = await a.ok('connect', null);
    expect(fresh).toEqual({ sessionId: expect.any(String), serverId: 'server-1' });
    const b = connect();
    await expect(b.ok('connect', { sessionId: fresh.sessionId as string })).resolves.toEqual(fresh);
    const c = connect();
    const unknown = await c.call('connect', { sessionId: 'no-such-session' });
    expect(unknown.error).toEqual({
      code: 40007,
      message: 'Invalid session',
      data: { type: 'INVALID_SESSION' },
    });
  });

  it('reports an unknown operation as 40008, an unknown object as 40101 and an unknown type as 40100', async () => {
    const { connect } = harness();
    const client = connect();
    const { endpoint } = await pipelineWithEndpoint(client);
    const op = await client.call('invoke', {
      object: endpoint,
      operation: 'doTheImpossible',
      operationParams: { x: 1 },
    });
    expect(op.error).toEqual({
      code: 40008,
      message: "Method 'doTheImpossible' with 1 parameters not found",
      data: { type: 'MALFORMED_TRANSACTION' },
    });
    expect((await client.call('invoke', { object: 'nope', operation: 'getName' })).error?.code).toBe(40101);
    expect((await client.call('create', { type: 'PlayerEndpoint', constructorParams: {} })).error?.code).toBe(
      40100,
    );
    expect((await client.call('bogus', {})).error?.code).toBe(-32601);
  });

  it('releases idempotently and cascades from a pipeline to its elements, and unsubscribe after release succeeds', async () => {
    const { connect, mediaSet } = harness();
    const client = connect();
    const { pipeline, endpoint } = await pipelineWithEndpoint(client);
    const sub = (await client.ok('subscribe', { object: endpoint, type: 'IceCandidateFound' }))
      .value as string;
    await client.ok('release', { object: pipeline });
    await client.ok('release', { object: pipeline });
    await client.ok('release', { object: 'never-existed' });
    await expect(client.ok('unsubscribe', { object: endpoint, subscription: sub })).resolves.toEqual({
      sessionId: expect.any(String),
    });
    expect((await client.call('invoke', { object: endpoint, operation: 'getName' })).error?.code).toBe(40101);
    expect(mediaSet.size).toBe(0);
    expect(mediaSet.subscriptionCount()).toBe(0);
  });

  it('answers an offer per media section and raises the connection events in Kurento order', async () => {
    const { connect } = harness();
    const client = connect();
    const { endpoint } = await pipelineWithEndpoint(client);
    const types = [
      'IceCandidateFound',
      'IceGatheringDone',
      'IceComponentStateChanged',
      'NewCandidatePairSelected',
      'ConnectionStateChanged',
      'MediaFlowInStateChanged',
      'MediaStateChanged',
    ];
    for (const type of types) await client.ok('subscribe', { object: endpoint, type });
    const answer = (
      await client.ok('invoke', {
        object: endpoint,
        operation: 'processOffer',
        operationParams: { offer: OFFER },
      })
    ).value as string;
    expect(answer).toContain('m=audio 9 UDP/TLS/RTP/SAVPF 111');
    expect(answer).toMatch(/m=video 9 UDP\/TLS\/RTP\/SAVPF 96\r\n[\s\S]*a=sendonly/);
    expect(answer).not.toContain('a=candidate');
    await client.ok('invoke', { object: endpoint, operation: 'gatherCandidates', operationParams: {} });
    await client.ok('invoke', {
      object: endpoint,
      operation: 'addIceCandidate',
      operationParams: {
        candidate: {
          candidate: 'candidate:1 1 udp 1 192.0.2.1 5000 typ host',
          sdpMid: '0',
          sdpMLineIndex: 0,
        },
      },
    });
    await flush();
    await flush();
    const seen = client.events.map((e) => (e.params!.value as JsonObject).type);
    expect(seen).toEqual([
      'IceComponentStateChanged',
      'IceCandidateFound',
      'IceGatheringDone',
      'IceComponentStateChanged',
      'IceComponentStateChanged',
      'NewCandidatePairSelected',
      'IceComponentStateChanged',
      'ConnectionStateChanged',
      'MediaFlowInStateChanged',
      'MediaStateChanged',
    ]);
    const found = client.events[1].params!.value as JsonObject;
    expect(found).toEqual({
      object: endpoint,
      type: 'IceCandidateFound',
      data: {
        candidate: {
          __module__: 'kurento',
          __type__: 'IceCandidate',
          candidate: 'candidate:1 1 UDP 2015363327 198.51.100.7 40000 typ host',
          sdpMid: '0',
          sdpMLineIndex: 0,
        },
        source: endpoint,
        tags: [],
        timestamp: expect.stringMatching(/^\d+$/),
        timestampMillis: expect.stringMatching(/^\d+$/),
        type: 'IceCandidateFound',
      },
    });
    const connection = (client.events[7].params!.value as JsonObject).data as JsonObject;
    expect(connection).toMatchObject({ oldState: 'DISCONNECTED', newState: 'CONNECTED' });
  });

  it('runs a transaction resolving newref and stops at the first failure', async () => {
    const { connect } = harness();
    const client = connect();
    const result = await client.ok('transaction', {
      operations: [
        { jsonrpc: '2.0', id: 0, method: 'create', params: { type: 'MediaPipeline', constructorParams: {} } },
        {
          jsonrpc: '2.0',
          id: 1,
          method: 'create',
          params: { type: 'PassThrough', constructorParams: { mediaPipeline: 'newref:0' } },
        },
        { jsonrpc: '2.0', id: 2, method: 'invoke', params: { object: 'newref:1', operation: 'nope' } },
        { jsonrpc: '2.0', id: 3, method: 'invoke', params: { object: 'newref:1', operation: 'getName' } },
      ],
    });
    const responses = result.value as JsonObject[];
    expect(responses).toHaveLength(3);
    expect((responses[1].result as JsonObject).value).toMatch(
      /_kurento\.MediaPipeline\/uuid-\d+_kurento\.PassThrough$/,
    );
    expect((responses[2].error as JsonObject).code).toBe(40008);
  });

  it('collects the objects of a session whose socket stayed away past the grace period', async () => {
    const { connect, sessions, mediaSet, clock } = harness(10_000);
    const client = connect();
    await pipelineWithEndpoint(client);
    sessions.disconnected(client.conn);
    clock.advance(9_999);
    expect(mediaSet.size).toBe(2);
    clock.advance(1);
    await flush();
    expect(mediaSet.size).toBe(0);
  });

  it('keeps the objects of a session that reconnects within the grace period', async () => {
    const { connect, sessions, mediaSet, clock } = harness(10_000);
    const client = connect();
    await pipelineWithEndpoint(client);
    const sessionId = client.conn.sessionId!;
    sessions.disconnected(client.conn);
    await connect().ok('connect', { sessionId });
    clock.advance(20_000);
    await flush();
    expect(mediaSet.size).toBe(2);
  });

  it('injects errors on chosen operations, once when told so', async () => {
    const { connect, faults } = harness();
    const client = connect();
    const { endpoint } = await pipelineWithEndpoint(client);
    faults.addRule({
      action: 'error',
      method: 'invoke',
      operation: 'processOffer',
      code: 40205,
      message: 'boom',
      times: 1,
    });
    const failed = await client.call('invoke', {
      object: endpoint,
      operation: 'processOffer',
      operationParams: { offer: OFFER },
    });
    expect(failed.error).toEqual({
      code: 40205,
      message: 'boom',
      data: { type: 'SDP_END_POINT_PROCESS_OFFER_ERROR' },
    });
    const retried = await client.call('invoke', {
      object: endpoint,
      operation: 'processOffer',
      operationParams: { offer: OFFER },
    });
    expect(retried.error).toBeUndefined();
  });

  it('leaves requests matching a hang rule unanswered', async () => {
    const { faults, handler } = harness();
    faults.addRule({ action: 'hang', method: 'ping' });
    const conn = { id: 99, send: () => undefined };
    await expect(
      handler.handle(conn, JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping', params: {} })),
    ).resolves.toBeUndefined();
    await expect(
      handler.handle(conn, JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'connect' })),
    ).resolves.toMatchObject({
      result: { sessionId: expect.any(String) },
    });
  });

  it('answers ServerManager queries', async () => {
    const { connect } = harness();
    const client = connect();
    await pipelineWithEndpoint(client);
    const invoke = async (operation: string, operationParams: JsonObject = {}) =>
      (await client.ok('invoke', { object: 'manager_ServerManager', operation, operationParams })).value;
    const info = (await invoke('getInfo')) as JsonObject;
    expect((info.modules as JsonObject[]).map((m) => m.name)).toEqual(['core', 'elements', 'filters']);
    expect(info.type).toBe('KMS');
    expect(await invoke('getPipelines')).toHaveLength(1);
    expect(await invoke('getSessions')).toEqual([client.conn.sessionId]);
    expect(await invoke('getUsedMemory')).toBe(1024);
    expect(await invoke('getCpuCount')).toBe(2);
    expect(await invoke('getUsedCpu', { interval: 100 })).toBe(12.5);
  });
  it('creates an RtpEndpoint in a pipeline, negotiates it as Kurento does and connects a WebRtcEndpoint to it', async () => {
    const { connect } = harness();
    const client = connect();
    const { pipeline, endpoint } = await pipelineWithEndpoint(client);
    const invoke = async (object: string, operation: string, operationParams: JsonObject = {}) =>
      (await client.ok('invoke', { object, operation, operationParams })).value;
    const rtp = (
      await client.ok('create', { type: 'RtpEndpoint', constructorParams: { mediaPipeline: pipeline } })
    ).value as string;
    expect(rtp).toMatch(new RegExp(`^${pipeline}/.+_kurento\\.RtpEndpoint$`));
    const offer = [
      'v=0',
      'o=- 0 0 IN IP4 127.0.0.1',
      's=packager',
      'c=IN IP4 127.0.0.1',
      't=0 0',
      'm=video 47002 RTP/AVP 100',
      'a=rtpmap:100 H264/90000',
      'a=fmtp:100 packetization-mode=1;profile-level-id=42e01f',
      'a=recvonly',
    ].join('\r\n');
    const answer = (await invoke(rtp, 'processOffer', { offer })) as string;
    expect(answer).toMatch(/^m=video \d+ RTP\/AVP 100$/m);
    expect(answer).toContain('c=IN IP4 198.51.100.7');
    expect(answer).toContain('a=sendonly');
    expect(await invoke(rtp, 'getRemoteSessionDescriptor')).toBe(offer);
    expect(await invoke(rtp, 'getLocalSessionDescriptor')).toBe(answer);
    expect(await invoke(rtp, 'getConnectionState')).toBe('CONNECTED');
    await invoke(endpoint, 'connect', { sink: rtp });
    expect(await invoke(rtp, 'getSourceConnections')).toHaveLength(3);
    const again = await client.call('invoke', {
      object: rtp,
      operation: 'processOffer',
      operationParams: { offer },
    });
    expect(again.error?.code).toBe(40208);
    const info = (
      await client.ok('invoke', {
        object: 'manager_ServerManager',
        operation: 'getInfo',
        operationParams: {},
      })
    ).value as JsonObject;
    const elements = (info.modules as JsonObject[]).find((m) => m.name === 'elements')!;
    expect(elements.factories).toContain('RtpEndpoint');
  });

  it('refuses an SRTP (crypto) or IPv6 RtpEndpoint with NOT_IMPLEMENTED and creates nothing', async () => {
    const { connect, mediaSet } = harness();
    const client = connect();
    const { pipeline } = await pipelineWithEndpoint(client);
    const before = mediaSet.size;
    const crypto = await client.call('create', {
      type: 'RtpEndpoint',
      constructorParams: { mediaPipeline: pipeline, crypto: { crypto: 'AES_128_CM_HMAC_SHA1_80', key: 'x' } },
    });
    expect(crypto.error?.code).toBe(40006);
    const ipv6 = await client.call('create', {
      type: 'RtpEndpoint',
      constructorParams: { mediaPipeline: pipeline, useIpv6: true },
    });
    expect(ipv6.error?.code).toBe(40006);
    expect(mediaSet.size).toBe(before);
  });
});
