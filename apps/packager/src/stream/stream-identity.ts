import type { MediaKind } from './rtp-sdp';

/** Who and what a live stream is (its recordings are kept under these ids). */
export interface LiveStreamIdentity {
  streamId: string;
  conferenceId: string;
  stage: string;
  userId: string;
  /** What it carries (the SDP offer has a media section for each). */
  kinds: MediaKind[];
  /** false: recording only, no viewer routes. */
  live: boolean;
}
