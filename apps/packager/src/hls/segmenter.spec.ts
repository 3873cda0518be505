import { parseFragment, parseInit } from '../fmp4/fmp4-parser';
import { buildFragment, SyntheticStream } from '../testing/fmp4-builder';
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
});
