import type { RecordingCommandAnswer, RecordingList } from '@hoot/contracts';
import { HootApiError } from './hoot-api.error';
import { HootClient } from './hoot-client';
import { FakeServers, problemBody, TestClock } from './registry-fakes.fixture';
import { conferenceIdOf } from './registry-client.recordings';
import { SdkError, SdkErrorCode } from './sdk-error-codes';

const A = 'http://reg-c1-1';
const B = 'http://reg-c1-2';

const started: RecordingCommandAnswer = {
  conferenceId: 'standup',
  recordingId: 'rec-1',
  state: 'recording',
  startedAt: '2026-11-23T10:00:00.000Z',
  startedBy: 'acc_alice',
};

const list: RecordingList = {
  conferenceId: 'standup',
  recordings: [
    {
      recordingId: 'rec-1',
      startedAt: '2026-11-23T10:00:00.000Z',
      startedBy: 'acc_alice',
      stoppedAt: '2026-11-23T10:05:00.000Z',
      stopReason: 'stopped',
      streams: [
        {
          streamId: 's-1',
          participantId: 'p-1',
          stream: 'camera',
          startedAt: '2026-11-23T10:00:01.000Z',
          endedAt: '2026-11-23T10:05:00.000Z',
          durationS: 299,
          bytes: 1_000_000,
          state: 'complete',
          playbackUrl: 'https://coremx-1.hoot.mx/recordings/standup/rec-1/s-1/playlist.m3u8?token=t',
          playbackExpiresAt: '2026-11-23T10:15:00.000Z',
        },
      ],
    },
  ],
};

function setup() {
  const clock = new TestClock();
  const servers = new FakeServers(clock);
  const client = new HootClient({
    registryUrls: [A, B],
    ownCloud: 'c1',
    fetch: servers.fetch,
    clock,
    token: 'tok-alice',
  });
  return { servers, client };
}

async function failure(work: Promise<unknown>): Promise<unknown> {
  return work.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (error: unknown) => error,
  );
}

describe('HootClient: recording', () => {
  it('starts by id or by address: POST /v1/conferences/:id/recording {action} with the token', async () => {
    const { servers, client } = setup();
    servers.set(A, { status: 200, body: started });
    expect(await client.recording('standup', 'start')).toEqual(started);
    expect(await client.recording('hoot.mx://standup@coremx-1.c1.hoot.mx', 'start')).toEqual(started);
    expect(servers.calls.map((c) => [c.method, c.path, c.body, c.headers.authorization])).toEqual([
      ['POST', '/v1/conferences/standup/recording', '{"action":"start"}', 'Bearer tok-alice'],
      ['POST', '/v1/conferences/standup/recording', '{"action":"start"}', 'Bearer tok-alice'],
    ]);
  });

  it('throws HootApiError with the code for a refusal (not-owner, not-live, ALREADY_RECORDING)', async () => {
    const { servers, client } = setup();
    for (const [status, code] of [
      [403, 'conference.not-owner'],
      [409, 'conference.not-live'],
      [409, 'ALREADY_RECORDING'],
      [410, 'conference.ended'],
    ] as const) {
      servers.set(A, { status, body: problemBody(status, code, 'refused') });
      const error = await failure(client.recording('standup', 'start'));
      expect(error).toBeInstanceOf(HootApiError);
      expect([(error as HootApiError).status, (error as HootApiError).code]).toEqual([status, code]);
    }
  });

  it("takes the CoreMX's 503/507 as a verdict: no other registry asked, and the registry is not marked failed", async () => {
    const { servers, client } = setup();
    servers.set(A, { status: 507, body: problemBody(507, 'RECORDING_STORAGE_FULL', 'full') });
    servers.set(B, { status: 200, body: list });
    const full = await failure(client.recording('standup', 'start'));
    expect([(full as HootApiError).status, (full as HootApiError).code]).toEqual([
      507,
      'RECORDING_STORAGE_FULL',
    ]);
    servers.set(A, {
      status: 503,
      body: problemBody(503, 'RECORDING_UNAVAILABLE', 'no recording here'),
      headers: { 'retry-after': '30' },
    });
    const off = await failure(client.recordings('standup'));
    expect(off).toBeInstanceOf(HootApiError);
    expect((off as HootApiError).code).toBe('RECORDING_UNAVAILABLE');
    expect(servers.callsTo(B)).toEqual([]);
    expect(client.registry.status().find((s) => s.registryId === 'reg-c1-1')?.state).toBe('healthy');
  });

  it('refuses a bad action or conference before sending anything', async () => {
    const { servers, client } = setup();
    for (const work of [
      client.recording('standup', 'pause' as 'start'),
      client.recording('Not An Id!', 'start'),
      client.recording('hoot.mx://', 'stop'),
      client.recordings('../admin'),
    ]) {
      const error = await failure(work);
      expect(error).toBeInstanceOf(SdkError);
      expect((error as SdkError).code).toBe(SdkErrorCode.RequestInvalid);
    }
    expect(servers.calls).toEqual([]);
  });

  it('refuses an answer that is not a recording answer (sdk.answer-invalid)', async () => {
    const { servers, client } = setup();
    for (const body of [{ ...started, conferenceId: 'other' }, { ok: true }, 'recording', [started]]) {
      servers.set(A, { status: 200, body });
      const error = await failure(client.recording('standup', 'start'));
      expect([body, (error as SdkError).code]).toEqual([body, SdkErrorCode.AnswerInvalid]);
    }
  });
});

describe('HootClient: recordings', () => {
  it('lists by id or address (GET, retried on the next registry when one fails)', async () => {
    const { servers, client } = setup();
    servers.set(A, 'network').set(B, { status: 200, body: list });
    expect(await client.recordings('hoot.mx://standup@coremx-1.c1.hoot.mx')).toEqual(list);
    expect(servers.calls.map((c) => [c.origin, c.method, c.path])).toEqual([
      [A, 'GET', '/v1/conferences/standup/recordings'],
      [B, 'GET', '/v1/conferences/standup/recordings'],
    ]);
  });

  it('throws HootApiError for a stranger (404) and sdk.answer-invalid for a list that is not one', async () => {
    const { servers, client } = setup();
    servers.set(A, { status: 404, body: problemBody(404, 'conference.not-found', 'no conference standup') });
    expect(await failure(client.recordings('standup'))).toMatchObject({
      status: 404,
      code: 'conference.not-found',
    });
    const stream = list.recordings[0].streams[0];
    for (const body of [
      { conferenceId: 'standup' },
      { ...list, conferenceId: 'other' },
      { ...list, recordings: [{ ...list.recordings[0], streams: [{ ...stream, playbackUrl: 7 }] }] },
      { ...list, recordings: [{ ...list.recordings[0], streams: [{ ...stream, durationS: 'long' }] }] },
      { ...list, recordings: [null] },
    ]) {
      servers.set(A, { status: 200, body });
      expect([body, ((await failure(client.recordings('standup'))) as SdkError).code]).toEqual([
        body,
        SdkErrorCode.AnswerInvalid,
      ]);
    }
  });
});

describe('conferenceIdOf', () => {
  it('takes an id or the id of an address, nothing else', () => {
    expect(conferenceIdOf('standup')).toBe('standup');
    expect(conferenceIdOf('hoot.mx://standup@coremx-1.c1.hoot.mx')).toBe('standup');
    for (const bad of ['', 'ab', 'Standup', 'a/b', 'https://evil.example/x', 7 as unknown as string])
      expect(() => conferenceIdOf(bad)).toThrow(
        expect.objectContaining({ code: SdkErrorCode.RequestInvalid }),
      );
  });
});
