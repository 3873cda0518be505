import { parseFragment, parseInit } from '../fmp4/fmp4-parser';
import { SyntheticStream } from '../testing/fmp4-builder';
import { isSatisfied, isTooFarAhead, parseReloadRequest } from './blocking-reload';
import { Segmenter } from './segmenter';

function segmenterAt(frames: number): Segmenter {
  const segmenter = new Segmenter({
    segmentTargetS: 2,
    partTargetS: 0.334,
    targetDurationS: 2,
    windowSegments: 6,
  });
  const stream = new SyntheticStream(30, 30);
  const info = parseInit(stream.init);
  segmenter.onInit(stream.init, info);
  for (let i = 0; i < frames; i += 1) {
    const f = stream.next();
    segmenter.onFragment(f, parseFragment(f, info));
  }
  return segmenter;
}

describe('blocking playlist reload (RFC 8216bis §6.2.5.2)', () => {
  it('parses the delivery directives', () => {
    expect(parseReloadRequest(new URLSearchParams(''))).toEqual({ ok: true });
    expect(parseReloadRequest(new URLSearchParams('_HLS_msn=4'))).toEqual({ ok: true, request: { msn: 4 } });
    expect(parseReloadRequest(new URLSearchParams('_HLS_msn=4&_HLS_part=0'))).toEqual({
      ok: true,
      request: { msn: 4, part: 0 },
    });
  });

  it.each([
    '_HLS_part=1',
    '_HLS_msn=-1',
    '_HLS_msn=1.5',
    '_HLS_msn=x',
    '_HLS_msn=',
    '_HLS_msn=01',
    '_HLS_msn=2&_HLS_part=a',
    '_HLS_msn=99999999999999999',
  ])('refuses %s', (query) => {
    expect(parseReloadRequest(new URLSearchParams(query)).ok).toBe(false);
  });

  // 90 frames at 30 fps: segment 0 complete (2 s), segment 1 open with parts 0..2 (1 s).
  const segmenter = segmenterAt(90);

  it('is satisfied by a complete segment, by a part that exists, or by anything later', () => {
    expect(segmenter.segments.map((s) => s.msn)).toEqual([0]);
    expect(segmenter.open?.parts.length).toBe(3);
    expect(isSatisfied(segmenter, { msn: 0 })).toBe(true);
    expect(isSatisfied(segmenter, { msn: 1 })).toBe(false);
    expect(isSatisfied(segmenter, { msn: 1, part: 2 })).toBe(true);
    expect(isSatisfied(segmenter, { msn: 1, part: 3 })).toBe(false);
    expect(isSatisfied(segmenter, { msn: 0, part: 9 })).toBe(true);
    expect(isSatisfied(segmenter, { msn: 2, part: 0 })).toBe(false);
  });

  it('holds a part past the end of a segment just closed until the next segment has its first part', () => {
    const closed = segmenterAt(61); // the keyframe of frame 60 closed segment 0 (6 parts); segment 1 has none yet
    expect(closed.segments.map((s) => s.parts.length)).toEqual([6]);
    expect(closed.open?.parts.length).toBe(0);
    expect(isSatisfied(closed, { msn: 0 })).toBe(true);
    expect(isSatisfied(closed, { msn: 0, part: 5 })).toBe(true);
    expect(isSatisfied(closed, { msn: 0, part: 6 })).toBe(false);
    expect(isSatisfied(closed, { msn: 1, part: 0 })).toBe(false);
    const more = segmenterAt(70);
    expect(isSatisfied(more, { msn: 0, part: 6 })).toBe(true);
    expect(isSatisfied(more, { msn: 1, part: 0 })).toBe(true);
  });

  it('refuses requests more than two segments or three parts ahead', () => {
    expect(isTooFarAhead(segmenter, { msn: 3 })).toBe(false);
    expect(isTooFarAhead(segmenter, { msn: 4 })).toBe(true);
    expect(isTooFarAhead(segmenter, { msn: 1, part: 5 })).toBe(false);
    expect(isTooFarAhead(segmenter, { msn: 1, part: 6 })).toBe(true);
    expect(isTooFarAhead(segmenter, { msn: 2, part: 2 })).toBe(false);
    expect(isTooFarAhead(segmenter, { msn: 2, part: 3 })).toBe(true);
  });

  it('answers everything at once after the end', () => {
    const ended = segmenterAt(90);
    ended.end();
    expect(isSatisfied(ended, { msn: 50, part: 1 })).toBe(true);
    expect(isTooFarAhead(ended, { msn: 50 })).toBe(false);
  });
});
