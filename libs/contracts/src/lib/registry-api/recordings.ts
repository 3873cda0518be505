import type { StreamSource } from '@hoot/domain';
import type { RecordingStopReason } from '../signaling/messages';

/**
 * Recording of a conference's room (issue 18). The same shapes travel on the registry's public API
 * (`POST /v1/conferences/:id/recording`, `GET /v1/conferences/:id/recordings`) and on CASH's service API
 * the registry forwards them to.
 */

/** `POST /v1/conferences/:id/recording`: the owner starts or stops recording the live room. */
export interface RecordingCommandInput {
  action: 'start' | 'stop';
}

/** The answer to a recording command: the recording it started, or the one it stopped. */
export interface RecordingCommandAnswer {
  conferenceId: string;
  recordingId: string;
  state: 'recording' | 'stopped';
  /** ISO 8601. */
  startedAt: string;
  startedBy: string;
  /** ISO 8601, once stopped. */
  stoppedAt?: string;
  stopReason?: RecordingStopReason;
}

/** One publisher stream of a recording, kept as fMP4 segments with a VOD playlist. */
export interface RecordedStream {
  /** The packager's stream id of this recording's copy of the stream. */
  streamId: string;
  participantId: string;
  stream: StreamSource;
  /** ISO 8601. */
  startedAt: string;
  endedAt?: string;
  /** Seconds of media kept. */
  durationS: number;
  bytes: number;
  /** `complete` once its VOD playlist has `EXT-X-ENDLIST`. */
  state: 'recording' | 'complete';
  /** Why it ended early (`storage-full`, `failed`); absent when it ended with the recording or its publisher. */
  stopReason?: RecordingStopReason;
  /**
   * The VOD playlist (`EXT-X-PLAYLIST-TYPE:VOD` once complete) with a viewer token for the caller in its
   * query; the token expires (`playbackExpiresAt`): list again for a fresh one.
   */
  playbackUrl: string;
  playbackExpiresAt: string;
}

/** A recording: every stream kept between a start and its stop. */
export interface RecordingSummary {
  recordingId: string;
  startedAt: string;
  startedBy: string;
  stoppedAt?: string;
  stopReason?: RecordingStopReason;
  streams: RecordedStream[];
}

/** `GET /v1/conferences/:id/recordings` (anyone entitled to join may list and play them). */
export interface RecordingList {
  conferenceId: string;
  recordings: RecordingSummary[];
}
