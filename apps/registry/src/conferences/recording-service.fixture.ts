/** Shared by the recording specs: the conference fixture's registry with a fake CASH recording API. */
import type { RecordingCommandAnswer, RecordingList } from '@hoot/contracts';
import type { CoreMxView } from '../gcas/registry-node';
import { CashCallError, type CashRecordingClient } from './cash.client';
import { quiet, setup, type Options } from './conference-service.fixture';
import { RecordingService } from './recording.service';

export type FakeReply = unknown | CashCallError | (() => unknown);

/** CASH's recording calls by URL: records each call; answers `reply` (a `CashCallError` is thrown). */
export class FakeRecordingCash implements CashRecordingClient {
  readonly commands: { apiUrl: string; roomId: string; action: string; by: string }[] = [];
  readonly lists: { apiUrl: string; roomId: string; viewer: string }[] = [];
  commandReply: FakeReply = undefined;
  listReply: FakeReply = undefined;

  async recording(apiUrl: string, roomId: string, command: { action: 'start' | 'stop'; by: string }) {
    this.commands.push({ apiUrl, roomId, ...command });
    return answer(this.commandReply ?? commandAnswer(roomId, command.action));
  }

  async recordings(apiUrl: string, roomId: string, viewer: string) {
    this.lists.push({ apiUrl, roomId, viewer });
    return answer(this.listReply ?? recordingList(roomId, viewer));
  }
}

function answer(reply: FakeReply): unknown {
  if (reply instanceof CashCallError) throw reply;
  return typeof reply === 'function' ? (reply as () => unknown)() : reply;
}

export function commandAnswer(conferenceId: string, action: 'start' | 'stop'): RecordingCommandAnswer {
  return {
    conferenceId,
    recordingId: 'rec-1',
    state: action === 'start' ? 'recording' : 'stopped',
    startedAt: '2026-01-01T00:00:00.000Z',
    startedBy: 'acc_alice',
    ...(action === 'stop' ? { stoppedAt: '2026-01-01T00:05:00.000Z', stopReason: 'stopped' as const } : {}),
  };
}

export function recordingList(conferenceId: string, viewer = 'acc_alice'): RecordingList {
  return {
    conferenceId,
    recordings: [
      {
        recordingId: 'rec-1',
        startedAt: '2026-01-01T00:00:00.000Z',
        startedBy: 'acc_alice',
        stoppedAt: '2026-01-01T00:05:00.000Z',
        stopReason: 'stopped',
        streams: [
          {
            streamId: 's-1',
            participantId: 'p-1',
            stream: 'camera',
            startedAt: '2026-01-01T00:00:02.000Z',
            endedAt: '2026-01-01T00:05:00.000Z',
            durationS: 298,
            bytes: 12_345_678,
            state: 'complete',
            playbackUrl: `https://coremx-1.test:3400/recordings/${conferenceId}/rec-1/s-1/playlist.m3u8?token=for-${viewer}`,
            playbackExpiresAt: '2026-01-01T00:15:00.000Z',
          },
        ],
      },
    ],
  };
}

/** A registry (conference fixture) whose recording service talks to a `FakeRecordingCash`. */
export function setupRecording(
  over: Partial<Options> = {},
  views?: CoreMxView[],
  cash?: CashRecordingClient,
) {
  const base = setup(over, views);
  const recordingCash = new FakeRecordingCash();
  const warnings: object[] = [];
  const recordings = new RecordingService({
    records: base.options.records,
    placement: base.options.placement,
    cash: cash ?? recordingCash,
    log: { ...quiet, warn: (data) => warnings.push(data) },
  });
  return { ...base, recordingCash, recordings, warnings };
}
