import type { HlsStreamAccess } from '@hoot/contracts';
import { SdkError, SdkErrorCode } from '../sdk-error-codes';
import { tokenOf, withToken } from './hls-url';

/*
 * Plays one LL-HLS stream (an `HlsStreamAccess` of a p2m room, or a recording's VOD playlist) into a video
 * element. hls.js (low-latency mode, on Media Source Extensions) where the browser has MSE, else the
 * browser's own HLS (`canPlayType('application/vnd.apple.mpegurl')`: iPhones before MSE came to them).
 * hls.js comes first because it is the player we control: a renewed token is put into every request
 * (`xhrSetup`), the low-latency features (blocking reloads, parts) are used, and Chromium's native HLS
 * (which answers `maybe` since 2025) neither renews tokens nor plays parts. The browser objects are reached
 * through small structural types, so the SDK compiles without the DOM library and specs drive it with fakes.
 */

/** The video element, as far as the player uses it (`HTMLVideoElement` fits). */
export interface HlsVideoLike {
  src: string;
  canPlayType(type: string): string;
  removeAttribute(name: string): void;
  load(): void;
  addEventListener(type: 'error', listener: () => void): void;
  removeEventListener(type: 'error', listener: () => void): void;
}

/** The request hls.js is about to send (`XMLHttpRequest`, not yet open). */
export interface XhrLike {
  open(method: string, url: string, async: boolean): void;
}

export interface HlsJsErrorData {
  fatal?: boolean;
  type?: string;
  details?: string;
  response?: { code?: number };
}

export interface HlsJsConfigLike {
  lowLatencyMode: boolean;
  /** Called before each request is opened: we open it, at the URL with the newest token. */
  xhrSetup(xhr: XhrLike, url: string): void;
  [option: string]: unknown;
}

/** One hls.js instance (`Hls`). */
export interface HlsJsLike {
  loadSource(url: string): void;
  attachMedia(media: HlsVideoLike): void;
  on(event: string, listener: (event: string, data: HlsJsErrorData) => void): void;
  startLoad(): void;
  recoverMediaError(): void;
  destroy(): void;
}

/** The hls.js class (its default export). */
export interface HlsJsClass {
  new (config: HlsJsConfigLike): HlsJsLike;
  isSupported(): boolean;
  readonly Events: { readonly ERROR: string };
  readonly ErrorTypes: { readonly NETWORK_ERROR: string; readonly MEDIA_ERROR: string };
}

export type HlsPlaybackMode = 'hls.js' | 'native';

export const HLS_MIME_TYPE = 'application/vnd.apple.mpegurl';

/** Tunables, each with its reason. */
export const HLS_PLAYER_DEFAULTS = {
  /**
   * Fatal network or media errors hls.js is asked to recover from (reload, media recovery) per stream
   * before the player gives up: a packager restarting or a missed part recovers within a few.
   */
  maxRecoveries: 5,
} as const;

export interface HlsPlayerOptions {
  /**
   * Loads hls.js, only when a stream is to be played with it: the app's to give (e.g.
   * `() => import('hls.js').then((m) => m.default)`, or a separately served module as the web app does). The
   * SDK itself does not depend on hls.js, so what else uses the SDK — the CLI, a Node backend — never
   * installs it.
   */
  loadHlsJs: () => Promise<HlsJsClass>;
  /** `native` plays with the browser's HLS whenever it has one (Safari); default: hls.js whenever MSE. */
  prefer?: HlsPlaybackMode;
  /** More hls.js options (e.g. `liveSyncDurationCount`); `lowLatencyMode` and `xhrSetup` are ours. */
  hlsConfig?: Record<string, unknown>;
  maxRecoveries?: number;
  /** The stream cannot be played (any more): a `HlsPlaybackError`. The player is then stopped. */
  onError?: (error: HlsPlaybackError) => void;
}

/** A stream the player could not play: `sdk.media-unsupported` (no HLS here) or `sdk.media-failed`. */
export class HlsPlaybackError extends SdkError {
  constructor(
    code: SdkErrorCode,
    message: string,
    /** The HTTP status of the request that failed, when one did (403: the token; 404: the stream is gone). */
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

/**
 * One video element's HLS playback. `load(access)` starts a stream; called again with the same
 * `streamId` (a renewed access) it only takes the new token, which every later request carries — one
 * player, no reload; with another `streamId` (the publisher started over) it plays the new stream.
 * `destroy()` stops it (on `hls-ended`, or when the tile goes).
 */
export class HlsPlayer {
  private current: { streamId: string; url: string } | undefined;
  private token: string | undefined;
  private hls: HlsJsLike | undefined;
  private playback: HlsPlaybackMode | undefined;
  private generation = 0;
  private recoveries = 0;
  private destroyed = false;
  private nativeSrc: string | undefined;
  private readonly onNativeError = () => this.nativeFailed();

  constructor(
    private readonly video: HlsVideoLike,
    private readonly options: HlsPlayerOptions,
  ) {}

  /** How the current stream plays (undefined before the first `load` settles, or after `destroy`). */
  get mode(): HlsPlaybackMode | undefined {
    return this.playback;
  }

  /** The stream playing (or loading), if any. */
  get streamId(): string | undefined {
    return this.current?.streamId;
  }

  /** Plays the access's stream, or takes its renewed token (same `streamId`). */
  async load(access: Pick<HlsStreamAccess, 'streamId' | 'playlistUrl'>): Promise<void> {
    if (this.destroyed) return;
    this.token = tokenOf(access.playlistUrl) ?? this.token;
    if (this.current?.streamId === access.streamId) {
      this.current.url = access.playlistUrl;
      return;
    }
    this.stop();
    this.current = { streamId: access.streamId, url: access.playlistUrl };
    this.recoveries = 0;
    const generation = ++this.generation;
    try {
      await this.start(access.playlistUrl, generation);
    } catch (error) {
      if (generation !== this.generation) return;
      this.fail(
        error instanceof HlsPlaybackError
          ? error
          : new HlsPlaybackError(
              SdkErrorCode.MediaFailed,
              'The live stream could not be played.',
              undefined,
              {
                cause: error,
              },
            ),
      );
    }
  }

  /** Plays a recording's VOD playlist (a URL with its token): `load` with the URL as its own stream. */
  loadUrl(playlistUrl: string): Promise<void> {
    return this.load({ streamId: playlistUrl, playlistUrl });
  }

  /** Stops playing and lets the video element go; `load` does nothing afterwards. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.stop();
    this.current = undefined;
  }

  private async start(url: string, generation: number): Promise<void> {
    const native = this.video.canPlayType(HLS_MIME_TYPE) !== '';
    if (!(native && this.options.prefer === 'native')) {
      const Hls = await this.options.loadHlsJs().catch((error: unknown) => {
        if (native) return undefined;
        throw new HlsPlaybackError(
          SdkErrorCode.MediaUnsupported,
          'The HLS player could not be loaded.',
          undefined,
          {
            cause: error,
          },
        );
      });
      if (generation !== this.generation) return;
      if (Hls?.isSupported()) return this.startHlsJs(Hls, url);
    }
    if (!native)
      throw new HlsPlaybackError(SdkErrorCode.MediaUnsupported, 'This browser cannot play live HLS streams.');
    this.playback = 'native';
    this.nativeSrc = url;
    this.video.addEventListener('error', this.onNativeError);
    this.video.src = url;
  }

  private startHlsJs(Hls: HlsJsClass, url: string): void {
    const hls = new Hls({
      // A viewer that starts (or falls) behind the live edge plays up to 1.5× until it is back at the target
      // latency (PART-HOLD-BACK): at 1× (hls.js's default) it keeps the delay it started with — measured by
      // bench/hls/glass-to-glass.bench.ts, a late starter stayed 1–1.5 s further back for good.
      maxLiveSyncPlaybackRate: 1.5,
      ...this.options.hlsConfig,
      lowLatencyMode: true,
      // Every request (playlist reloads, parts, segments) goes out with the newest token.
      xhrSetup: (xhr, requestUrl) => xhr.open('GET', withToken(requestUrl, this.token), true),
    });
    this.hls = hls;
    this.playback = 'hls.js';
    hls.on(Hls.Events.ERROR, (_event, data) => {
      if (this.hls !== hls || !data.fatal) return;
      const max = this.options.maxRecoveries ?? HLS_PLAYER_DEFAULTS.maxRecoveries;
      const status = data.response?.code;
      // 403 and 404 will not change by asking again: the token is refused, or the stream is gone.
      const hopeless = status === 403 || status === 404;
      if (!hopeless && this.recoveries < max && data.type === Hls.ErrorTypes.NETWORK_ERROR) {
        this.recoveries++;
        return hls.startLoad();
      }
      if (!hopeless && this.recoveries < max && data.type === Hls.ErrorTypes.MEDIA_ERROR) {
        this.recoveries++;
        return hls.recoverMediaError();
      }
      this.fail(
        new HlsPlaybackError(
          SdkErrorCode.MediaFailed,
          `The live stream stopped (${data.details ?? data.type ?? 'error'}${status ? `, HTTP ${status}` : ''}).`,
          status || undefined,
        ),
      );
    });
    hls.loadSource(withToken(url, this.token));
    hls.attachMedia(this.video);
  }

  /**
   * The browser's own player cannot be given a new token per request: when it fails (an expired token
   * among others) it starts again at the newest URL, once per renewal; a failure on the newest URL is final.
   */
  private nativeFailed(): void {
    const latest = this.current?.url;
    if (this.playback !== 'native' || !latest) return;
    if (latest !== this.nativeSrc) {
      this.nativeSrc = latest;
      this.video.src = latest;
      return;
    }
    this.fail(new HlsPlaybackError(SdkErrorCode.MediaFailed, 'The live stream stopped.'));
  }

  /** Stops, and forgets the stream: the next `load` (a renewed access too) starts it again. */
  private fail(error: HlsPlaybackError): void {
    this.stop();
    this.current = undefined;
    this.options.onError?.(error);
  }

  private stop(): void {
    this.generation++;
    const hls = this.hls;
    this.hls = undefined;
    hls?.destroy();
    if (this.playback === 'native') {
      this.video.removeEventListener('error', this.onNativeError);
      this.video.removeAttribute('src');
      this.video.load();
    }
    this.playback = undefined;
    this.nativeSrc = undefined;
  }
}
