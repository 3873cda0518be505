import { parseFragment, parseInit } from '../fmp4/fmp4-parser';
import { buildFragment, buildInit, SyntheticStream } from '../testing/fmp4-builder';
import { Segmenter, type SegmenterOptions } from './segmenter';

const OPTIONS: SegmenterOptions = {
  segmentTargetS: 2,
  partTargetS: 0.334,
  targetDurationS: 2,
  windowSegments: 4,
  now: () => 1_800_000_000_000,
};

function feed(
  segmenter: Segmenter,
  stream: SyntheticStream,
  frames: number,
  keyframeAt?: (i: number) => boolean,
) {
  const info = parseInit(stream.init);
  if (!segmenter.init) segmenter.onInit(stream.init, info);
  for (let i = 0; i < frames; i += 1) {
    const fragment = stream.next(keyframeAt?.(i));
    segmenter.onFragment(fragment, parseFragment(fragment, info));
  }
}

const allParts = (s: Segmenter) => [...s.segments, ...(s.open ? [s.open] : [])].flatMap((seg) => seg.parts);

describe('Segmenter', () => {
  it('publishes nothing before the first keyframe', () => {
    const segmenter = new Segmenter(OPTIONS);
    feed(segmenter, new SyntheticStream(30, 30), 5, () => false);
    expect(segmenter.open).toBeUndefined();
    expect(segmenter.droppedBeforeKeyframe).toBe(5);
    expect(segmenter.nextPart).toEqual({ msn: 0, index: 0 });
  });

  it('cuts 30 fps with a 1 s GOP into 2 s segments of six 0.333 s parts, each segment led by a keyframe part', () => {
    const segmenter = new Segmenter(OPTIONS);
    feed(segmenter, new SyntheticStream(30, 30), 60 * 3 + 1);
    expect(segmenter.segments.map((s) => [s.msn, s.duration, s.parts.length])).toEqual([
      [0, 2, 6],
      [1, 2, 6],
      [2, 2, 6],
    ]);
    for (const segment of segmenter.segments) {
      expect(segment.parts[0].independent).toBe(true);
      expect(segment.parts.map((p) => p.duration.toFixed(5))).toEqual(Array(6).fill('0.33333'));
      expect(segment.bytes).toEqual(Buffer.concat(segment.parts.map((p) => p.bytes)));
    }
  });

  it('keeps every part within PART-TARGET and at least 85 % of it (but a segment’s last) at 25 fps and with jitter', () => {
    for (const fps of [24, 25, 29.97, 30, 50, 60]) {
      const segmenter = new Segmenter({ ...OPTIONS, windowSegments: 100 });
      feed(segmenter, new SyntheticStream(fps, Math.round(fps)), Math.round(fps * 10));
      const parts = segmenter.segments.flatMap((segment) =>
        segment.parts.map((part, i) => ({
          ...part,
          exempt: part.independent || i === segment.parts.length - 1,
        })),
      );
      expect(parts.length).toBeGreaterThan(20);
      for (const part of parts) expect(part.duration).toBeLessThanOrEqual(OPTIONS.partTargetS);
      const short = parts.filter((p) => !p.exempt && p.duration < 0.85 * OPTIONS.partTargetS);
      expect({ fps, short }).toEqual({ fps, short: [] });
    }
  });

  it('keeps a bounded window: older segments are dropped and the media sequence advances', () => {
    const segmenter = new Segmenter(OPTIONS);
    feed(segmenter, new SyntheticStream(30, 30), 60 * 10 + 10);
    expect(segmenter.segments).toHaveLength(4);
    expect(segmenter.mediaSequence).toBe(6);
    expect(segmenter.findSegment(5)).toBeUndefined();
    expect(segmenter.findSegment(9)?.msn).toBe(9);
    expect(segmenter.findPart(5, 0)).toBeUndefined();
    expect(segmenter.findPart(10, 0)?.independent).toBe(true);
  });

  it('cuts a segment without a keyframe before its duration would round above the target duration', () => {
    const segmenter = new Segmenter({ ...OPTIONS, windowSegments: 100 });
    feed(segmenter, new SyntheticStream(30, 300), 300); // one keyframe in 10 s
    expect(segmenter.segments.length).toBeGreaterThanOrEqual(3);
    for (const segment of segmenter.segments) {
      expect(Math.round(segment.duration)).toBeLessThanOrEqual(OPTIONS.targetDurationS);
    }
    expect(segmenter.segments[0].parts[0].independent).toBe(true);
    expect(segmenter.segments[1].parts[0].independent).toBe(false);
  });

  it('ends: the pending part is published, the segment closed, no further change', () => {
    const segmenter = new Segmenter(OPTIONS);
    const events: string[] = [];
    segmenter.subscribe((e) => events.push(e));
    const stream = new SyntheticStream(30, 30);
    feed(segmenter, stream, 75);
    segmenter.end();
    expect(segmenter.ended).toBe(true);
    expect(segmenter.open).toBeUndefined();
    expect(segmenter.segments.map((s) => s.duration.toFixed(3))).toEqual(['2.000', '0.500']);
    expect(events.at(-1)).toBe('end');
    feed(segmenter, stream, 30);
    expect(segmenter.segments).toHaveLength(2);
  });

  it('leaves fragments without video samples in the part that follows, and never publishes an empty part', () => {
    const segmenter = new Segmenter(OPTIONS);
    const stream = new SyntheticStream(30, 30);
    feed(segmenter, stream, 1);
    const info = parseInit(stream.init);
    const audioOnly = buildFragment(99, [
      { trackId: 2, baseMediaDecodeTime: 0, durations: [1024], firstIsSync: true },
    ]);
    for (let i = 0; i < 20; i += 1) segmenter.onFragment(audioOnly, parseFragment(audioOnly, info));
    expect(allParts(segmenter).every((p) => p.duration > 0)).toBe(true);
  });

  it('cuts an audio-only stream by duration: segments up to the target, every part independent, no sync flag needed', () => {
    const segmenter = new Segmenter({ ...OPTIONS, windowSegments: 100 });
    const init = buildInit([{ id: 1, handler: 'soun', timescale: 48_000 }]);
    const info = parseInit(init);
    segmenter.onInit(init, info);
    // ffmpeg's audio-only fragments: two 1024-sample AAC frames each, flagged non-sync like video P-frames.
    const frame = 1024;
    for (let i = 0; i < 400; i += 1) {
      const fragment = buildFragment(i + 1, [
        { trackId: 1, baseMediaDecodeTime: i * 2 * frame, durations: [frame, frame], firstIsSync: false },
      ]);
      segmenter.onFragment(fragment, parseFragment(fragment, info));
    }
    expect(segmenter.audioOnly).toBe(true);
    expect(segmenter.droppedBeforeKeyframe).toBe(0);
    expect(segmenter.segments.length).toBeGreaterThanOrEqual(7);
    for (const segment of segmenter.segments) {
      expect(segment.duration).toBeLessThanOrEqual(2);
      expect(segment.duration).toBeGreaterThan(2 - (2 * frame) / 48_000);
      for (const part of segment.parts) {
        expect(part.independent).toBe(true);
        expect(part.duration).toBeLessThanOrEqual(0.334);
      }
    }
  });

  it('cuts a video-only stream like an A/V one: at keyframes', () => {
    const segmenter = new Segmenter(OPTIONS);
    const init = buildInit([{ id: 1, handler: 'vide', timescale: 90_000 }]);
    const info = parseInit(init);
    segmenter.onInit(init, info);
    for (let i = 0; i < 181; i += 1) {
      const fragment = buildFragment(i + 1, [
        { trackId: 1, baseMediaDecodeTime: i * 3000, durations: [3000], firstIsSync: i % 30 === 0 },
      ]);
      segmenter.onFragment(fragment, parseFragment(fragment, info));
    }
    expect(segmenter.audioOnly).toBe(false);
    expect(segmenter.segments.map((s) => [s.duration, s.parts[0].independent])).toEqual([
      [2, true],
      [2, true],
      [2, true],
    ]);
  });
});
