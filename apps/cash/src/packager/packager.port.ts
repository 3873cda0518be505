/**
 * What CASH asks of its CoreMX's packager (apps/packager README, "Control API"): a stream per published
 * stream that goes out as HLS (p2m) or is recorded, the media server's RTP answer, recording on and off,
 * the stream's state (CASH polls it while recording: a full volume ends the recording) and the recordings
 * kept on its volume. `HttpPackagerClient` speaks it over HTTP; specs use `FakePackager`.
 */
import type { CashError } from '../cash-error';

export interface PackagerStreamInput {
  conferenceId: string;
  /** The URL's stage segment (`[a-z0-9][a-z0-9-]{0,63}`: the conference id). */
  stage: string;
  /** The URL's user segment: the publisher's participant id (`.screen` appended for a shared screen). */
  userId: string;
  /** What the stream carries (default both): a screen is video only, an a2m room audio only. */
  kinds?: ('audio' | 'video')[];
  /** False: recording only (its live viewer routes answer 404). Default true. */
  live?: boolean;
}

export interface PackagerStream {
  streamId: string;
  /** `/{stage}/live/{userId}/{streamId}/playlist.m3u8` (joined to the public URL for viewers). */
  playlistPath: string;
  /** Receive-only RTP/AVP offer for the media server's RtpEndpoint. */
  sdpOffer: string;
}

export interface PackagerStreamState {
  streamId: string;
  state: string;
  recording?: {
    recordingId: string;
    state: 'recording' | 'complete';
    stopReason?: 'storage-full' | 'failed';
  };
}

/** One recorded stream as the packager keeps it on its volume (`GET /v1/recordings`). */
export interface PackagerRecordedStream {
  recordingId: string;
  conferenceId: string;
  streamId: string;
  stage: string;
  userId: string;
  startedAt: string;
  endedAt?: string;
  durationS: number;
  bytes: number;
  state: 'recording' | 'complete';
  stopReason?: 'storage-full' | 'failed';
  /** `/recordings/{conferenceId}/{recordingId}/{streamId}/playlist.m3u8`. */
  playlistPath: string;
}

/**
 * Every call is bounded in time and rejects only with a `PackagerError` (a `CashError`: the packager's
 * recording codes become CASH's, anything else `RECORDING_UNAVAILABLE`).
 */
export interface PackagerPort {
  startStream(input: PackagerStreamInput): Promise<PackagerStream>;
  /** The RtpEndpoint's answer to the stream's offer (where to send keyframe requests). */
  rtpAnswer(streamId: string, sdpAnswer: string): Promise<void>;
  /** Ends the stream (its playlist gets `EXT-X-ENDLIST`, its recording completes); a gone stream resolves. */
  stopStream(streamId: string): Promise<void>;
  /** The stream's state, or undefined when the packager does not know it. */
  getStream(streamId: string): Promise<PackagerStreamState | undefined>;
  startRecording(streamId: string, recordingId: string): Promise<void>;
  stopRecording(streamId: string): Promise<void>;
  listRecordings(conferenceId: string): Promise<PackagerRecordedStream[]>;
}

/** A failed packager call: `status` and `packagerCode` when the packager answered. */
export interface PackagerFailure extends CashError {
  readonly status?: number;
  readonly packagerCode?: string;
}
