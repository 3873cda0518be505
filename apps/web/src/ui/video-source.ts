import { loadHlsFromPage } from './hls-loader';
import { HlsPlayer, type HlsPlaybackError, type HlsStreamAccess, type MediaStreamLike } from '@hoot/sdk';

/** What a video element shows: a WebRTC stream, or (p2m viewers) a live LL-HLS stream. */
export interface VideoSourceOf {
  stream?: MediaStreamLike;
  hls?: HlsStreamAccess;
}

/**
 * One video element's source, WebRTC or LL-HLS. A WebRTC stream goes into `srcObject`; an HLS access into
 * an `HlsPlayer` kept for as long as the element shows HLS, so a renewed access (a fresh token, same
 * stream id) reaches the same player and playback never restarts; a new stream id loads the new stream.
 * While it plays HLS the element carries `data-hls="true"`. `play` is called whenever there is something
 * new to play (the caller decides what to do when the browser refuses sound).
 */
export class VideoSource {
  private stream: MediaStreamLike | undefined;
  private player: HlsPlayer | undefined;
  private access: HlsStreamAccess | undefined;

  constructor(
    readonly video: HTMLVideoElement,
    private readonly options: { play(video: HTMLVideoElement): void; onError(error: HlsPlaybackError): void },
  ) {}

  /** Whether it shows HLS now. */
  get isHls(): boolean {
    return this.player !== undefined;
  }

  /** Whether it shows anything. */
  get active(): boolean {
    return this.player !== undefined || this.stream !== undefined;
  }

  show(source: VideoSourceOf): void {
    if (source.hls) return this.showHls(source.hls);
    this.stopHls();
    if (this.stream === source.stream) return;
    this.stream = source.stream;
    this.video.srcObject = (source.stream as MediaStream | undefined) ?? null;
    if (source.stream) this.options.play(this.video);
  }

  /** Lets go of everything (the tile goes, the room is over). */
  clear(): void {
    this.stopHls();
    this.stream = undefined;
    this.video.srcObject = null;
  }

  private showHls(access: HlsStreamAccess): void {
    if (this.stream) {
      this.stream = undefined;
      this.video.srcObject = null;
    }
    if (!this.player) {
      this.player = new HlsPlayer(this.video, {
        loadHlsJs: loadHlsFromPage,
        onError: (error) => this.options.onError(error),
      });
      this.video.setAttribute('data-hls', 'true');
    }
    if (this.access === access) return;
    const fresh = this.access?.streamId !== access.streamId;
    this.access = access;
    const player = this.player;
    void player.load(access).then(() => {
      if (fresh && this.player === player) this.options.play(this.video);
    });
  }

  private stopHls(): void {
    if (!this.player) return;
    this.player.destroy();
    this.player = undefined;
    this.access = undefined;
    this.video.removeAttribute('data-hls');
  }
}
