/**
 * The glass-to-glass stamp, run inside the web app's pages as a Playwright init script (plain browser
 * JavaScript: the bench's TypeScript compiles without the DOM library).
 *
 * Publisher (`window.__stampRole = 'publisher'` set by an earlier init script): `getUserMedia` answers a
 * 640×360 canvas captured at 30 fps (`canvas.captureStream(30)`) and a silent oscillator. The canvas is
 * redrawn every 1000/60 ms; each drawing carries `Date.now()` as a stripe of 48 black/white blocks
 * (≈12×43 px each, big enough to survive H.264 at a few hundred kbit/s): 40 bits of the time in ms
 * (modulo 2^40 ≈ 35 years) and a CRC-8 of them. A frame's stamp is therefore at most one drawing
 * (≈16 ms) older than the moment the canvas was captured.
 *
 * Viewer: `__stamp.watch(selector)` follows the `video` element the selector finds (re-found every
 * 100 ms: the app may replace it); on each `requestVideoFrameCallback` it copies the stripe's band of
 * the frame to a small canvas, reads the blocks' brightness, and, if the CRC matches, keeps
 * `Date.now() - stamp` (the same browser, so the same clock). `__stamp.samples(since)` hands them back.
 */
(() => {
  if (window.__stamp) return;
  const BITS = 40;
  const BLOCKS = BITS + 8;
  const WIDTH = 640;
  const HEIGHT = 360;
  // The stripe's band, as fractions of the frame (the encoder may scale the frame down under load).
  const X0 = 0.025;
  const X1 = 0.975;
  const Y0 = 0.05;
  const Y1 = 0.17;
  const MOD = 2 ** BITS;
  const MAX_DELAY_MS = 60_000;

  /** CRC-8 (polynomial 0x07) of the 5 bytes of a 40-bit value. */
  function crc8(value) {
    let crc = 0;
    for (let i = BITS / 8 - 1; i >= 0; i -= 1) {
      crc ^= Math.floor(value / 2 ** (8 * i)) % 256;
      for (let b = 0; b < 8; b += 1) crc = crc & 0x80 ? ((crc << 1) ^ 0x07) & 0xff : (crc << 1) & 0xff;
    }
    return crc;
  }

  /** The 48 bits of a time: its 40 low bits, most significant first, then their CRC-8. */
  function bitsOf(ms) {
    const value = ms % MOD;
    const bits = [];
    for (let i = BITS - 1; i >= 0; i -= 1) bits.push(Math.floor(value / 2 ** i) % 2);
    const crc = crc8(value);
    for (let i = 7; i >= 0; i -= 1) bits.push((crc >> i) & 1);
    return bits;
  }

  /** The 40-bit value of 48 read bits, or undefined when the CRC does not match. */
  function valueOf(bits) {
    let value = 0;
    for (let i = 0; i < BITS; i += 1) value = value * 2 + bits[i];
    let crc = 0;
    for (let i = BITS; i < BLOCKS; i += 1) crc = crc * 2 + bits[i];
    return crc8(value) === crc ? value : undefined;
  }

  function drawStamp(ctx, ms, frame) {
    ctx.fillStyle = '#606060';
    ctx.fillRect(0, 0, WIDTH, HEIGHT);
    // Something that moves, so the picture is not a still (and a viewer's screenshot shows it runs).
    ctx.fillStyle = '#d0a020';
    ctx.fillRect(((frame * 4) % (WIDTH + 80)) - 80, HEIGHT * 0.55, 80, 80);
    ctx.fillStyle = '#ffffff';
    ctx.font = '28px monospace';
    ctx.fillText(new Date(ms).toISOString().slice(11, 23), 20, HEIGHT * 0.4);
    const bits = bitsOf(ms);
    const w = ((X1 - X0) * WIDTH) / BLOCKS;
    const y = Y0 * HEIGHT;
    const h = (Y1 - Y0) * HEIGHT;
    for (let i = 0; i < BLOCKS; i += 1) {
      ctx.fillStyle = bits[i] ? '#ffffff' : '#000000';
      ctx.fillRect(X0 * WIDTH + i * w, y, w, h);
    }
  }

  // Reading: the band is copied to READ_W × READ_H pixels, each block's middle half is averaged.
  const READ_W = BLOCKS * 8;
  const READ_H = 16;

  function readStamp(ctx, source, width, height) {
    ctx.drawImage(source, 0, Y0 * height, width, (Y1 - Y0) * height, 0, 0, READ_W, READ_H);
    const { data } = ctx.getImageData(0, 0, READ_W, READ_H);
    const bits = [];
    // The band spans X0..X1 of the frame's width: block i's middle in the READ_W-wide copy.
    for (let i = 0; i < BLOCKS; i += 1) {
      const left = (X0 + ((i + 0.25) * (X1 - X0)) / BLOCKS) * READ_W;
      const right = (X0 + ((i + 0.75) * (X1 - X0)) / BLOCKS) * READ_W;
      let sum = 0;
      let n = 0;
      for (let y = READ_H / 4; y < (READ_H * 3) / 4; y += 1) {
        for (let x = Math.ceil(left); x < right; x += 1) {
          const p = (y * READ_W + x) * 4;
          sum += data[p] + data[p + 1] + data[p + 2];
          n += 3;
        }
      }
      bits.push(sum / Math.max(n, 1) > 128 ? 1 : 0);
    }
    return valueOf(bits);
  }

  const state = { samples: [], frames: 0, unreadable: 0, drawn: 0, watching: undefined, ahead: [] };

  function startPublisher() {
    const canvas = document.createElement('canvas');
    canvas.width = WIDTH;
    canvas.height = HEIGHT;
    const ctx = canvas.getContext('2d');
    const paint = () => {
      state.drawn += 1;
      drawStamp(ctx, Date.now(), state.drawn);
    };
    paint();
    setInterval(paint, 1000 / 60);
    let audio;
    const audioTrack = () => {
      if (!audio) {
        const context = new AudioContext();
        const oscillator = context.createOscillator();
        const gain = context.createGain();
        gain.gain.value = 0;
        const destination = context.createMediaStreamDestination();
        oscillator.connect(gain).connect(destination);
        oscillator.start();
        audio = destination.stream.getAudioTracks()[0];
      }
      return audio.clone();
    };
    const videoTrack = () => canvas.captureStream(30).getVideoTracks()[0];
    const devices = navigator.mediaDevices;
    // Absent outside a secure context (the self-test's blank page): nothing to replace there.
    if (devices)
      devices.getUserMedia = async (constraints = {}) => {
        const tracks = [];
        if (constraints.video) tracks.push(videoTrack());
        if (constraints.audio) tracks.push(audioTrack());
        return new MediaStream(tracks);
      };
    return { canvas, videoTrack, audioTrack };
  }

  /** Reads the stamp of every frame the element shows from now on. */
  function follow(video) {
    const canvas = document.createElement('canvas');
    canvas.width = READ_W;
    canvas.height = READ_H;
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    const onFrame = (_now, meta) => {
      if (state.watching !== video) return;
      const at = Date.now();
      state.frames += 1;
      const width = meta.width || video.videoWidth;
      const height = meta.height || video.videoHeight;
      const value = width && height ? readStamp(ctx, video, width, height) : undefined;
      const delay = value === undefined ? undefined : (((at - value) % MOD) + MOD) % MOD;
      // A CRC-8 lets 1 garbled band in 256 through, and a black frame reads as 0 with a valid CRC: a
      // delay beyond a minute is such a reading, counted as unreadable.
      if (delay === undefined || delay > MAX_DELAY_MS) state.unreadable += 1;
      else state.samples.push([at, delay]);
      // A player's buffer ahead of what it shows (HLS; a WebRTC element has none), and its playback rate.
      const { buffered } = video;
      if (buffered.length > 0) {
        const ahead = buffered.end(buffered.length - 1) - video.currentTime;
        state.ahead.push([at, Math.round(ahead * 1000), video.playbackRate]);
      }
      video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
  }

  function watch(selector) {
    const look = () => {
      const video = document.querySelector(selector);
      if (video && video !== state.watching) {
        state.watching = video;
        follow(video);
      }
    };
    look();
    setInterval(look, 100);
  }

  /**
   * [receivedAt, delayMs] of the frames read since `since` (Date.now()), [at, bufferAheadMs, playbackRate]
   * of the frames shown since then, and the counters.
   */
  function samples(since = 0) {
    return {
      samples: state.samples.filter(([at]) => at >= since),
      ahead: state.ahead.filter(([at]) => at >= since),
      frames: state.frames,
      unreadable: state.unreadable,
      drawn: state.drawn,
    };
  }

  window.__stamp = { startPublisher, watch, samples, drawStamp, readStamp, bitsOf, valueOf };
  if (window.__stampRole === 'publisher') window.__stamp.publisher = startPublisher();
})();
