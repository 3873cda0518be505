import { AudioActivity, peakBlockRms, rms } from './audio-activity';

const POLICY = { speakingLevel: 0.02, holdMs: 500, silenceLevel: 0.0001, silentAfterMs: 2000 };

describe('AudioActivity', () => {
  it('highlights the loudest recent speaker and lets the highlight go after holdMs', () => {
    const a = new AudioActivity(POLICY);
    a.sample('ann', 0.05, 0);
    a.sample('bob', 0.2, 0);
    a.sample('cat', 0.01, 0);
    expect(a.speaking(100).sort()).toEqual(['ann', 'bob']);
    expect(a.activeSpeaker(100)).toBe('bob');
    a.sample('ann', 0.1, 400);
    expect(a.activeSpeaker(600)).toBe('ann');
    expect(a.activeSpeaker(1000)).toBeUndefined();
  });

  it('calls a participant silent only after silentAfterMs of digital silence', () => {
    const a = new AudioActivity(POLICY);
    a.sample('ann', 0, 0);
    expect(a.silent('ann', 1999)).toBe(false);
    expect(a.silent('ann', 2000)).toBe(true);
    a.sample('ann', 0.001, 2100);
    expect(a.silent('ann', 2100)).toBe(false);
    a.sample('ann', 0, 3000);
    expect(a.silent('ann', 4099)).toBe(false);
    expect(a.silent('ann', 4100)).toBe(true);
  });

  it('knows nothing of a participant never sampled or forgotten', () => {
    const a = new AudioActivity(POLICY);
    a.sample('ann', 0, 0);
    a.forget('ann');
    expect(a.silent('ann', 10_000)).toBe(false);
    expect(a.speaking(0)).toEqual([]);
  });
});

describe('peakBlockRms', () => {
  it('finds a short beep (two blocks long) in a long silent window at its own level', () => {
    const window = new Float32Array(32768);
    for (let i = 20_000; i < 22_048; i += 1) window[i] = i % 2 ? 0.4 : -0.4;
    expect(peakBlockRms(window, 1024)).toBeGreaterThan(0.3);
    expect(rms(window)).toBeLessThan(0.15);
    expect(peakBlockRms(new Float32Array(32768))).toBe(0);
  });
});

describe('rms', () => {
  it('is 0 for silence and the amplitude of a square wave', () => {
    expect(rms([])).toBe(0);
    expect(rms([0, 0, 0])).toBe(0);
    expect(rms([0.5, -0.5, 0.5, -0.5])).toBeCloseTo(0.5);
  });
});
