/**
 * The media port (KurentoMediaPort over the unmodified kurento-client 7.2.0) and its health monitor
 * against a real kms-lite process (fake engine: deterministic SDP and candidates, no sockets), with
 * a werift peer for one real SDP round trip, and kms-lite's fault controller for errors, hangs,
 * dropped connections and restarts.
 */
import { eventually } from '@hoot/testing';
import { MediaStreamTrack, RTCPeerConnection, useOPUS, useVP8 } from 'werift';
import {
  KmsHealthMonitor,
  KurentoMediaPort,
  MediaError,
  MediaErrorCode,
  type KmsRestartedEvent,
  type MediaIceCandidate,
  type KurentoMediaPortOptions,
} from '../src';
import { startKmsLite, type KmsLiteProcess } from '../src/testing';

type Json = Record<string, unknown>;

let kms: KmsLiteProcess;
const ports: KurentoMediaPort[] = [];
const monitors: KmsHealthMonitor[] = [];

async function openPort(options: Partial<KurentoMediaPortOptions> = {}): Promise<KurentoMediaPort> {
  const port = await KurentoMediaPort.connect({ url: kms.url, ...options });
  ports.push(port);
  return port;
}

async function admin(method: string, path: string, body?: Json): Promise<{ status: number; body?: Json }> {
  const response = await fetch(`${kms.adminUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body && { body: JSON.stringify(body) }),
  });
  return {
    status: response.status,
    body: response.status === 204 ? undefined : ((await response.json()) as Json),
  };
}

async function rejection(promise: Promise<unknown>): Promise<MediaError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MediaError);
  return error as MediaError;
}

/** A real browser-like offer: werift with Opus and VP8, sending audio and video. */
async function weriftOffer(): Promise<{ peer: RTCPeerConnection; sdp: string }> {
  const peer = new RTCPeerConnection({ codecs: { audio: [useOPUS()], video: [useVP8()] } });
  peer.addTransceiver(new MediaStreamTrack({ kind: 'audio' }), { direction: 'sendonly' });
  peer.addTransceiver(new MediaStreamTrack({ kind: 'video' }), { direction: 'sendonly' });
  await peer.setLocalDescription(await peer.createOffer());
  return { peer, sdp: peer.localDescription!.sdp };
}

const SUBSCRIBER_OFFER = [
  'v=0',
  'o=- 1 1 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111',
  'c=IN IP4 0.0.0.0',
  'a=mid:0',
  'a=ice-ufrag:abcd',
  'a=ice-pwd:abcdefghijklmnopqrstuvwx',
  'a=fingerprint:sha-256 ' + Array.from({ length: 32 }, () => 'AB').join(':'),
  'a=setup:actpass',
  'a=rtcp-mux',
  'a=recvonly',
  'a=rtpmap:111 opus/48000/2',
  '',
].join('\r\n');

beforeAll(async () => {
  kms = await startKmsLite({ engine: 'fake' });
});

afterEach(async () => {
  monitors.splice(0).forEach((monitor) => monitor.stop());
  await Promise.all(ports.splice(0).map((port) => port.close()));
  await admin('DELETE', '/faults');
});

afterAll(async () => {
  await kms?.stop();
});

describe('KurentoMediaPort against kms-lite', () => {
  it('builds a room: pipeline, endpoints, offer and answer, ICE both ways, connect, release', async () => {
    const port = await openPort();
    const pipeline = await port.createPipeline('standup');
    expect(pipeline).toMatchObject({ type: 'pipeline', roomId: 'standup' });
    expect(pipeline.id).toMatch(/_kurento\.MediaPipeline$/);

    const publisher = await port.createEndpoint(pipeline, { kind: 'publish' });
    const subscriber = await port.createEndpoint(pipeline, { kind: 'subscribe', audioOnly: true });
    expect(publisher.id.startsWith(`${pipeline.id}/`)).toBe(true);

    const { peer, sdp } = await weriftOffer();
    try {
      const answer = await port.processOffer(publisher, sdp);
      expect(answer).toMatch(/^v=0/);
      expect(answer).toMatch(/^m=audio /m);
      expect(answer).toMatch(/^m=video /m);
      expect(answer).not.toContain('a=candidate');
      // A real WebRTC stack accepts the answer.
      await peer.setRemoteDescription({ type: 'answer', sdp: answer });
      expect(peer.remoteDescription?.type).toBe('answer');
    } finally {
      await peer.close();
    }

    const found: MediaIceCandidate[] = [];
    port.onIceCandidate(publisher, (candidate) => found.push(candidate));
    await port.addIceCandidate(publisher, {
      candidate: 'candidate:1 1 udp 2130706431 127.0.0.1 50000 typ host',
      sdpMid: '0',
      sdpMLineIndex: 0,
    });
    await port.gatherCandidates(publisher);
    await eventually(() =>
      expect(found[0]).toEqual({
        candidate: expect.stringMatching(/^candidate:/),
        sdpMid: expect.any(String),
        sdpMLineIndex: expect.any(Number),
      }),
    );

    const subscriberAnswer = await port.processOffer(subscriber, SUBSCRIBER_OFFER);
    expect(subscriberAnswer).toMatch(/^a=sendonly/m);
    await port.connect(publisher, subscriber);

    const before = await port.serverInfo();
    await port.release(pipeline);
    const gone = await rejection(port.processOffer(subscriber, SUBSCRIBER_OFFER));
    expect(gone.code).toBe(MediaErrorCode.ObjectGone);
    await expect(port.release(pipeline)).resolves.toBeUndefined();
    const after = await port.serverInfo();
    expect(after.pipelines).toBe(before.pipelines - 1);
  });

  it('reports load and a stable server identity from the ServerManager', async () => {
    const port = await openPort({ cpuSampleMs: 50 });
    await admin('PUT', '/faults/load', { cpuPercent: 42.5, memoryKiB: 4096 });
    const info = await port.serverInfo();
    expect(info).toMatchObject({ usedCpuPercent: 42.5, usedMemoryKiB: 4096 });
    expect(info.cpuCount).toBeGreaterThanOrEqual(1);
    const health = await port.health();
    expect(health).toMatchObject({
      status: 'up',
      serverId: info.serverId,
      sessionLost: false,
      lostPipelineIds: [],
    });
  });

  it('surfaces server errors as MediaErrors with Kurento codes', async () => {
    const port = await openPort();
    await admin('POST', '/faults/rules', {
      action: 'error',
      method: 'create',
      operation: 'MediaPipeline',
      code: 40009,
      times: 1,
    });
    const overloaded = await rejection(port.createPipeline('room-a'));
    expect(overloaded).toMatchObject({ code: MediaErrorCode.Overloaded, kurentoCode: 40009 });
    expect(overloaded.retryable).toBe(true);

    const pipeline = await port.createPipeline('room-a');
    const endpoint = await port.createEndpoint(pipeline, { kind: 'subscribe' });
    await admin('POST', '/faults/rules', {
      action: 'error',
      method: 'invoke',
      operation: 'processOffer',
      code: 40205,
      times: 1,
    });
    const rejected = await rejection(port.processOffer(endpoint, SUBSCRIBER_OFFER));
    expect(rejected).toMatchObject({
      code: MediaErrorCode.SdpRejected,
      kurentoCode: 40205,
      operation: 'processOffer',
    });

    await admin('POST', '/faults/rules', {
      action: 'error',
      method: 'invoke',
      operation: 'connect',
      code: 40003,
      times: 1,
    });
    const publisher = await port.createEndpoint(pipeline, { kind: 'publish' });
    const failed = await rejection(port.connect(publisher, endpoint));
    expect(failed).toMatchObject({ code: MediaErrorCode.ServerError, kurentoCode: 40003 });

    const malformed = await rejection(port.processOffer(endpoint, 'v=0\r\nthis is not SDP'));
    expect(malformed.code).toBe(MediaErrorCode.InvalidArgument);
  });

  it('rejects gatherCandidates when the candidate subscription failed, without crashing the client', async () => {
    const background: unknown[] = [];
    const port = await openPort({ onBackgroundError: (error) => background.push(error) });
    const pipeline = await port.createPipeline('room-b');
    await admin('POST', '/faults/rules', { action: 'error', method: 'subscribe', code: 40106, times: 1 });
    const endpoint = await port.createEndpoint(pipeline, { kind: 'publish' });
    await port.processOffer(endpoint, (await offerAndClose()).sdp);
    const error = await rejection(port.gatherCandidates(endpoint));
    expect(error).toMatchObject({ code: MediaErrorCode.ServerError, kurentoCode: 40106 });
    expect(background).toContainEqual(expect.objectContaining({ kurentoCode: 40106 }));
    // The client still works.
    await expect(port.createPipeline('room-b2')).resolves.toMatchObject({ roomId: 'room-b2' });
  });

  it('times a hanging call out instead of waiting 20 s', async () => {
    const port = await openPort({ callTimeoutMs: 300 });
    const pipeline = await port.createPipeline('room-c');
    const endpoint = await port.createEndpoint(pipeline, { kind: 'subscribe' });
    await admin('POST', '/faults/rules', {
      action: 'hang',
      method: 'invoke',
      operation: 'processOffer',
      times: 1,
    });
    const error = await rejection(port.processOffer(endpoint, SUBSCRIBER_OFFER));
    expect(error).toMatchObject({ code: MediaErrorCode.Timeout, operation: 'processOffer' });
  });
});

async function offerAndClose(): Promise<{ sdp: string }> {
  const { peer, sdp } = await weriftOffer();
  await peer.close();
  return { sdp };
}

describe('KmsHealthMonitor against kms-lite', () => {
  function watch(port: KurentoMediaPort) {
    const monitor = new KmsHealthMonitor(port, { intervalMs: 100 });
    monitors.push(monitor);
    const restarted: KmsRestartedEvent[] = [];
    const unhealthy: MediaError[] = [];
    monitor.on('restarted', (event) => restarted.push(event));
    monitor.on('unhealthy', ({ error }) => unhealthy.push(error));
    monitor.start();
    return { monitor, restarted, unhealthy };
  }

  it('a dropped connection is not a restart: the client rejoins its session and the room survives', async () => {
    const port = await openPort({ healthTimeoutMs: 1_000 });
    const pipeline = await port.createPipeline('room-d');
    const { monitor, restarted } = watch(port);
    await eventually(() => expect(monitor.state).toBe('healthy'));
    const serverId = monitor.serverId;

    expect((await admin('POST', '/faults/drop-connections')).status).toBe(200);
    expect((await admin('GET', '/faults')).body?.connections).toBe(0);
    await eventually(async () => expect((await admin('GET', '/faults')).body?.connections).toBe(1), {
      timeoutMs: 30_000,
    });
    await monitor.checkNow();
    expect(monitor.state).toBe('healthy');
    expect(monitor.serverId).toBe(serverId);
    expect(restarted).toEqual([]);
    await expect(port.createEndpoint(pipeline, { kind: 'publish' })).resolves.toMatchObject({
      pipelineId: pipeline.id,
    });
  });

  it('a KMS restart is detected, the port renewed, and rooms can be rebuilt on the fresh session', async () => {
    const port = await openPort({ healthTimeoutMs: 1_000 });
    const oldPipeline = await port.createPipeline('room-e');
    const oldEndpoint = await port.createEndpoint(oldPipeline, { kind: 'publish' });
    const { monitor, restarted, unhealthy } = watch(port);
    await eventually(() => expect(monitor.state).toBe('healthy'));
    const before = monitor.serverId;
    const generation = port.generation;

    const restart = await admin('POST', '/faults/restart', { downMs: 1_500 });
    expect(restart.status).toBe(200);
    await eventually(() => expect(restarted).toHaveLength(1), { timeoutMs: 60_000 });

    expect(unhealthy.length).toBeGreaterThanOrEqual(1);
    expect(restarted[0].previousServerId).toBe(before);
    // The pipeline it held is gone from the new server's list, whatever else was noticed first.
    expect(restarted[0].reasons).toContain('objects-lost');
    expect(port.generation).toBe(generation + 1);
    expect(monitor.state).toBe('healthy');

    const stale = await rejection(port.processOffer(oldEndpoint, SUBSCRIBER_OFFER));
    expect(stale.code).toBe(MediaErrorCode.ObjectGone);

    const fresh = await port.createPipeline('room-e');
    const endpoint = await port.createEndpoint(fresh, { kind: 'subscribe' });
    await expect(port.processOffer(endpoint, SUBSCRIBER_OFFER)).resolves.toMatch(/^m=audio /m);
    const health = await port.health();
    expect(health).toMatchObject({ status: 'up', sessionLost: false, lostPipelineIds: [] });
    await monitor.checkNow();
    expect(restarted).toHaveLength(1);
  });

  it('a restart with no room held is still noticed, so later rooms do not land on a stale session', async () => {
    const port = await openPort({ healthTimeoutMs: 1_000 });
    const { monitor, restarted } = watch(port);
    await eventually(() => expect(monitor.state).toBe('healthy'));
    const generation = port.generation;

    expect((await admin('POST', '/faults/restart', {})).status).toBe(200);
    await eventually(() => expect(restarted).toHaveLength(1), { timeoutMs: 60_000 });
    expect(restarted[0].reasons.length).toBeGreaterThanOrEqual(1);
    expect(restarted[0].reasons).not.toContain('objects-lost');
    expect(port.generation).toBe(generation + 1);
    await expect(port.createPipeline('room-f')).resolves.toMatchObject({ generation: generation + 1 });
  });
});
