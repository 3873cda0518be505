import { CashErrorCode as X } from '@hoot/contracts';
import { ConferenceErrorCode as C } from '@hoot/domain';
import { CashCallError } from './cash.client';
import { alice, bob, coremx, failure, mallory } from './conference-service.fixture';
import { commandAnswer, recordingList, setupRecording } from './recording-service.fixture';

const API = 'http://coremx-1.test:3300';

async function withConference(options: { public?: boolean } = {}) {
  const r = setupRecording();
  await r.service.create(alice, { id: 'standup', type: 'm2m', allowed: ['bob'], ...options });
  return r;
}

describe('RecordingService: start and stop (owner only)', () => {
  it('forwards the owner’s start and stop to the CASH hosting the room, with the owner as `by`', async () => {
    const { recordings, recordingCash } = await withConference();
    expect(await recordings.command(alice.identity, 'standup', { action: 'start' })).toEqual(
      commandAnswer('standup', 'start'),
    );
    expect(await recordings.command(alice.identity, 'standup', { action: 'stop' })).toEqual(
      commandAnswer('standup', 'stop'),
    );
    expect(recordingCash.commands).toEqual([
      { apiUrl: API, roomId: 'standup', action: 'start', by: 'acc_alice' },
      { apiUrl: API, roomId: 'standup', action: 'stop', by: 'acc_alice' },
    ]);
  });

  it('refuses an allowed participant 403 conference.not-owner and never asks CASH', async () => {
    const { recordings, recordingCash } = await withConference();
    const refused = await failure(recordings.command(bob.identity, 'standup', { action: 'start' }));
    expect([refused.status, refused.code]).toEqual([403, C.NotOwner]);
    expect(recordingCash.commands).toEqual([]);
  });

  it('refuses anyone signed in on a public conference 403 (seeing it is not owning it)', async () => {
    const { recordings, recordingCash } = await withConference({ public: true });
    const refused = await failure(recordings.command(mallory.identity, 'standup', { action: 'stop' }));
    expect([refused.status, refused.code]).toEqual([403, C.NotOwner]);
    expect(recordingCash.commands).toEqual([]);
  });

  it('answers a stranger exactly as for an unknown conference (404): existence is not disclosed', async () => {
    const { recordings, recordingCash } = await withConference();
    const hidden = await failure(recordings.command(mallory.identity, 'standup', { action: 'start' }));
    const unknown = await failure(recordings.command(mallory.identity, 'nope-nope', { action: 'start' }));
    expect([hidden.status, hidden.code]).toEqual([404, C.NotFound]);
    expect([unknown.status, unknown.code]).toEqual([404, C.NotFound]);
    expect(hidden.message.replace('standup', 'X')).toBe(unknown.message.replace('nope-nope', 'X'));
    expect(recordingCash.commands).toEqual([]);
  });

  it('answers 410 conference.ended once the owner ended it', async () => {
    const { service, recordings, recordingCash } = await withConference();
    await service.end(alice.identity, 'standup');
    const refused = await failure(recordings.command(alice.identity, 'standup', { action: 'start' }));
    expect([refused.status, refused.code]).toEqual([410, C.Ended]);
    expect(recordingCash.commands).toEqual([]);
  });

  it('turns CASH’s 404 ROOM_NOT_FOUND into 409 conference.not-live (either spelling of the code)', async () => {
    const { recordings, recordingCash } = await withConference();
    for (const code of ['cash.room-not-found', 'ROOM_NOT_FOUND']) {
      recordingCash.commandReply = new CashCallError('not-found', 'CASH recording answered 404', 404, code);
      const refused = await failure(recordings.command(alice.identity, 'standup', { action: 'start' }));
      expect([code, refused.status, refused.code]).toEqual([code, 409, C.NotLive]);
    }
  });

  it.each([
    ['cash.already-recording', 409, X.AlreadyRecording],
    ['cash.not-recording', 409, X.NotRecording],
    ['cash.recording-unavailable', 503, X.RecordingUnavailable],
    ['cash.recording-storage-full', 507, X.RecordingStorageFull],
    ['RECORDING_STORAGE_FULL', 507, X.RecordingStorageFull],
    ['cash.not-creator', 403, 'NOT_CREATOR'],
  ])('passes CASH’s %s on as %i %s (the catalogue’s status and code)', async (wire, status, code) => {
    const { recordings, recordingCash } = await withConference();
    recordingCash.commandReply = new CashCallError(
      status >= 500 ? 'unavailable' : 'refused',
      `CASH recording answered ${status}`,
      status,
      wire,
      status === 503 ? 9 : undefined,
    );
    const refused = await failure(recordings.command(alice.identity, 'standup', { action: 'start' }));
    expect([refused.status, refused.code]).toEqual([status, code]);
    expect(refused.headers?.['Retry-After']).toBe(status === 503 ? '9' : undefined);
  });

  it.each([
    ['unreachable', new CashCallError('unavailable', 'CASH at x unreachable: ECONNREFUSED')],
    ['refusing the registry’s credentials', new CashCallError('refused', '401', 401, 'auth.unauthenticated')],
    [
      'a CASH ticket code (401: not the caller’s)',
      new CashCallError('refused', '401', 401, 'cash.ticket-invalid'),
    ],
    ['a code of nobody’s', new CashCallError('refused', '418', 418, 'teapot.short-and-stout')],
    ['no code at all', new CashCallError('unavailable', '502', 502)],
  ])('answers 503 conference.coremx-unavailable + Retry-After for a CASH %s', async (_what, error) => {
    const { recordings, recordingCash, warnings } = await withConference();
    recordingCash.commandReply = error;
    const refused = await failure(recordings.command(alice.identity, 'standup', { action: 'start' }));
    expect([refused.status, refused.code, refused.headers?.['Retry-After']]).toEqual([
      503,
      C.CoreMxUnavailable,
      '5',
    ]);
    expect(warnings).toHaveLength(1);
  });

  it('answers 503 with Retry-After 1 while the CoreMX is suspect, and 409 not-live when no CoreMX hosts it', async () => {
    const { recordings, recordingCash, source } = await withConference();
    source.views = [coremx('coremx-1', 'c1', { liveness: 'suspect' })];
    const failover = await failure(recordings.command(alice.identity, 'standup', { action: 'start' }));
    expect([failover.status, failover.code, failover.headers?.['Retry-After']]).toEqual([
      503,
      C.CoreMxUnavailable,
      '1',
    ]);
    source.views = [];
    const gone = await failure(recordings.command(alice.identity, 'standup', { action: 'start' }));
    expect([gone.status, gone.code]).toEqual([409, C.NotLive]);
    expect(recordingCash.commands).toEqual([]);
  });
});

describe('RecordingService: a CASH that answers garbage', () => {
  const good = commandAnswer('standup', 'start');
  it.each([
    ['nothing (not JSON)', undefined],
    ['a string', 'ok'],
    ['a list', [good]],
    ['another conference’s recording', { ...good, conferenceId: 'other' }],
    ['`stopped` after a start', { ...good, state: 'stopped' }],
    ['an unknown state', { ...good, state: 'paused' }],
    ['no recording id', { ...good, recordingId: undefined }],
    ['an empty recording id', { ...good, recordingId: '' }],
    ['a recording id of 10,000 characters', { ...good, recordingId: 'r'.repeat(10_000) }],
    ['a control character', { ...good, startedBy: 'acc_alice\u001b[31m' }],
    ['a time that is no time', { ...good, startedAt: 'yesterday' }],
    ['an unknown stop reason', { ...good, stopReason: 'bored' }],
  ])('refuses %s with 503 and hands none of it on', async (_what, garbage) => {
    const { recordings, recordingCash, warnings } = await withConference();
    recordingCash.commandReply = () => garbage;
    const refused = await failure(recordings.command(alice.identity, 'standup', { action: 'start' }));
    expect([refused.status, refused.code]).toEqual([503, C.CoreMxUnavailable]);
    expect(refused.details).toEqual({ answerInvalid: true });
    expect(JSON.stringify(refused)).not.toContain('r'.repeat(200));
    expect(warnings).toHaveLength(1);
  });

  it('drops fields the contract does not have', async () => {
    const { recordings, recordingCash } = await withConference();
    recordingCash.commandReply = { ...good, secret: 'packager-control-key', internal: { x: 1 } };
    expect(await recordings.command(alice.identity, 'standup', { action: 'start' })).toEqual(good);
  });
});

describe('RecordingService: the list (anyone entitled to join)', () => {
  it('lists for the owner and the allowed, each with playback signed for them', async () => {
    const { recordings, recordingCash } = await withConference();
    expect(await recordings.list(alice.identity, 'standup')).toEqual(recordingList('standup', 'acc_alice'));
    expect(await recordings.list(bob.identity, 'standup')).toEqual(recordingList('standup', 'acc_bob'));
    expect(recordingCash.lists).toEqual([
      { apiUrl: API, roomId: 'standup', viewer: 'acc_alice' },
      { apiUrl: API, roomId: 'standup', viewer: 'acc_bob' },
    ]);
  });

  it('lists a public conference for anyone signed in, a private one for nobody else (404)', async () => {
    const open = await withConference({ public: true });
    expect((await open.recordings.list(mallory.identity, 'standup')).recordings).toHaveLength(1);
    const closed = await withConference();
    const refused = await failure(closed.recordings.list(mallory.identity, 'standup'));
    expect([refused.status, refused.code]).toEqual([404, C.NotFound]);
    expect(closed.recordingCash.lists).toEqual([]);
  });

  it('still lists once the conference has ended (recordings outlive it)', async () => {
    const { service, recordings } = await withConference();
    await service.end(alice.identity, 'standup');
    expect((await recordings.list(bob.identity, 'standup')).recordings[0].recordingId).toBe('rec-1');
  });

  it('passes CASH’s refusals on and answers 503 for an unreachable CASH', async () => {
    const { recordings, recordingCash } = await withConference();
    recordingCash.listReply = new CashCallError('unavailable', '503', 503, 'cash.recording-unavailable', 4);
    const unavailable = await failure(recordings.list(alice.identity, 'standup'));
    expect([unavailable.status, unavailable.code]).toEqual([503, X.RecordingUnavailable]);
    recordingCash.listReply = new CashCallError('unavailable', 'CASH unreachable');
    const unreachable = await failure(recordings.list(alice.identity, 'standup'));
    expect([unreachable.status, unreachable.code]).toEqual([503, C.CoreMxUnavailable]);
  });

  const list = recordingList('standup');
  const withStream = (change: Record<string, unknown>) => ({
    ...list,
    recordings: [{ ...list.recordings[0], streams: [{ ...list.recordings[0].streams[0], ...change }] }],
  });
  it.each([
    ['not an object', 'recordings'],
    ['another conference’s list', { ...list, conferenceId: 'other' }],
    ['recordings that are not a list', { ...list, recordings: {} }],
    ['1001 recordings', { ...list, recordings: Array.from({ length: 1001 }, () => list.recordings[0]) }],
    ['a javascript: playback URL', withStream({ playbackUrl: 'javascript:alert(1)' })],
    ['a playback URL that is no URL', withStream({ playbackUrl: 'not a url' })],
    ['a negative duration', withStream({ durationS: -1 })],
    ['a duration that is no number', withStream({ durationS: 'NaN' })],
    ['fractional bytes', withStream({ bytes: 1.5 })],
    ['an unknown stream source', withStream({ stream: 'microphone' })],
    ['a stream that is null', { ...list, recordings: [{ ...list.recordings[0], streams: [null] }] }],
  ])('refuses a list with %s (503)', async (_what, garbage) => {
    const { recordings, recordingCash } = await withConference();
    recordingCash.listReply = () => garbage;
    const refused = await failure(recordings.list(alice.identity, 'standup'));
    expect([refused.status, refused.code]).toEqual([503, C.CoreMxUnavailable]);
  });

  it('drops fields the contract does not have, at every level', async () => {
    const { recordings, recordingCash } = await withConference();
    const extra = withStream({ path: '/var/lib/packager/x' });
    recordingCash.listReply = { ...extra, debug: true, recordings: [{ ...extra.recordings[0], dir: '/x' }] };
    expect(await recordings.list(alice.identity, 'standup')).toEqual(list);
  });
});
