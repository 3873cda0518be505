import type { HlsStreamAccess, RecordingStatus } from '@hoot/contracts';
import { hlsSnapshotEvents, recordingSnapshotEvents } from './room-events';
import { settle } from './signaling-fakes.fixture';
import {
  ADDRESS,
  answerNext,
  joinAnswer,
  names,
  record,
  ROOM,
  setup,
  SIG1,
  SIG2,
} from './room-session.fixture';

const access = (publisherId: string, streamId: string, token = 't1', stream?: 'screen'): HlsStreamAccess => ({
  publisherId,
  ...(stream ? { stream } : {}),
  streamId,
  playlistUrl: `http://packager/standup/live/${publisherId}/${streamId}/playlist.m3u8?token=${token}`,
  expiresAt: '2026-12-06T20:00:00.000Z',
});
const REC: RecordingStatus = {
  recordingId: 'rec-1',
  startedAt: '2026-12-06T19:00:00.000Z',
  startedBy: 'alice',
};

describe('RoomSession: HLS streams and recording', () => {
  it('keeps the snapshot and pushed HLS streams, one per publisher stream, renewed in place', async () => {
    const { client, sockets } = setup();
    sockets.handle(SIG1, (socket, m) =>
      socket.answer(m, { type: 'joined', participantId: 'p-2', room: ROOM, hls: [access('p-1', 's-1')] }),
    );
    const session = await client.joinRoom(ADDRESS);
    const events = record(session);
    expect(session.hlsStreams).toEqual([access('p-1', 's-1')]);

    const socket = sockets.last();
    socket.push({ type: 'hls-stream', access: access('p-1', 's-1', 't2') });
    socket.push({ type: 'hls-stream', access: access('p-1', 's-9', 't1', 'screen') });
    await settle();
    expect(session.hlsStreams).toEqual([access('p-1', 's-1', 't2'), access('p-1', 's-9', 't1', 'screen')]);
    expect(events).toEqual([
      ['hls-stream', { access: access('p-1', 's-1', 't2'), renewed: true }],
      ['hls-stream', { access: access('p-1', 's-9', 't1', 'screen'), renewed: false }],
    ]);

    // The end of a stream already replaced changes nothing; the end of the current one is told.
    socket.push({ type: 'hls-stream', access: access('p-1', 's-2') });
    socket.push({ type: 'hls-ended', publisherId: 'p-1', streamId: 's-1' });
    socket.push({ type: 'hls-ended', publisherId: 'p-1', stream: 'screen', streamId: 's-9' });
    await settle();
    expect(session.hlsStreams).toEqual([access('p-1', 's-2')]);
    expect(events.slice(2)).toEqual([
      ['hls-stream', { access: access('p-1', 's-2'), renewed: false }],
      ['hls-ended', { publisherId: 'p-1', stream: 'screen', streamId: 's-9' }],
    ]);
  });

  it('tells the recording, and the creator starts and stops it with record()', async () => {
    const { client, sockets } = setup();
    const session = await client.joinRoom(ADDRESS);
    const events = record(session);
    expect(session.recording).toBeUndefined();
    const start = session.record('start');
    await answerNext(sockets.last(), 'record', { type: 'ok' });
    await expect(start).resolves.toBeUndefined();
    expect(sockets.last().sentOf('record')).toEqual([{ type: 'record', id: '2', action: 'start' }]);
    sockets.last().push({ type: 'recording-started', recording: REC });
    await settle();
    expect(session.recording).toEqual(REC);

    const stop = session.record('stop');
    await answerNext(sockets.last(), 'record', { type: 'error', code: 'NOT_CREATOR', message: 'no' });
    await expect(stop).rejects.toMatchObject({ name: 'SignalingError', code: 'NOT_CREATOR' });
    sockets.last().push({ type: 'recording-stopped', recordingId: 'rec-1', reason: 'storage-full' });
    await settle();
    expect(session.recording).toBeUndefined();
    expect(events).toEqual([
      ['recording-started', { recording: REC }],
      ['recording-stopped', { recordingId: 'rec-1', reason: 'storage-full' }],
    ]);
  });

  it('after a reconnection tells only what the new snapshot changed, before reconnected', async () => {
    const { client, sockets, state, coremx } = setup();
    sockets.handle(SIG1, (socket, m) =>
      socket.answer(m, {
        type: 'joined',
        participantId: 'p-2',
        room: ROOM,
        hls: [access('p-1', 's-1'), access('p-3', 's-3')],
        recording: REC,
      }),
    );
    const session = await client.joinRoom(ADDRESS);
    const events = record(session);
    state.joinDefault = { status: 200, body: joinAnswer(2) };
    const joined = coremx.get(SIG2);
    sockets.handle(SIG2, (socket, m) =>
      socket.answer(m, {
        type: 'joined',
        ...joined,
        hls: [access('p-1', 's-1', 't5'), access('p-3', 's-4')],
      }),
    );
    sockets.last().serverClose(1006);
    await settle();
    await settle();
    expect(session.state).toBe('joined');
    // The room's own events (who joined, left …) come first, as after any reconnection.
    expect(names(events).slice(names(events).indexOf('change'))).toEqual([
      'change',
      'hls-ended',
      'hls-stream',
      'hls-stream',
      'recording-stopped',
      'reconnected',
    ]);
    expect(events.slice(-5, -1).map(([, payload]) => payload)).toEqual([
      { publisherId: 'p-3', streamId: 's-3' },
      { access: access('p-1', 's-1', 't5'), renewed: true },
      { access: access('p-3', 's-4'), renewed: false },
      { recordingId: 'rec-1', reason: 'stopped' },
    ]);
    expect(session.hlsStreams).toEqual([access('p-1', 's-1', 't5'), access('p-3', 's-4')]);
    expect(session.recording).toBeUndefined();
  });

  it('a snapshot equal to what the session knew tells nothing', () => {
    const known = new Map([['p-1', access('p-1', 's-1')]]);
    expect(hlsSnapshotEvents(known, [access('p-1', 's-1')])).toEqual([]);
    expect(recordingSnapshotEvents(REC, { ...REC })).toEqual([]);
    expect(recordingSnapshotEvents(undefined, REC)).toEqual([
      { event: 'recording-started', payload: { recording: REC } },
    ]);
  });
});
