import type { HlsStreamAccess, MediaLinkReport, MediaRecoveries, MediaSession } from '@hoot/sdk';

/** Read by the end-to-end specs: totals over the receiving connections of the current room. */
export interface HootDebug {
  inboundVideoFramesDecoded(): Promise<number>;
  inboundAudioPacketsReceived(): Promise<number>;
  /** Video frames the tile of one participant has decoded from its stream (0 without such a tile). */
  inboundVideoFramesDecodedFrom(participantId: string): number;
  /** Video frames the stage has decoded from one participant's shared screen (0 without it). */
  screenFramesDecodedFrom(participantId: string): number;
  /**
   * Video frames one participant's tile has decoded from its LL-HLS stream (p2m viewers; 0 while the
   * tile does not play HLS).
   */
  hlsFramesDecodedFrom(participantId: string): number;
  /** Video frames the recordings panel's player has decoded (0 while it plays nothing). */
  recordingFramesDecoded(): number;
  /** The LL-HLS streams the page plays instead of WebRTC (`MediaSession.playingHls()`). */
  hlsAccesses(): HlsStreamAccess[];
  /** Each media connection as the SDK's health check last saw it (logged by the specs when media stalls). */
  mediaLinks(): MediaLinkReport[];
  /** How often the SDK rebuilt a connection or retried a publish. */
  mediaRecoveries(): MediaRecoveries;
}

let current: MediaSession | undefined;

/** Points `window.hootDebug` at a room's media (undefined: no room, both read 0). */
export function installDebug(media: MediaSession | undefined): void {
  current = media;
  const debug: HootDebug = {
    inboundVideoFramesDecoded: async () => (current ? (await current.inboundStats()).videoFramesDecoded : 0),
    inboundAudioPacketsReceived: async () =>
      current ? (await current.inboundStats()).audioPacketsReceived : 0,
    inboundVideoFramesDecodedFrom: (participantId) => {
      const video = document.querySelector<HTMLVideoElement>(
        `[data-testid="tile"][data-participant-id="${CSS.escape(participantId)}"] video`,
      );
      return current && video?.srcObject ? video.getVideoPlaybackQuality().totalVideoFrames : 0;
    },
    screenFramesDecodedFrom: (participantId) => {
      const video = document.querySelector<HTMLVideoElement>(
        `[data-testid="screen-share"][data-participant-id="${CSS.escape(participantId)}"] video`,
      );
      return current && video?.srcObject ? video.getVideoPlaybackQuality().totalVideoFrames : 0;
    },
    hlsFramesDecodedFrom: (participantId) => {
      const video = document.querySelector<HTMLVideoElement>(
        `[data-testid="tile"][data-participant-id="${CSS.escape(participantId)}"] video[data-hls="true"]`,
      );
      return current && video ? video.getVideoPlaybackQuality().totalVideoFrames : 0;
    },
    recordingFramesDecoded: () => {
      const video = document.querySelector<HTMLVideoElement>(
        '[data-testid="recording-player"]:not([hidden]) video[data-hls="true"]',
      );
      return video ? video.getVideoPlaybackQuality().totalVideoFrames : 0;
    },
    hlsAccesses: () => current?.playingHls() ?? [],
    mediaLinks: () => current?.links() ?? [],
    mediaRecoveries: () => current?.recovered() ?? { resubscribed: 0, republished: 0, publishRetries: 0 },
  };
  (window as unknown as { hootDebug: HootDebug }).hootDebug = debug;
}
