import { FakePackager } from './testing/fake-packager';
import { startCashTestApp, type CashTestApp } from './testing/cash-test-app';
import { RecordingChannel } from './testing/recording-channel';
import { sdpOffer } from './testing/room-fixture';
import type { RoomManager } from './rooms/room-manager';
import { ROOM_MANAGER } from './cash.tokens';

const PACKAGER_ENV = {
  PACKAGER_URL: 'http://127.0.0.1:3400',
  PACKAGER_PUBLIC_URL: 'https://hls.example',
  PACKAGER_CONTROL_KEY: 'unit-test-control-key-0123',
  PACKAGER_VIEWER_TOKEN_KEY: 'unit-test-viewer-token-key-0123456789abcdef',
};

describe('CASH service API: recording (issue 18)', () => {
  let t: CashTestApp;
  let packager: FakePackager;
  beforeEach(async () => {
    packager = new FakePackager();
    t = await startCashTestApp(PACKAGER_ENV, { packager });
  });
  afterEach(async () => {
    await t.app.close();
  });

  const call = (method: 'GET' | 'POST', url: string, payload?: unknown, app = t) =>
    app.app.inject({
      method,
      url,
      headers: {
        authorization: `Bearer ${app.serviceToken()}`,
        ...(payload !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(payload !== undefined
        ? { payload: typeof payload === 'string' ? payload : JSON.stringify(payload) }
        : {}),
    });

  /** A live m2m room: alice (its owner) publishes. */
  async function liveRoom(): Promise<void> {
    expect(
      (await call('POST', '/internal/v1/rooms', { id: 'standup', type: 'm2m', owner: 'alice' })).statusCode,
    ).toBe(201);
    const rooms = t.app.get<RoomManager>(ROOM_MANAGER);
    const alice = await rooms.join(
      { roomId: 'standup', identity: 'alice', ticketId: 't-a' },
      new RecordingChannel(),
    );
    await rooms.publish('standup', alice, ['audio', 'video'], sdpOffer());
  }

  it('starts and stops for the owner (200 RecordingCommandAnswer), 409s on repeats, lists what was kept', async () => {
    await liveRoom();
    const started = await call('POST', '/internal/v1/rooms/standup/recording', {
      action: 'start',
      by: 'alice',
    });
    expect(started.statusCode).toBe(200);
    expect(started.json()).toMatchObject({ conferenceId: 'standup', state: 'recording', startedBy: 'alice' });
    const again = await call('POST', '/internal/v1/rooms/standup/recording', {
      action: 'start',
      by: 'alice',
    });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('cash.already-recording');
    const stopped = await call('POST', '/internal/v1/rooms/standup/recording', {
      action: 'stop',
      by: 'alice',
    });
    expect(stopped.json()).toMatchObject({
      recordingId: started.json().recordingId,
      state: 'stopped',
      stopReason: 'stopped',
    });
    const notRecording = await call('POST', '/internal/v1/rooms/standup/recording', {
      action: 'stop',
      by: 'alice',
    });
    expect([notRecording.statusCode, notRecording.json().code]).toEqual([409, 'cash.not-recording']);

    const list = await call('GET', '/internal/v1/rooms/standup/recordings?viewer=bob');
    expect(list.statusCode).toBe(200);
    const body = list.json();
    expect(body.conferenceId).toBe('standup');
    expect(body.recordings).toHaveLength(1);
    expect(body.recordings[0].streams[0].playbackUrl).toMatch(
      /^https:\/\/hls\.example\/recordings\/standup\/rec-[^/]+\/stream-0001\/playlist\.m3u8\?token=/,
    );
  });

  it('answers 404 without a live room, 507 on a full volume, 503 from a CoreMX without packager', async () => {
    const none = await call('POST', '/internal/v1/rooms/nobody-here/recording', {
      action: 'start',
      by: 'alice',
    });
    expect([none.statusCode, none.json().code]).toEqual([404, 'cash.room-not-found']);
    await liveRoom();
    packager.storageFull = true;
    const full = await call('POST', '/internal/v1/rooms/standup/recording', { action: 'start', by: 'alice' });
    expect([full.statusCode, full.json().code]).toEqual([507, 'cash.recording-storage-full']);
    expect(full.headers['content-type']).toMatch(/application\/problem\+json/);

    const bare = await startCashTestApp();
    try {
      await call('POST', '/internal/v1/rooms', { id: 'standup', type: 'm2m', owner: 'alice' }, bare);
      const refused = await call('GET', '/internal/v1/rooms/standup/recordings?viewer=bob', undefined, bare);
      expect([refused.statusCode, refused.json().code]).toEqual([503, 'cash.recording-unavailable']);
    } finally {
      await bare.app.close();
    }
  });

  it.each([
    ['no action', { by: 'alice' }],
    ['an unknown action', { action: 'pause', by: 'alice' }],
    ['no by', { action: 'start' }],
    ['a bad by', { action: 'start', by: 'not an identity' }],
    ['an unknown field', { action: 'start', by: 'alice', extra: 1 }],
    ['not JSON', '{"action":'],
  ])('refuses a command with %s: 400 problem+json, nothing recorded', async (_what, payload) => {
    await liveRoom();
    const res = await call('POST', '/internal/v1/rooms/standup/recording', payload);
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(typeof res.json().code).toBe('string');
    expect(packager.calls.filter((c) => c.op === 'startRecording')).toEqual([]);
  });

  it.each([
    ['no viewer', '/internal/v1/rooms/standup/recordings'],
    ['a bad viewer', '/internal/v1/rooms/standup/recordings?viewer=%20x'],
    ['a bad room id', '/internal/v1/rooms/NOT_A_ROOM/recordings?viewer=bob'],
  ])('refuses a listing with %s: 400', async (_what, url) => {
    const res = await call('GET', url);
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(packager.calls).toEqual([]);
  });

  it('needs service credentials', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/internal/v1/rooms/standup/recordings?viewer=bob',
    });
    expect(res.statusCode).toBe(401);
  });
});
