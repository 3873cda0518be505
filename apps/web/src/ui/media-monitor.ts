import { AudioActivity, peakBlockRms } from '../lib/audio-activity';
import { isDarkFrame } from '../lib/media-signals';

/** What the monitor reads from one participant's media. */
export interface MediaSignals {
  /** The highlighted speaker (loudest recent), if anyone speaks. */
  activeSpeaker?: string;
  /** Participants whose audio is digital silence (muted at the sender). */
  silent: Set<string>;
  /** Participants whose video shows black frames or none (camera off at the sender). */
  dark: Set<string>;
}

/** How often levels and frames are read. */
const AUDIO_EVERY_MS = 200;
const VIDEO_EVERY_TICKS = 5;
const FRAME_SIZE = { width: 16, height: 9 };

interface Followed {
  source?: MediaStreamAudioSourceNode;
  analyser?: AnalyserNode;
  stream: MediaStream;
  video: HTMLVideoElement;
  data?: Float32Array<ArrayBuffer>;
  dark: boolean;
}

/**
 * Reads audio levels (WebAudio `AnalyserNode` on each stream) and samples video frames (a 16×9 canvas)
 * of the participants the room screen shows, and reports who speaks, who is silent and whose picture
 * is black. The decisions are `AudioActivity` and `isDarkFrame` (pure, with specs).
 */
export class MediaMonitor {
  private readonly activity = new AudioActivity();
  private readonly followed = new Map<string, Followed>();
  private context: AudioContext | undefined;
  private readonly canvas = document.createElement('canvas');
  private readonly timer: number;
  private ticks = 0;
  private last = '';

  constructor(private readonly onChange: (signals: MediaSignals) => void) {
    this.canvas.width = FRAME_SIZE.width;
    this.canvas.height = FRAME_SIZE.height;
    this.timer = window.setInterval(() => this.tick(), AUDIO_EVERY_MS);
  }

  /** Follows (or stops following, `stream` undefined) one participant's stream shown in `video`. */
  follow(participantId: string, stream: MediaStream | undefined, video: HTMLVideoElement): void {
    const current = this.followed.get(participantId);
    if (current && current.stream === stream && current.video === video) return;
    this.unfollow(participantId);
    if (!stream) return;
    const entry: Followed = { stream, video, dark: false };
    if (stream.getAudioTracks().length > 0 && typeof AudioContext !== 'undefined') {
      try {
        this.context ??= new AudioContext();
        void this.context.resume().catch(() => undefined);
        entry.source = this.context.createMediaStreamSource(stream);
        entry.analyser = this.context.createAnalyser();
        // The largest window (~0.7 s at 48 kHz): longer than any pause between the beeps of a fake
        // microphone, so a live one is never taken for a muted one between two readings.
        entry.analyser.fftSize = 32768;
        entry.source.connect(entry.analyser);
        entry.data = new Float32Array(entry.analyser.fftSize);
      } catch {
        // No WebAudio for this stream: no level, no highlight.
      }
    }
    this.followed.set(participantId, entry);
  }

  unfollow(participantId: string): void {
    const entry = this.followed.get(participantId);
    if (!entry) return;
    entry.source?.disconnect();
    this.followed.delete(participantId);
    this.activity.forget(participantId);
  }

  close(): void {
    window.clearInterval(this.timer);
    for (const id of [...this.followed.keys()]) this.unfollow(id);
    void this.context?.close().catch(() => undefined);
    this.context = undefined;
  }

  private tick(): void {
    const now = performance.now();
    this.ticks += 1;
    const sampleVideo = this.ticks % VIDEO_EVERY_TICKS === 0;
    for (const [id, entry] of this.followed) {
      if (entry.analyser && entry.data) {
        entry.analyser.getFloatTimeDomainData(entry.data);
        this.activity.sample(id, peakBlockRms(entry.data), now);
      }
      if (sampleVideo) entry.dark = this.isDark(entry);
    }
    const signals: MediaSignals = {
      activeSpeaker: this.activity.activeSpeaker(now),
      silent: new Set([...this.followed.keys()].filter((id) => this.activity.silent(id, now))),
      dark: new Set([...this.followed].filter(([, e]) => e.dark).map(([id]) => id)),
    };
    const text = JSON.stringify([signals.activeSpeaker, [...signals.silent], [...signals.dark]]);
    if (text === this.last) return;
    this.last = text;
    this.onChange(signals);
  }

  /** A camera turned off at the sender sends black frames: sample the picture shown. */
  private isDark(entry: Followed): boolean {
    if (entry.stream.getVideoTracks().length === 0) return false;
    const { video } = entry;
    // No picture yet: the avatar until one comes.
    if (video.readyState < 2 || video.videoWidth === 0) return true;
    const g = this.canvas.getContext('2d', { willReadFrequently: true });
    if (!g) return false;
    g.drawImage(video, 0, 0, FRAME_SIZE.width, FRAME_SIZE.height);
    return isDarkFrame(g.getImageData(0, 0, FRAME_SIZE.width, FRAME_SIZE.height).data);
  }
}
