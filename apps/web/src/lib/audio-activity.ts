/**
 * Who is speaking and whose microphone is silent, from audio levels the room screen samples (WebAudio
 * `AnalyserNode` RMS, 0..1, per participant). Pure: the caller passes the time.
 *
 * A microphone that is muted at the sender (track disabled) sends digital silence: its level is exactly
 * 0, while a live microphone always carries some noise (and the fake devices of the specs beep every
 * half second). So "no level above `silenceLevel` for `silentAfterMs`" is taken as muted.
 */
export interface AudioActivityPolicy {
  /** RMS above which a participant counts as speaking (quiet speech is ~0.02–0.05). */
  speakingLevel: number;
  /** A speaker stays highlighted this long after the last loud sample, so the highlight does not flicker. */
  holdMs: number;
  /** RMS at or below which a sample is digital silence (a disabled track). */
  silenceLevel: number;
  /** Silence this long counts as a muted microphone (longer than any pause between fake-device beeps). */
  silentAfterMs: number;
}

export const AUDIO_ACTIVITY_DEFAULTS: AudioActivityPolicy = {
  speakingLevel: 0.015,
  holdMs: 800,
  silenceLevel: 0.0001,
  silentAfterMs: 2000,
};

interface Track {
  since: number;
  lastSound?: number;
  lastLoud?: number;
  loudLevel: number;
}

export class AudioActivity {
  private readonly tracks = new Map<string, Track>();

  constructor(private readonly policy: AudioActivityPolicy = AUDIO_ACTIVITY_DEFAULTS) {}

  /** One level reading of a participant's audio at `now`. */
  sample(participantId: string, level: number, now: number): void {
    let track = this.tracks.get(participantId);
    if (!track) {
      track = { since: now, loudLevel: 0 };
      this.tracks.set(participantId, track);
    }
    if (level > this.policy.silenceLevel) track.lastSound = now;
    if (level >= this.policy.speakingLevel) {
      track.lastLoud = now;
      track.loudLevel = level;
    }
  }

  /** Stops following a participant (left, or its audio is gone). */
  forget(participantId: string): void {
    this.tracks.delete(participantId);
  }

  /** True while the participant's audio has been digital silence for `silentAfterMs`. */
  silent(participantId: string, now: number): boolean {
    const track = this.tracks.get(participantId);
    if (!track) return false;
    const from = track.lastSound ?? track.since;
    return now - from >= this.policy.silentAfterMs;
  }

  /** Everyone loud within `holdMs`. */
  speaking(now: number): string[] {
    return [...this.tracks]
      .filter(([, t]) => t.lastLoud !== undefined && now - t.lastLoud <= this.policy.holdMs)
      .map(([id]) => id);
  }

  /** The loudest of those speaking (the one highlighted), or undefined when nobody speaks. */
  activeSpeaker(now: number): string | undefined {
    let best: string | undefined;
    let level = -1;
    for (const id of this.speaking(now)) {
      const t = this.tracks.get(id)!;
      if (t.loudLevel > level) {
        best = id;
        level = t.loudLevel;
      }
    }
    return best;
  }
}

/**
 * The loudest stretch of a window: the highest RMS over blocks of `block` samples. Over a window longer
 * than the pauses of the sound (the analyser keeps ~0.7 s) a short sound is never missed, and is not
 * diluted by the silence around it as one RMS over the whole window would be.
 */
export function peakBlockRms(samples: ArrayLike<number>, block = 1024): number {
  let peak = 0;
  for (let start = 0; start < samples.length; start += block) {
    const end = Math.min(samples.length, start + block);
    let sum = 0;
    for (let i = start; i < end; i += 1) sum += samples[i] * samples[i];
    peak = Math.max(peak, Math.sqrt(sum / (end - start)));
  }
  return peak;
}

/** Root mean square of a block of samples (-1..1), as an `AnalyserNode`'s time-domain data gives. */
export function rms(samples: ArrayLike<number>): number {
  if (samples.length === 0) return 0;
  let sum = 0;
  for (let i = 0; i < samples.length; i += 1) sum += samples[i] * samples[i];
  return Math.sqrt(sum / samples.length);
}
