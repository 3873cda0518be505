/**
 * Contract of the Kurento protocol as the unmodified kurento-client 7.2.0 (and a raw JSON-RPC socket)
 * sees it. Runs against a kms-lite process it starts, or against any Kurento Media Server when
 * HOOT_TEST_KURENTO_URL is set (ws://host:8888/kurento); the fault-controller part needs kms-lite.
 */
import { eventually } from '@hoot/testing';
import {
  callKurento,
  closeKurento,
  connectKurento,
  kurentoIceCandidate,
  type KurentoCallError,
  type KurentoHandle,
} from '../src';
import { startKmsLite, type KmsLiteProcess } from '../src/testing';
import { MediaStreamTrack, RTCPeerConnection, RtpHeader, RtpPacket, useOPUS, useVP8 } from 'werift';
import WebSocket from 'ws';

const EXTERNAL_URL = process.env.HOOT_TEST_KURENTO_URL;

type Json = Record<string, unknown>;

/** A bare JSON-RPC socket, to check what kurento-client does not expose. */
class RawKurento {
  private nextId = 1;
  private readonly pending = new Map<number, (reply: Json) => void>();
  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString()) as Json;
      const resolve = this.pending.get(message.id as number);
      this.pending.delete(message.id as number);
      resolve?.(message);
    });
  }

  static open(url: string): Promise<RawKurento> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url);
      socket.once('open', () => resolve(new RawKurento(socket)));
      socket.once('error', reject);
    });
  }

  call(
    method: string,
    params?: Json,
  ): Promise<{ result?: Json; error?: { code: number; message: string; data?: Json } }> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve as (reply: Json) => void);
      this.socket.send(
        JSON.stringify({ jsonrpc: '2.0', id, method, ...(params !== undefined && { params }) }),
      );
    });
  }

  close(): void {
    this.socket.close();
  }
}

let kms: KmsLiteProcess | undefined;
let url: string;
const clients: KurentoHandle[] = [];
const raws: RawKurento[] = [];

async function client(): Promise<KurentoHandle> {
  const c = await connectKurento(url, { failAfter: 20 });
  clients.push(c);
  return c;
}

async function raw(): Promise<RawKurento> {
  const r = await RawKurento.open(url);
  raws.push(r);
  return r;
}

beforeAll(async () => {
  if (EXTERNAL_URL) {
    url = EXTERNAL_URL;
  } else {
    kms = await startKmsLite({ engine: 'werift' });
    url = kms.url;
  }
});

afterAll(async () => {
  clients.forEach(closeKurento);
  raws.forEach((r) => r.close());
  await kms?.stop();
});

describe('Kurento protocol contract', () => {
  it('ServerManager lists the core, elements and filters modules and reports load', async () => {
    const kurento = await client();
    const manager = await callKurento<KurentoHandle>(kurento, 'getServerManager');
    const info = await callKurento<{ modules: { name: string }[]; type: string }>(manager, 'getInfo');
    expect(info.modules.map((m) => m.name)).toEqual(expect.arrayContaining(['core', 'elements', 'filters']));
    const pipeline = await callKurento<KurentoHandle>(kurento, 'create', 'MediaPipeline');
    const pipelines = await callKurento<KurentoHandle[]>(manager, 'getPipelines');
    expect(pipelines.map((p) => p.id)).toContain(pipeline.id);
    expect(await callKurento<number>(manager, 'getUsedMemory')).toBeGreaterThan(0);
    expect(await callKurento<number>(manager, 'getCpuCount')).toBeGreaterThanOrEqual(1);
    expect(typeof (await callKurento<number>(manager, 'getUsedCpu', 100))).toBe('number');
    await callKurento(pipeline, 'release');
  });

  it('opens a session on the first request and fills it into later requests on the same socket', async () => {
    const socket = await raw();
    const created = await socket.call('create', { type: 'MediaPipeline', constructorParams: {} });
    const sessionId = created.result?.sessionId;
    expect(sessionId).toEqual(expect.any(String));
    const described = await socket.call('describe', { object: created.result?.value as string });
    expect(described.result).toMatchObject({ sessionId, type: 'MediaPipeline' });
    const invoked = await socket.call('invoke', {
      object: created.result?.value as string,
      operation: 'getName',
      operationParams: {},
    });
    expect(invoked.result?.sessionId).toBe(sessionId);
    await socket.call('release', { object: created.result?.value as string });
  });

  it('answers connect with an unknown session with 40007 and with a known one with its session', async () => {
    const first = await raw();
    const created = await first.call('create', { type: 'MediaPipeline', constructorParams: {} });
    const second = await raw();
    const known = await second.call('connect', { sessionId: created.result?.sessionId as string });
    expect(known.result).toMatchObject({ sessionId: created.result?.sessionId });
    const third = await raw();
    const unknown = await third.call('connect', { sessionId: '00000000-0000-4000-8000-000000000000' });
    expect(unknown.error?.code).toBe(40007);
    await first.call('release', { object: created.result?.value as string });
  });

  it('answers an unknown operation with 40008', async () => {
    const socket = await raw();
    const created = await socket.call('create', { type: 'MediaPipeline', constructorParams: {} });
    const reply = await socket.call('invoke', {
      object: created.result?.value as string,
      operation: 'noSuchOperation',
      operationParams: {},
    });
    expect(reply.error?.code).toBe(40008);
    await socket.call('release', { object: created.result?.value as string });
  });

  it('releases idempotently, cascades to elements, and accepts unsubscribe after release', async () => {
    const socket = await raw();
    const pipeline = (await socket.call('create', { type: 'MediaPipeline', constructorParams: {} })).result
      ?.value as string;
    const endpoint = (
      await socket.call('create', { type: 'WebRtcEndpoint', constructorParams: { mediaPipeline: pipeline } })
    ).result?.value as string;
    const subscription = (await socket.call('subscribe', { object: endpoint, type: 'IceCandidateFound' }))
      .result?.value as string;
    expect((await socket.call('release', { object: pipeline })).error).toBeUndefined();
    expect((await socket.call('release', { object: pipeline })).error).toBeUndefined();
    expect((await socket.call('release', { object: endpoint })).error).toBeUndefined();
    expect((await socket.call('unsubscribe', { object: endpoint, subscription })).error).toBeUndefined();
    const afterRelease = await socket.call('invoke', {
      object: endpoint,
      operation: 'getName',
      operationParams: {},
    });
    expect(afterRelease.error?.code).toBe(40101);
  });

  it('lets kurento-client release twice and unsubscribe its listeners after release without an error', async () => {
    const kurento = await client();
    const pipeline = await callKurento<KurentoHandle>(kurento, 'create', 'MediaPipeline');
    const endpoint = await callKurento<KurentoHandle>(pipeline, 'create', 'WebRtcEndpoint');
    endpoint.on('IceCandidateFound', () => undefined);
    endpoint.on('MediaStateChanged', () => undefined);
    await callKurento(endpoint, 'release');
    await callKurento(pipeline, 'release');
    await expect(callKurento(pipeline, 'release')).resolves.toBeUndefined();
    const manager = await callKurento<KurentoHandle>(kurento, 'getServerManager');
    await eventually(async () => {
      const pipelines = await callKurento<KurentoHandle[]>(manager, 'getPipelines');
      expect(pipelines.map((p) => p.id)).not.toContain(pipeline.id);
    });
  });

  it('reports server errors with their Kurento code through the callback API', async () => {
    const kurento = await client();
    const pipeline = await callKurento<KurentoHandle>(kurento, 'create', 'MediaPipeline');
    const endpoint = await callKurento<KurentoHandle>(pipeline, 'create', 'WebRtcEndpoint');
    const error = await callKurento(endpoint, 'processOffer', 'this is not SDP').catch(
      (e: KurentoCallError) => e,
    );
    expect(error).toBeInstanceOf(Error);
    expect((error as KurentoCallError).code).toBeGreaterThanOrEqual(40000);
    await callKurento(pipeline, 'release');
  });

  it('raises the WebRTC events in Kurento order with Kurento payloads while a real peer connects and sends', async () => {
    const kurento = await client();
    const pipeline = await callKurento<KurentoHandle>(kurento, 'create', 'MediaPipeline');
    const endpoint = await callKurento<KurentoHandle>(pipeline, 'create', 'WebRtcEndpoint');
    const events: Json[] = [];
    const types = [
      'IceCandidateFound',
      'IceGatheringDone',
      'IceComponentStateChanged',
      'NewCandidatePairSelected',
      'ConnectionStateChanged',
      'MediaFlowInStateChanged',
      'MediaStateChanged',
    ];
    const peer = new RTCPeerConnection({ codecs: { audio: [useOPUS()], video: [useVP8()] } });
    const track = new MediaStreamTrack({ kind: 'audio' });
    peer.addTransceiver(track, { direction: 'sendonly' });
    for (const type of types) {
      endpoint.on(type, (event: Json) => {
        events.push(event);
        if (type === 'IceCandidateFound') {
          const candidate = event.candidate as { candidate: string; sdpMid: string; sdpMLineIndex: number };
          void peer.addIceCandidate({
            candidate: candidate.candidate,
            sdpMid: candidate.sdpMid,
            sdpMLineIndex: candidate.sdpMLineIndex,
          });
        }
      });
    }
    peer.onIceCandidate.subscribe((candidate) => {
      if (!candidate) return;
      const json = candidate.toJSON();
      const init = {
        candidate: json.candidate ?? '',
        sdpMid: json.sdpMid ?? null,
        sdpMLineIndex: json.sdpMLineIndex ?? null,
      };
      void callKurento(endpoint, 'addIceCandidate', kurentoIceCandidate(init));
    });
    const offer = await peer.createOffer();
    await peer.setLocalDescription(offer);
    const answer = await callKurento<string>(endpoint, 'processOffer', peer.localDescription!.sdp);
    expect(answer).toMatch(/^v=0/);
    expect(answer).not.toContain('a=candidate');
    await peer.setRemoteDescription({ type: 'answer', sdp: answer });
    await callKurento(endpoint, 'gatherCandidates');

    let sequenceNumber = 1;
    const sender = setInterval(() => {
      const header = new RtpHeader({
        payloadType: 111,
        sequenceNumber: sequenceNumber++ & 0xffff,
        timestamp: sequenceNumber * 960,
        marker: true,
      });
      track.writeRtp(new RtpPacket(header, Buffer.alloc(40, 1)));
    }, 20);
    try {
      await eventually(
        () => {
          const seen = events.map((e) => e.type);
          expect(seen).toEqual(expect.arrayContaining(types));
        },
        { timeoutMs: 30_000, description: 'every WebRTC event' },
      );
    } finally {
      clearInterval(sender);
      await peer.close();
    }

    const index = (predicate: (e: Json) => boolean) => events.findIndex(predicate);
    const firstCandidate = index((e) => e.type === 'IceCandidateFound');
    const gatheringDone = index((e) => e.type === 'IceGatheringDone');
    const pairSelected = index((e) => e.type === 'NewCandidatePairSelected');
    const connected = index((e) => e.type === 'ConnectionStateChanged' && e.newState === 'CONNECTED');
    const flowingIn = index(
      (e) => e.type === 'MediaFlowInStateChanged' && e.state === 'FLOWING' && e.mediaType === 'AUDIO',
    );
    const mediaConnected = index((e) => e.type === 'MediaStateChanged' && e.newState === 'CONNECTED');
    expect(firstCandidate).toBeLessThan(gatheringDone);
    expect(pairSelected).toBeLessThan(connected);
    expect(connected).toBeLessThan(flowingIn);
    expect(connected).toBeLessThan(mediaConnected);

    for (const event of events) {
      expect(event).toMatchObject({
        source: endpoint.id,
        timestampMillis: expect.stringMatching(/^\d+$/),
        tags: expect.any(Array),
        type: expect.any(String),
      });
    }
    expect(events[firstCandidate].candidate).toMatchObject({
      candidate: expect.stringMatching(/^candidate:/),
      sdpMid: expect.any(String),
      sdpMLineIndex: expect.any(Number),
    });
    expect(events[connected]).toMatchObject({ oldState: 'DISCONNECTED', newState: 'CONNECTED' });
    expect(events[pairSelected].candidatePair).toMatchObject({
      localCandidate: expect.any(String),
      remoteCandidate: expect.any(String),
    });
    expect(events[flowingIn]).toMatchObject({ padName: expect.any(String) });
    await callKurento(pipeline, 'release');
  });
});

if (!EXTERNAL_URL) {
  describe('kms-lite fault controller, seen through kurento-client', () => {
    const admin = async (method: string, path: string, body?: Json) => {
      const response = await fetch(`${kms!.adminUrl}${path}`, {
        method,
        headers: { 'content-type': 'application/json' },
        ...(body && { body: JSON.stringify(body) }),
      });
      return {
        status: response.status,
        body: response.status === 204 ? undefined : ((await response.json()) as Json),
      };
    };

    afterEach(async () => {
      await admin('DELETE', '/faults');
    });

    it('a dropped connection reconnects to the same session and keeps its objects', async () => {
      const kurento = await client();
      const pipeline = await callKurento<KurentoHandle>(kurento, 'create', 'MediaPipeline');
      const reconnected: boolean[] = [];
      kurento.on('reconnected', (sameSession: boolean) => reconnected.push(sameSession));
      expect((await admin('POST', '/faults/drop-connections')).status).toBe(200);
      await eventually(() => expect(reconnected).toEqual([true]), { timeoutMs: 30_000 });
      await expect(callKurento(pipeline, 'getName')).resolves.toBe(pipeline.id);
    });

    it('a restart gives a new identity: the client is told its session is gone and its objects are', async () => {
      const kurento = await client();
      const pipeline = await callKurento<KurentoHandle>(kurento, 'create', 'MediaPipeline');
      const before = (await admin('GET', '/faults')).body!.serverId;
      const reconnected: boolean[] = [];
      kurento.on('reconnected', (sameSession: boolean) => reconnected.push(sameSession));
      const restarted = await admin('POST', '/faults/restart', {});
      expect(restarted.body!.serverId).not.toBe(before);
      await eventually(() => expect(reconnected).toEqual([false]), { timeoutMs: 30_000 });
      const socket = await raw();
      const gone = await socket.call('invoke', {
        object: pipeline.id as string,
        operation: 'getName',
        operationParams: {},
      });
      expect(gone.error?.code).toBe(40101);
    });

    it('injects an error on a chosen operation and reports the load it is told to', async () => {
      const kurento = await client();
      const manager = await callKurento<KurentoHandle>(kurento, 'getServerManager');
      const rule = await admin('POST', '/faults/rules', {
        action: 'error',
        method: 'create',
        operation: 'MediaPipeline',
        code: 40009,
        times: 1,
      });
      expect(rule.status).toBe(201);
      const error = await callKurento(kurento, 'create', 'MediaPipeline').catch((e: KurentoCallError) => e);
      expect((error as KurentoCallError).code).toBe(40009);
      await admin('PUT', '/faults/load', { cpuPercent: 93.5, memoryKiB: 2048 });
      expect(await callKurento<number>(manager, 'getUsedCpu', 10)).toBe(93.5);
      expect(await callKurento<number>(manager, 'getUsedMemory')).toBe(2048);
      expect((await admin('POST', '/faults/rules', { action: 'teleport' })).status).toBe(400);
    });

    it('leaves a request unanswered when told to hang', async () => {
      const socket = await raw();
      await admin('POST', '/faults/rules', { action: 'hang', method: 'ping', times: 1 });
      const hung = socket.call('ping', {});
      const answered = await socket.call('connect');
      expect(answered.result?.sessionId).toEqual(expect.any(String));
      const state = await admin('GET', '/faults');
      expect(state.body!.rules).toEqual([]);
      void hung;
    });
  });
}
