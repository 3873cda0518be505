import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKmsLite } from '@hoot/media/testing';
import {
  ConferencePlatform,
  SignalingClient,
  eventually,
  integrationInfra,
  mongoUriFor,
  startPackager,
  subjectOf,
  type RunningPackager,
} from '@hoot/testing';
import { MediaStreamTrack, RTCPeerConnection, useOPUS, useVP8 } from 'werift';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- assertions walk the JSON freely
type Json = Record<string, any>;

/**
 * Recording through the registry (issue 18) with real processes: auth, a registry node, a CASH + kms-lite
 * (fake engine) whose packager is a real packager process recording to a temporary folder, Kafka and the
 * MongoDB-protocol server. alice (the owner) publishes, starts and stops recording through the registry;
 * bob (allowed) may not, mallory (a stranger) gets 404; the list shows the recording and its stream.
 */
jest.setTimeout(240_000);

const TAG = Date.now().toString(36);
const CID = `rec-${TAG}`;
const MX = `${TAG}-mx1`;

describe('recording through the registry (real processes)', () => {
  const infra = integrationInfra();
  const recordingDir = mkdtempSync(join(tmpdir(), 'hoot-rec-it-'));
  // Filled in once the packager's port is known, before CASH starts (the platform reads it then).
  const cashEnv: Record<string, string> = {};
  const platform = new ConferencePlatform(
    {
      mongoUri: (db) => mongoUriFor(db),
      kafkaBrokers: infra.kafkaBrokers,
      prefix: `recit${TAG}`,
      startMediaServer: () => startKmsLite({ engine: 'fake' }),
    },
    [{ registryId: 'reg-c1-1', latitude: 50, longitude: 8 }],
    [{ coremxId: MX, cloud: 'c1' }],
    cashEnv,
  );
  const tokens: Record<string, string> = {};
  const ids: Record<string, string> = {};
  let packager: RunningPackager | undefined;
  const peers: RTCPeerConnection[] = [];
  const sockets: SignalingClient[] = [];

  const call = async (method: string, path: string, who: string | null, body?: unknown) => {
    const res = await fetch(`${platform.cluster.urlOf('reg-c1-1')}${path}`, {
      method,
      headers: {
        ...(who ? { authorization: `Bearer ${tokens[who]}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as Json };
  };
  const record = (who: string, action: string) =>
    call('POST', `/v1/conferences/${CID}/recording`, who, { action });

  beforeAll(async () => {
    packager = await startPackager({ recordingDir, logName: 'packager-registry-recording.log' });
    Object.assign(cashEnv, packager.cashEnv);
    await platform.start();
    for (const user of ['alice', 'bob', 'mallory']) {
      tokens[user] = await platform.cluster.userToken(user);
      ids[user] = subjectOf(tokens[user]);
    }
    await eventually(async () => {
      const { body } = await call('GET', '/v1/coremx', 'alice');
      const seen = body['coremx'].map((c: Json) => `${c.coremxId}:${c.liveness}`).join();
      if (seen !== `${MX}:alive`) throw new Error(`reg-c1-1 sees ${seen}`);
    });
  }, 300_000);

  afterAll(async () => {
    for (const socket of sockets) socket.ws.close();
    await Promise.all(peers.map((p) => p.close()));
    await platform.stop();
    await packager?.stop();
    rmSync(recordingDir, { recursive: true, force: true });
  });

  it('the owner starts and stops recording; a non-owner gets 403; the list shows the recording', async () => {
    expect(
      (await call('POST', '/v1/conferences', 'alice', { id: CID, type: 'm2m', allowed: ['bob'] })).status,
    ).toBe(201);
    // alice joins with a ticket from the registry and publishes (kms-lite's fake engine: SDP, no media).
    const joined = await call('POST', '/v1/join', 'alice', { address: `hoot.mx://${CID}@${MX}.c1.hoot.mx` });
    expect(joined.status).toBe(200);
    const alice = await SignalingClient.open(joined.body['signalingUrl']);
    sockets.push(alice);
    expect(await alice.request({ type: 'join', ticket: joined.body['ticket'] })).toMatchObject({
      type: 'joined',
    });
    const peer = new RTCPeerConnection({ codecs: { audio: [useOPUS()], video: [useVP8()] } });
    peers.push(peer);
    for (const kind of ['audio', 'video'] as const)
      peer.addTransceiver(new MediaStreamTrack({ kind }), { direction: 'sendonly' });
    await peer.setLocalDescription(await peer.createOffer());
    expect(
      await alice.request({
        type: 'publish',
        kinds: ['audio', 'video'],
        sdpOffer: peer.localDescription!.sdp,
      }),
    ).toMatchObject({ type: 'publish-answer' });

    // Not the owner: bob may see it (403), mallory may not (404, as for an unknown conference).
    expect(await record('bob', 'start')).toMatchObject({
      status: 403,
      body: { code: 'conference.not-owner' },
    });
    expect(await record('mallory', 'start')).toMatchObject({
      status: 404,
      body: { code: 'conference.not-found' },
    });
    expect(await record('alice', 'pause')).toMatchObject({ status: 400, body: { code: 'request.invalid' } });

    const started = await record('alice', 'start');
    expect(started).toMatchObject({
      status: 200,
      body: { conferenceId: CID, state: 'recording', startedBy: ids['alice'] },
    });
    const recordingId = started.body['recordingId'] as string;
    await alice.next('recording-started', (m) => (m['recording'] as Json)['recordingId'] === recordingId);
    expect(await record('alice', 'start')).toMatchObject({
      status: 409,
      body: { code: 'ALREADY_RECORDING' },
    });
    expect(await record('bob', 'stop')).toMatchObject({
      status: 403,
      body: { code: 'conference.not-owner' },
    });

    expect(await record('alice', 'stop')).toMatchObject({
      status: 200,
      body: { conferenceId: CID, recordingId, state: 'stopped', stopReason: 'stopped' },
    });
    expect(await record('alice', 'stop')).toMatchObject({ status: 409, body: { code: 'NOT_RECORDING' } });

    // bob (allowed) lists it: alice's camera, with a playback URL signed for him; mallory gets 404.
    const listed = await call('GET', `/v1/conferences/${CID}/recordings`, 'bob');
    expect(listed.status).toBe(200);
    expect(listed.body['conferenceId']).toBe(CID);
    const recording = (listed.body['recordings'] as Json[]).find((r) => r['recordingId'] === recordingId);
    expect(recording).toMatchObject({ startedBy: ids['alice'], stopReason: 'stopped' });
    expect(recording!['streams']).toEqual([
      expect.objectContaining({
        stream: 'camera',
        playbackUrl: expect.stringContaining(`/recordings/${CID}/${recordingId}/`),
      }),
    ]);
    expect(await call('GET', `/v1/conferences/${CID}/recordings`, 'mallory')).toMatchObject({
      status: 404,
      body: { code: 'conference.not-found' },
    });
  });
});
