import { PackagerErrorCode } from '@hoot/contracts';
import { packagerFailure, type PackagerError } from '../packager/packager.client';
import type {
  PackagerPort,
  PackagerRecordedStream,
  PackagerStream,
  PackagerStreamInput,
  PackagerStreamState,
} from '../packager/packager.port';

export interface FakePackagerStream {
  input: PackagerStreamInput;
  streamId: string;
  state: 'live' | 'ended';
  rtpAnswer?: string;
  recording?: {
    recordingId: string;
    state: 'recording' | 'complete';
    stopReason?: 'storage-full' | 'failed';
  };
}

type Operation = keyof PackagerPort;

/**
 * The packager's control API in memory, for unit specs: streams (ids `stream-0001`, `stream-0002`, …), the RTP answers
 * given, recordings (kept after their stream ends, as on the volume), injected failures (`failNext`), a
 * full volume (`storageFull`: recordings refused; `fillUp(streamId)`: a running one completes early).
 */
export class FakePackager implements PackagerPort {
  readonly streams = new Map<string, FakePackagerStream>();
  readonly recorded: PackagerRecordedStream[] = [];
  readonly calls: { op: Operation; streamId?: string }[] = [];
  storageFull = false;
  private n = 0;
  private readonly failures = new Map<Operation, PackagerError[]>();

  failNext(op: Operation, status: number, code: string): void {
    this.failures.set(op, [
      ...(this.failures.get(op) ?? []),
      packagerFailure(status, code, `injected ${code}`),
    ]);
  }

  /** Streams not ended. */
  live(): FakePackagerStream[] {
    return [...this.streams.values()].filter((s) => s.state === 'live');
  }

  /** The volume filled up while `streamId` was recorded: its recording completes with `storage-full`. */
  fillUp(streamId: string): void {
    const s = this.streams.get(streamId)!;
    s.recording = { ...s.recording!, state: 'complete', stopReason: 'storage-full' };
    this.storageFull = true;
    this.complete(s, 'storage-full');
  }

  async startStream(input: PackagerStreamInput): Promise<PackagerStream> {
    this.begin('startStream');
    const streamId = `stream-${String(++this.n).padStart(4, '0')}`;
    this.streams.set(streamId, { input, streamId, state: 'live' });
    return {
      streamId,
      playlistPath: `/${input.stage}/live/${input.userId}/${streamId}/playlist.m3u8`,
      sdpOffer: [
        'v=0',
        'o=- 0 0 IN IP4 127.0.0.1',
        's=packager',
        'c=IN IP4 127.0.0.1',
        't=0 0',
        'm=audio 42002 RTP/AVP 111',
        'a=rtpmap:111 opus/48000/2',
        'a=recvonly',
        'm=video 42000 RTP/AVP 96',
        'a=rtpmap:96 H264/90000',
        'a=recvonly',
        '',
      ].join('\r\n'),
    };
  }

  async rtpAnswer(streamId: string, sdpAnswer: string): Promise<void> {
    this.begin('rtpAnswer', streamId);
    this.require(streamId).rtpAnswer = sdpAnswer;
  }

  async stopStream(streamId: string): Promise<void> {
    this.begin('stopStream', streamId);
    const s = this.streams.get(streamId);
    if (!s || s.state === 'ended') return;
    s.state = 'ended';
    if (s.recording?.state === 'recording') {
      s.recording = { ...s.recording, state: 'complete' };
      this.complete(s);
    }
  }

  async getStream(streamId: string): Promise<PackagerStreamState | undefined> {
    this.begin('getStream', streamId);
    const s = this.streams.get(streamId);
    return s && { streamId, state: s.state, ...(s.recording ? { recording: { ...s.recording } } : {}) };
  }

  async startRecording(streamId: string, recordingId: string): Promise<void> {
    this.begin('startRecording', streamId);
    const s = this.require(streamId);
    if (this.storageFull) throw packagerFailure(507, PackagerErrorCode.StorageFull, 'the volume is full');
    if (s.recording?.state === 'recording') {
      throw packagerFailure(409, PackagerErrorCode.RecordingExists, 'recording already');
    }
    s.recording = { recordingId, state: 'recording' };
    this.recorded.push({
      recordingId,
      conferenceId: s.input.conferenceId,
      streamId,
      stage: s.input.stage,
      userId: s.input.userId,
      startedAt: new Date(Date.UTC(2026, 0, 1, 12)).toISOString(),
      durationS: 0,
      bytes: 0,
      state: 'recording',
      playlistPath: `/recordings/${s.input.conferenceId}/${recordingId}/${streamId}/playlist.m3u8`,
    });
  }

  async stopRecording(streamId: string): Promise<void> {
    this.begin('stopRecording', streamId);
    const s = this.require(streamId);
    if (s.recording?.state !== 'recording') {
      throw packagerFailure(409, PackagerErrorCode.NotRecording, 'not recording');
    }
    s.recording = { ...s.recording, state: 'complete' };
    this.complete(s);
  }

  async listRecordings(conferenceId: string): Promise<PackagerRecordedStream[]> {
    this.begin('listRecordings');
    return this.recorded.filter((r) => r.conferenceId === conferenceId).map((r) => ({ ...r }));
  }

  private complete(s: FakePackagerStream, stopReason?: 'storage-full'): void {
    const r = this.recorded.find((x) => x.streamId === s.streamId && x.state === 'recording');
    if (!r) return;
    Object.assign(r, {
      state: 'complete',
      endedAt: new Date(Date.UTC(2026, 0, 1, 12, 1)).toISOString(),
      durationS: 60,
      bytes: 1000,
      ...(stopReason ? { stopReason } : {}),
    });
  }

  private require(streamId: string): FakePackagerStream {
    const s = this.streams.get(streamId);
    if (!s) throw packagerFailure(404, PackagerErrorCode.StreamNotFound, 'no such stream');
    return s;
  }

  private begin(op: Operation, streamId?: string): void {
    this.calls.push({ op, ...(streamId !== undefined ? { streamId } : {}) });
    const failure = this.failures.get(op)?.shift();
    if (failure) throw failure;
  }
}
