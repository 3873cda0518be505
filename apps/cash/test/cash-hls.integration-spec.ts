/**
 * p2m over LL-HLS and recording (issue 18) against the real pieces: auth, a registry, kms-lite with its
 * werift engine (real WebRTC, RtpEndpoint), the real packager process (ffmpeg), Kafka and FerretDB. A werift
 * publisher sends H.264 + Opus (made by ffmpeg) to CASH; CASH hands the stream to the packager through an
 * RtpEndpoint; a viewer plays the playlist with its token; recording keeps a stream as a VOD playlist.
 */
import { createSocket, type Socket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { randomBytes, randomUUID } from 'node:crypto';
import { signTestToken, type TestKeyPair } from '@hoot/auth-kit/testing';
import type { CcesEvent } from '@hoot/events';
import {
  eventually,
  STACK_ISSUER,
  SignalingClient,
  type Inbound,
  type ManagedProcess,
  type RunningCash,
} from '@hoot/testing';
import { MediaStreamTrack, RTCPeerConnection, RtpPacket, useH264, useOPUS } from 'werift';
import { startCashFixture, type CashFixture } from './support/cash-fixture';
import { startPackager, startRtpSource, type RunningPackager } from './support/packager-process';

jest.setTimeout(300_000);

const run = randomBytes(3).toString('hex');
const COREMX_ID = `coremx-hls-${run}`;

let cash: RunningCash;
let signingKey: TestKeyPair;
let serviceToken: string;
let events: CcesEvent[] = [];
let anomalies: string[] = [];
let fixture: CashFixture | undefined;
let packager: RunningPackager | undefined;
const clients: SignalingClient[] = [];
const peers: RTCPeerConnection[] = [];
const sockets: Socket[] = [];
const sources: ManagedProcess[] = [];

beforeAll(async () => {
  packager = await startPackager();
  fixture = await startCashFixture(COREMX_ID, `hls_${run}`, packager.cashEnv, { kmsEngine: 'werift' });
  ({ cash, signingKey, serviceToken, events, anomalies } = fixture);
}, 300_000);

afterAll(async () => {
  for (const c of clients) c.terminate();
  for (const s of sources) await s.stop(5_000).catch(() => undefined);
  for (const p of peers) await p.close().catch(() => undefined);
  for (const s of sockets) s.close();
  await fixture?.stop();
  await packager?.stop();
});

function ticket(conferenceId: string, identity: string): string {
  return signTestToken(signingKey, {
    issuer: STACK_ISSUER,
    audience: `coremx:${COREMX_ID}`,
    subject: identity,
    ttlSeconds: 300,
    claims: { jti: randomUUID(), cid: conferenceId, name: identity },
  });
}

async function joinAs(conferenceId: string, identity: string) {
  const client = await SignalingClient.open(cash.signalingUrl);
  clients.push(client);
  const joined = await client.request({ type: 'join', ticket: ticket(conferenceId, identity) });
  expect(joined).toMatchObject({ type: 'joined', participantId: expect.any(String) });
  return { client, id: joined['participantId'] as string, joined };
}

async function api(method: string, path: string, body?: unknown) {
  const res = await fetch(`${cash.url}${path}`, {
    method,
    headers: {
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      authorization: `Bearer ${serviceToken}`,
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** A UDP socket on loopback whose packets go to `onPacket`. */
async function udp(onPacket: (packet: Buffer) => void): Promise<number> {
  const socket = createSocket('udp4');
  sockets.push(socket);
  socket.on('message', onPacket);
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return (socket.address() as AddressInfo).port;
}

/**
 * Publishes H.264 + Opus from a werift peer through CASH (ICE trickled both ways): ffmpeg encodes a test
 * pattern and a tone to RTP on local sockets, and each packet is written to the peer's tracks with the
 * payload type CASH's media server answered.
 */
async function publishH264(who: { client: SignalingClient; id: string }): Promise<void> {
  const peer = new RTCPeerConnection({ codecs: { audio: [useOPUS()], video: [useH264()] } });
  peers.push(peer);
  const audio = new MediaStreamTrack({ kind: 'audio' });
  const video = new MediaStreamTrack({ kind: 'video' });
  peer.addTransceiver(audio, { direction: 'sendonly' });
  peer.addTransceiver(video, { direction: 'sendonly' });
  peer.onIceCandidate.subscribe((candidate) => {
    const json = candidate?.toJSON();
    if (!json?.candidate) return;
    void who.client.request({
      type: 'ice',
      publisherId: who.id,
      candidate: {
        candidate: json.candidate,
        sdpMid: json.sdpMid ?? '0',
        sdpMLineIndex: json.sdpMLineIndex ?? 0,
      },
    });
  });
  let remoteSet = false;
  const addServerCandidate = (m: Inbound) => {
    if (m.type === 'ice' && m['publisherId'] === who.id && m['stream'] === undefined)
      void peer.addIceCandidate(
        m['candidate'] as { candidate: string; sdpMid: string; sdpMLineIndex: number },
      );
  };
  who.client.ws.on('message', (data) => {
    if (remoteSet) addServerCandidate(JSON.parse(String(data)) as Inbound);
  });
  await peer.setLocalDescription(await peer.createOffer());
  const answer = await who.client.request({
    type: 'publish',
    kinds: ['audio', 'video'],
    sdpOffer: peer.localDescription!.sdp,
  });
  expect(answer).toMatchObject({ type: 'publish-answer' });
  const sdp = answer['sdpAnswer'] as string;
  const h264 = Number(/a=rtpmap:(\d+) H264\/90000/i.exec(sdp)?.[1]);
  const opus = Number(/a=rtpmap:(\d+) opus\/48000/i.exec(sdp)?.[1]);
  expect([h264 > 0, opus > 0]).toEqual([true, true]);
  await peer.setRemoteDescription({ type: 'answer', sdp });
  remoteSet = true;
  for (const m of who.client.ofType('ice')) addServerCandidate(m);
  const forward = (track: MediaStreamTrack, payloadType: number) => (packet: Buffer) => {
    const rtp = RtpPacket.deSerialize(packet);
    rtp.header.payloadType = payloadType;
    track.writeRtp(rtp);
  };
  const videoPort = await udp(forward(video, h264));
  const audioPort = await udp(forward(audio, opus));
  sources.push(await startRtpSource(videoPort, audioPort));
}

/** GET a packager URL: status and text. */
async function get(url: string): Promise<{ status: number; text: string; type: string | null }> {
  const res = await fetch(url);
  return { status: res.status, text: await res.text(), type: res.headers.get('content-type') };
}

/** Polls a playlist until it lists at least `segments` complete segments; answers its text. */
const playlistWith = (url: string, segments: number) =>
  eventually(
    async () => {
      const { status, text } = await get(url);
      expect(status).toBe(200);
      expect(text.match(/#EXTINF:/g)?.length ?? 0).toBeGreaterThanOrEqual(segments);
      return text;
    },
    { timeoutMs: 90_000, intervalMs: 500, description: `a playlist with ${segments} segment(s)` },
  );

const eventsOf = (conferenceId: string, type: string) =>
  events.filter((e) => e.conferenceId === conferenceId && e.type === type);

describe('CASH: p2m over LL-HLS and recording, against kms-lite (werift), the packager and Kafka', () => {
  it('hands viewers a tokened playlist of the publisher’s H.264 stream and ends it on unpublish', async () => {
    const room = `hls-${run}`;
    expect((await api('POST', '/internal/v1/rooms', { id: room, type: 'p2m', owner: 'alice' })).status).toBe(
      201,
    );
    const alice = await joinAs(room, 'alice');
    const bob = await joinAs(room, 'bob');
    await publishH264(alice);

    const push = await bob.client.next(
      'hls-stream',
      (m) => (m['access'] as { publisherId: string }).publisherId === alice.id,
      60_000,
    );
    const access = push['access'] as { streamId: string; playlistUrl: string; expiresAt: string };
    expect(
      access.playlistUrl.startsWith(
        `${packager!.url}/${room}/live/${alice.id}/${access.streamId}/playlist.m3u8?token=`,
      ),
    ).toBe(true);
    expect(Date.parse(access.expiresAt)).toBeGreaterThan(Date.now());
    expect(alice.client.ofType('hls-stream')).toEqual([]);

    const playlist = await playlistWith(access.playlistUrl, 1);
    expect(playlist).toMatch(/^#EXTM3U/);
    expect(playlist).toMatch(/#EXT-X-MAP:URI="init\.mp4\?token=/);
    const noToken = await get(access.playlistUrl.split('?')[0]);
    expect(noToken.status).toBe(403);
    expect(noToken.type).toMatch(/application\/problem\+json/);
    expect(JSON.parse(noToken.text).code).toBe('hls.token-missing');

    // A late viewer finds the stream in `joined`.
    const carol = await joinAs(room, 'carol');
    expect((carol.joined['hls'] as { streamId: string }[]).map((a) => a.streamId)).toEqual([access.streamId]);

    await eventually(() =>
      expect(eventsOf(room, 'stream.hls.started').map((e) => e.data)).toEqual([
        { participantId: alice.id, stream: 'camera', streamId: access.streamId },
      ]),
    );

    expect(await alice.client.request({ type: 'unpublish' })).toMatchObject({ type: 'ok' });
    await bob.client.next('hls-ended', (m) => m['streamId'] === access.streamId);
    const ended = await eventually(
      async () => {
        const { status, text } = await get(access.playlistUrl);
        expect(status).toBe(200);
        expect(text).toContain('#EXT-X-ENDLIST');
        return text;
      },
      { timeoutMs: 30_000, intervalMs: 250, description: 'the playlist ends' },
    );
    expect(ended).toMatch(/#EXTINF:/);
    await eventually(() =>
      expect(eventsOf(room, 'stream.hls.stopped').map((e) => e.data)).toEqual([
        { participantId: alice.id, stream: 'camera', streamId: access.streamId, reason: 'unpublished' },
      ]),
    );
    expect(anomalies).toEqual([]);
  });

  it('records a stream on record start … stop and lists it with a VOD playback URL', async () => {
    const room = `rec-${run}`;
    expect((await api('POST', '/internal/v1/rooms', { id: room, type: 'm2m', owner: 'alice' })).status).toBe(
      201,
    );
    const alice = await joinAs(room, 'alice');
    const bob = await joinAs(room, 'bob');
    expect(await bob.client.request({ type: 'record', action: 'start' })).toMatchObject({
      type: 'error',
      code: 'NOT_CREATOR',
    });
    expect(await alice.client.request({ type: 'record', action: 'start' })).toMatchObject({ type: 'ok' });
    const started = await bob.client.next('recording-started');
    const { recordingId } = started['recording'] as { recordingId: string };
    await publishH264(alice);

    // While recording, the listing has the stream and its playlist grows (≈ 4 s of media kept).
    const recordingUrl = await eventually(
      async () => {
        const list = await api('GET', `/internal/v1/rooms/${room}/recordings?viewer=bob`);
        expect(list.status).toBe(200);
        const recordings = list.body['recordings'] as {
          recordingId: string;
          streams: { playbackUrl: string }[];
        }[];
        expect(recordings.map((r) => r.recordingId)).toEqual([recordingId]);
        expect(recordings[0].streams).toHaveLength(1);
        return recordings[0].streams[0].playbackUrl;
      },
      { timeoutMs: 60_000, intervalMs: 500, description: 'the recorded stream listed' },
    );
    await playlistWith(recordingUrl, 2);

    expect(await alice.client.request({ type: 'record', action: 'stop' })).toMatchObject({ type: 'ok' });
    expect(await bob.client.next('recording-stopped')).toMatchObject({ recordingId, reason: 'stopped' });
    const list = await api('GET', `/internal/v1/rooms/${room}/recordings?viewer=bob`);
    const [summary] = list.body['recordings'] as {
      recordingId: string;
      startedBy: string;
      stopReason?: string;
      streams: {
        participantId: string;
        stream: string;
        state: string;
        playbackUrl: string;
        durationS: number;
      }[];
    }[];
    expect(summary).toMatchObject({ recordingId, startedBy: 'alice', stopReason: 'stopped' });
    expect(summary.streams[0]).toMatchObject({
      participantId: alice.id,
      stream: 'camera',
      state: 'complete',
    });
    const vod = await get(summary.streams[0].playbackUrl);
    expect(vod.status).toBe(200);
    expect(vod.text).toContain('#EXT-X-ENDLIST');
    expect(vod.text.match(/#EXTINF:/g)?.length ?? 0).toBeGreaterThanOrEqual(2);
    expect((await get(summary.streams[0].playbackUrl.split('?')[0])).status).toBe(403);

    await eventually(() => {
      expect(eventsOf(room, 'recording.started').map((e) => e.data)).toEqual([
        { recordingId, startedBy: 'alice', streams: 0 },
      ]);
      expect(eventsOf(room, 'recording.stopped').map((e) => e.data)).toEqual([
        { recordingId, reason: 'stopped', streams: 1 },
      ]);
    });
    expect(anomalies).toEqual([]);
  });
});
