import {
  HlsPlaybackError,
  HlsPlayer,
  type HlsJsClass,
  type HlsJsConfigLike,
  type HlsJsErrorData,
  type HlsJsLike,
  type HlsVideoLike,
} from './hls-player';
import { tokenOf, withToken } from './hls-url';

const URL_1 = 'http://packager:3401/standup/live/p-1/s-1/playlist.m3u8?token=t1';
const URL_1_RENEWED = 'http://packager:3401/standup/live/p-1/s-1/playlist.m3u8?token=t2';
const URL_2 = 'http://packager:3401/standup/live/p-1/s-2/playlist.m3u8?token=t3';

class FakeVideo implements HlsVideoLike {
  src = '';
  loads = 0;
  readonly listeners = new Set<() => void>();
  constructor(private readonly native: string) {}
  canPlayType(type: string): string {
    return type === 'application/vnd.apple.mpegurl' ? this.native : '';
  }
  removeAttribute(name: string): void {
    if (name === 'src') this.src = '';
  }
  load(): void {
    this.loads++;
  }
  addEventListener(_type: 'error', listener: () => void): void {
    this.listeners.add(listener);
  }
  removeEventListener(_type: 'error', listener: () => void): void {
    this.listeners.delete(listener);
  }
  fail(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

/** A fake hls.js: every instance is kept; `request(url)` is a request as hls.js would make it. */
function fakeHlsJs(supported = true) {
  const instances: FakeHls[] = [];
  class FakeHls implements HlsJsLike {
    static readonly Events = { ERROR: 'hlsError' };
    static readonly ErrorTypes = { NETWORK_ERROR: 'networkError', MEDIA_ERROR: 'mediaError' };
    static isSupported() {
      return supported;
    }
    source: string | undefined;
    media: HlsVideoLike | undefined;
    destroyed = false;
    startLoads = 0;
    mediaRecoveries = 0;
    private readonly handlers = new Map<string, (event: string, data: HlsJsErrorData) => void>();
    constructor(readonly config: HlsJsConfigLike) {
      instances.push(this);
    }
    loadSource(url: string) {
      this.source = url;
    }
    attachMedia(media: HlsVideoLike) {
      this.media = media;
    }
    on(event: string, listener: (event: string, data: HlsJsErrorData) => void) {
      this.handlers.set(event, listener);
    }
    startLoad() {
      this.startLoads++;
    }
    recoverMediaError() {
      this.mediaRecoveries++;
    }
    destroy() {
      this.destroyed = true;
    }
    /** The URL a request for `url` is opened at (through the config's `xhrSetup`). */
    request(url: string): string {
      const opened: string[] = [];
      this.config.xhrSetup({ open: (_method, at) => opened.push(at) }, url);
      return opened[0];
    }
    error(data: HlsJsErrorData) {
      this.handlers.get('hlsError')?.('hlsError', data);
    }
  }
  let loads = 0;
  const load = async () => {
    loads++;
    return FakeHls as unknown as HlsJsClass;
  };
  return { instances, load, loads: () => loads };
}

describe('HLS URLs', () => {
  it('reads and replaces the token query parameter, leaving the rest alone', () => {
    expect(tokenOf(URL_1)).toBe('t1');
    expect(tokenOf('playlist.m3u8')).toBeUndefined();
    expect(withToken('http://p/a/part-3-1.m4s?token=old&x=1', 'new')).toBe(
      'http://p/a/part-3-1.m4s?token=new&x=1',
    );
    expect(withToken('http://p/a/playlist.m3u8?_HLS_msn=4&_HLS_part=2', 't')).toBe(
      'http://p/a/playlist.m3u8?_HLS_msn=4&_HLS_part=2&token=t',
    );
    expect(withToken(URL_1, undefined)).toBe(URL_1);
    expect(withToken('not a url', 't')).toBe('not a url');
  });
});

describe('HlsPlayer', () => {
  it('plays with hls.js in low-latency mode where there is MSE, even when the browser says it has HLS', async () => {
    const hlsjs = fakeHlsJs();
    const video = new FakeVideo('maybe');
    const player = new HlsPlayer(video, { loadHlsJs: hlsjs.load });
    await player.load({ streamId: 's-1', playlistUrl: URL_1 });
    expect(player.mode).toBe('hls.js');
    expect(hlsjs.instances).toHaveLength(1);
    const [hls] = hlsjs.instances;
    expect(hls.config.lowLatencyMode).toBe(true);
    // A late viewer catches up with the live edge instead of keeping its delay.
    expect(hls.config.maxLiveSyncPlaybackRate).toBe(1.5);
    expect(hls.source).toBe(URL_1);
    expect(hls.media).toBe(video);
    expect(video.src).toBe('');
  });

  it('a renewal keeps the one player and puts the newest token into every later request', async () => {
    const hlsjs = fakeHlsJs();
    const player = new HlsPlayer(new FakeVideo(''), { loadHlsJs: hlsjs.load });
    await player.load({ streamId: 's-1', playlistUrl: URL_1 });
    const [hls] = hlsjs.instances;
    expect(hls.request('http://packager:3401/standup/live/p-1/s-1/part-7-2.m4s?token=t1')).toBe(
      'http://packager:3401/standup/live/p-1/s-1/part-7-2.m4s?token=t1',
    );
    await player.load({ streamId: 's-1', playlistUrl: URL_1_RENEWED });
    expect(hlsjs.instances).toHaveLength(1);
    expect(hls.destroyed).toBe(false);
    expect(hlsjs.loads()).toBe(1);
    // URIs the packager wrote with the old token, and blocking reloads, go out with the new one.
    expect(hls.request('http://packager:3401/standup/live/p-1/s-1/part-7-3.m4s?token=t1')).toBe(
      'http://packager:3401/standup/live/p-1/s-1/part-7-3.m4s?token=t2',
    );
    expect(hls.request(`${URL_1}&_HLS_msn=8&_HLS_part=0`)).toBe(
      'http://packager:3401/standup/live/p-1/s-1/playlist.m3u8?token=t2&_HLS_msn=8&_HLS_part=0',
    );
  });

  it('a new stream id (the publisher started over) replaces hls.js; destroy stops it for good', async () => {
    const hlsjs = fakeHlsJs();
    const player = new HlsPlayer(new FakeVideo(''), { loadHlsJs: hlsjs.load });
    await player.load({ streamId: 's-1', playlistUrl: URL_1 });
    await player.load({ streamId: 's-2', playlistUrl: URL_2 });
    expect(hlsjs.instances.map((h) => [h.source, h.destroyed])).toEqual([
      [URL_1, true],
      [URL_2, false],
    ]);
    expect(player.streamId).toBe('s-2');
    player.destroy();
    expect(hlsjs.instances[1].destroyed).toBe(true);
    expect(player.mode).toBeUndefined();
    await player.load({ streamId: 's-3', playlistUrl: URL_1 });
    expect(hlsjs.instances).toHaveLength(2);
  });

  it("uses the browser's HLS without MSE, or when asked to, and restarts it at the newest URL when it fails", async () => {
    const video = new FakeVideo('probably');
    const player = new HlsPlayer(video, { loadHlsJs: fakeHlsJs(false).load });
    await player.load({ streamId: 's-1', playlistUrl: URL_1 });
    expect(player.mode).toBe('native');
    expect(video.src).toBe(URL_1);

    const preferred = fakeHlsJs(true);
    const safari = new FakeVideo('maybe');
    await new HlsPlayer(safari, { loadHlsJs: preferred.load, prefer: 'native' }).load({
      streamId: 's-1',
      playlistUrl: URL_1,
    });
    expect(safari.src).toBe(URL_1);
    expect(preferred.loads()).toBe(0);

    // Renewed: nothing reloads until the browser's player fails (its token expired), then the new URL.
    await player.load({ streamId: 's-1', playlistUrl: URL_1_RENEWED });
    expect(video.src).toBe(URL_1);
    video.fail();
    expect(video.src).toBe(URL_1_RENEWED);
    player.destroy();
    expect(video.src).toBe('');
    expect(video.listeners.size).toBe(0);
  });

  it('says why when nothing here plays HLS, or when the stream is refused or gone', async () => {
    const errors: HlsPlaybackError[] = [];
    const onError = (error: HlsPlaybackError) => errors.push(error);
    await new HlsPlayer(new FakeVideo(''), { loadHlsJs: fakeHlsJs(false).load, onError }).load({
      streamId: 's-1',
      playlistUrl: URL_1,
    });
    const failing = async () => {
      throw new Error('chunk failed');
    };
    await new HlsPlayer(new FakeVideo(''), { loadHlsJs: failing, onError }).load({
      streamId: 's-1',
      playlistUrl: URL_1,
    });
    expect(errors.map((e) => e.code)).toEqual(['sdk.media-unsupported', 'sdk.media-unsupported']);

    const hlsjs = fakeHlsJs();
    const player = new HlsPlayer(new FakeVideo(''), { loadHlsJs: hlsjs.load, onError, maxRecoveries: 2 });
    await player.load({ streamId: 's-1', playlistUrl: URL_1 });
    const [hls] = hlsjs.instances;
    hls.error({ fatal: false, type: 'networkError', details: 'fragLoadError' });
    hls.error({ fatal: true, type: 'networkError', details: 'levelLoadTimeOut' });
    hls.error({ fatal: true, type: 'mediaError', details: 'bufferStalledError' });
    expect([hls.startLoads, hls.mediaRecoveries, hls.destroyed]).toEqual([1, 1, false]);
    hls.error({ fatal: true, type: 'networkError', details: 'levelLoadError', response: { code: 403 } });
    expect(hls.destroyed).toBe(true);
    expect(errors[2]).toBeInstanceOf(HlsPlaybackError);
    expect(errors[2]).toMatchObject({ code: 'sdk.media-failed', status: 403 });

    // The next access (CASH pushes a fresh one) starts it again.
    await player.load({ streamId: 's-1', playlistUrl: URL_1_RENEWED });
    expect(hlsjs.instances).toHaveLength(2);
    expect(hlsjs.instances[1].source).toBe(URL_1_RENEWED);
  });
});
