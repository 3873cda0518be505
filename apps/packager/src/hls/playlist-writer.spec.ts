import { parseFragment, parseInit } from '../fmp4/fmp4-parser';
import { SyntheticStream } from '../testing/fmp4-builder';
import { checkPlaylist, checkReload, parsePlaylist } from '../testing/playlist-conformance';
import { renderPlaylist, type PlaylistOptions } from './playlist-writer';
import { Segmenter } from './segmenter';

const PLAYLIST: PlaylistOptions = {
  targetDurationS: 2,
  partTargetS: 0.334,
  partHoldBackS: 1.002,
  uriSuffix: '?token=t',
};

function live(fps = 30, gop = 30) {
  let now = 1_800_000_000_000;
  const segmenter = new Segmenter({
    segmentTargetS: 2,
    partTargetS: 0.334,
    targetDurationS: 2,
    windowSegments: 5,
    now: () => (now += 33),
  });
  const stream = new SyntheticStream(fps, gop);
  const info = parseInit(stream.init);
  segmenter.onInit(stream.init, info);
  return {
    segmenter,
    frame(keyframe?: boolean) {
      const f = stream.next(keyframe);
      segmenter.onFragment(f, parseFragment(f, info));
    },
  };
}

describe('renderPlaylist (checked by the conformance checker)', () => {
  it('is conformant after every fragment of 40 s of media, and every reload moves forward', () => {
    for (const [fps, gop] of [
      [30, 30],
      [25, 50],
      [30, 300],
    ]) {
      const { segmenter, frame } = live(fps, gop);
      let previous: string | undefined;
      for (let i = 0; i < fps * 40; i += 1) {
        frame();
        if (segmenter.open?.parts.length === 0 && segmenter.segments.length === 0) continue;
        const text = renderPlaylist(segmenter, PLAYLIST);
        expect({ at: i, violations: checkPlaylist(text) }).toEqual({ at: i, violations: [] });
        expect(checkReload(previous ?? text, text)).toEqual([]);
        previous = text;
      }
    }
  });

  it('writes the LL-HLS header tags and suffixes every URI with the viewer token', () => {
    const { segmenter, frame } = live();
    for (let i = 0; i < 70; i += 1) frame();
    const text = renderPlaylist(segmenter, PLAYLIST);
    expect(text.split('\n').slice(0, 7)).toEqual([
      '#EXTM3U',
      '#EXT-X-VERSION:6',
      '#EXT-X-TARGETDURATION:2',
      '#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.002',
      '#EXT-X-PART-INF:PART-TARGET=0.334',
      '#EXT-X-MEDIA-SEQUENCE:0',
      '#EXT-X-MAP:URI="init.mp4?token=t"',
    ]);
    expect(text).toContain('#EXT-X-PART:DURATION=0.33333,URI="part-0-0.m4s?token=t",INDEPENDENT=YES\n');
    expect(text).toContain('#EXTINF:2.0,\nseg-0.m4s?token=t\n');
    expect(text).toContain('#EXT-X-PART:DURATION=0.33333,URI="part-1-0.m4s?token=t",INDEPENDENT=YES\n');
    expect(text.trimEnd().split('\n').at(-1)).toBe(
      '#EXT-X-PRELOAD-HINT:TYPE=PART,URI="part-1-1.m4s?token=t"',
    );
  });

  it('lists parts only for segments within three target durations of the live edge', () => {
    const { segmenter, frame } = live();
    for (let i = 0; i < 30 * 11; i += 1) frame();
    const parsed = parsePlaylist(renderPlaylist(segmenter, PLAYLIST));
    const withParts = parsed.segments.filter((s) => s.parts.length > 0).map((s) => s.msn);
    expect(parsed.segments.map((s) => s.msn)).toEqual([0, 1, 2, 3, 4, 5]);
    // 11 s of media: segment 2 (4–6 s) ends 5 s before the end, within 6 s; segment 1 ends 7 s before it.
    expect(withParts).toEqual([2, 3, 4, 5]);
  });

  it('ends with EXT-X-ENDLIST, no preload hint and no parts once the stream stopped', () => {
    const { segmenter, frame } = live();
    for (let i = 0; i < 100; i += 1) frame();
    segmenter.end();
    const text = renderPlaylist(segmenter, PLAYLIST);
    expect(checkPlaylist(text)).toEqual([]);
    expect(text.endsWith('#EXT-X-ENDLIST\n')).toBe(true);
    expect(text).not.toContain('PRELOAD-HINT');
    expect(text).not.toContain('#EXT-X-PART:');
  });
});

describe('the conformance checker catches what it is for', () => {
  const good = [
    '#EXTM3U',
    '#EXT-X-VERSION:6',
    '#EXT-X-TARGETDURATION:2',
    '#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.002',
    '#EXT-X-PART-INF:PART-TARGET=0.334',
    '#EXT-X-MEDIA-SEQUENCE:3',
    '#EXT-X-MAP:URI="init.mp4"',
    '#EXT-X-PART:DURATION=0.3,URI="part-3-0.m4s",INDEPENDENT=YES',
    '#EXT-X-PART:DURATION=0.3,URI="part-3-1.m4s"',
    '#EXTINF:0.6,',
    'seg-3.m4s',
    '#EXT-X-PART:DURATION=0.3,URI="part-4-0.m4s",INDEPENDENT=YES',
    '#EXT-X-PRELOAD-HINT:TYPE=PART,URI="part-4-1.m4s"',
    '',
  ].join('\n');

  it('passes a good playlist', () => {
    expect(checkPlaylist(good)).toEqual([]);
  });

  it.each([
    [
      'a part above PART-TARGET',
      good.replace('DURATION=0.3,URI="part-3-1', 'DURATION=0.4,URI="part-3-1'),
      /exceeds PART-TARGET/,
    ],
    [
      'a short part inside a segment',
      good.replace('DURATION=0.3,URI="part-3-0.m4s",INDEPENDENT=YES', 'DURATION=0.1,URI="part-3-0.m4s"'),
      /below 85%/,
    ],
    ['a hint two parts ahead', good.replace('part-4-1.m4s"', 'part-4-2.m4s"'), /one part ahead is 4-1/],
    ['no hint', good.replace(/#EXT-X-PRELOAD-HINT.*\n/, ''), /needs EXT-X-PRELOAD-HINT/],
    ['a low PART-HOLD-BACK', good.replace('PART-HOLD-BACK=1.002', 'PART-HOLD-BACK=0.5'), /PART-HOLD-BACK/],
    ['no blocking reload', good.replace('CAN-BLOCK-RELOAD=YES,', ''), /CAN-BLOCK-RELOAD/],
    ['a gap in media sequence numbers', good.replace('MEDIA-SEQUENCE:3', 'MEDIA-SEQUENCE:2'), /expected 2/],
    ['a long segment', good.replace('#EXTINF:0.6', '#EXTINF:2.6'), /rounds above/],
    ['a missing map', good.replace(/#EXT-X-MAP.*\n/, ''), /EXT-X-MAP/],
    [
      'a hint after the end',
      good.replace(/(#EXT-X-PRELOAD-HINT.*\n)/, '$1#EXT-X-ENDLIST\n'),
      /must not carry/,
    ],
  ])('flags %s', (_name, text, violation) => {
    expect(checkPlaylist(text).join('\n')).toMatch(violation);
  });

  it('flags a media sequence going back between reloads', () => {
    expect(checkReload(good, good.replace('MEDIA-SEQUENCE:3', 'MEDIA-SEQUENCE:2')).join()).toMatch(
      /went back/,
    );
  });
});
