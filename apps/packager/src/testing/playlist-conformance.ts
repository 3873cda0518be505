/**
 * Conformance checks for the packager's LL-HLS media playlists, written from RFC 8216bis (sections cited)
 * and Apple's LL-HLS requirements. Used by unit specs on the writer's output and by the integration spec
 * on the real packager's. Each check returns the list of violations (empty = conformant).
 */

export interface ParsedPart {
  duration: number;
  uri: string;
  independent: boolean;
  /** From our URI scheme `part-<msn>-<index>.m4s`. */
  msn: number;
  index: number;
}

export interface ParsedSegment {
  msn: number;
  /** undefined for the open segment (parts only, no EXTINF yet). */
  duration?: number;
  uri?: string;
  parts: ParsedPart[];
  programDateTime?: number;
}

export interface ParsedPlaylist {
  version?: number;
  targetDuration?: number;
  mediaSequence?: number;
  partTarget?: number;
  serverControl: Record<string, string>;
  mapUri?: string;
  segments: ParsedSegment[];
  preloadHint?: { type: string; uri: string; msn?: number; index?: number };
  endList: boolean;
  tags: string[];
}

function attributes(list: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /([A-Z0-9-]+)=("[^"]*"|[^,]*)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(list))) out[m[1]] = m[2].replace(/^"|"$/g, '');
  return out;
}

const PART_URI = /^part-(\d+)-(\d+)\.m4s(\?|$)/;
const SEGMENT_URI = /^seg-(\d+)\.m4s(\?|$)/;

export function parsePlaylist(text: string): ParsedPlaylist {
  const lines = text.split('\n').filter((l) => l.length > 0);
  const playlist: ParsedPlaylist = { serverControl: {}, segments: [], endList: false, tags: [] };
  let pendingParts: ParsedPart[] = [];
  let pendingDuration: number | undefined;
  let pendingPdt: number | undefined;
  for (const line of lines) {
    if (line.startsWith('#')) {
      const [tag, ...rest] = line.split(':');
      const value = rest.join(':');
      playlist.tags.push(tag);
      switch (tag) {
        case '#EXT-X-VERSION':
          playlist.version = Number(value);
          break;
        case '#EXT-X-TARGETDURATION':
          playlist.targetDuration = Number(value);
          break;
        case '#EXT-X-MEDIA-SEQUENCE':
          playlist.mediaSequence = Number(value);
          break;
        case '#EXT-X-PART-INF':
          playlist.partTarget = Number(attributes(value)['PART-TARGET']);
          break;
        case '#EXT-X-SERVER-CONTROL':
          playlist.serverControl = attributes(value);
          break;
        case '#EXT-X-MAP':
          playlist.mapUri = attributes(value).URI;
          break;
        case '#EXT-X-PROGRAM-DATE-TIME':
          pendingPdt = Date.parse(value);
          break;
        case '#EXT-X-PART': {
          const a = attributes(value);
          const m = PART_URI.exec(a.URI ?? '');
          pendingParts.push({
            duration: Number(a.DURATION),
            uri: a.URI,
            independent: a.INDEPENDENT === 'YES',
            msn: m ? Number(m[1]) : NaN,
            index: m ? Number(m[2]) : NaN,
          });
          break;
        }
        case '#EXTINF':
          pendingDuration = Number(value.split(',')[0]);
          break;
        case '#EXT-X-PRELOAD-HINT': {
          const a = attributes(value);
          const m = PART_URI.exec(a.URI ?? '');
          playlist.preloadHint = {
            type: a.TYPE,
            uri: a.URI,
            ...(m ? { msn: Number(m[1]), index: Number(m[2]) } : {}),
          };
          break;
        }
        case '#EXT-X-ENDLIST':
          playlist.endList = true;
          break;
      }
      continue;
    }
    const m = SEGMENT_URI.exec(line);
    playlist.segments.push({
      msn: m ? Number(m[1]) : NaN,
      duration: pendingDuration,
      uri: line,
      parts: pendingParts,
      programDateTime: pendingPdt,
    });
    pendingParts = [];
    pendingDuration = undefined;
    pendingPdt = undefined;
  }
  if (pendingParts.length) {
    playlist.segments.push({ msn: pendingParts[0].msn, parts: pendingParts, programDateTime: pendingPdt });
  }
  return playlist;
}

const EPSILON = 0.0005;

/** One playlist, on its own. */
export function checkPlaylist(text: string): string[] {
  const v: string[] = [];
  const p = parsePlaylist(text);
  const once = (tag: string) => {
    const n = p.tags.filter((t) => t === tag).length;
    if (n !== 1) v.push(`${tag} must appear exactly once (found ${n})`);
  };
  if (!text.startsWith('#EXTM3U\n')) v.push('the first line must be #EXTM3U (§4.4.1.1)');
  [
    '#EXT-X-VERSION',
    '#EXT-X-TARGETDURATION',
    '#EXT-X-MEDIA-SEQUENCE',
    '#EXT-X-PART-INF',
    '#EXT-X-SERVER-CONTROL',
    '#EXT-X-MAP',
  ].forEach(once);
  if (!Number.isInteger(p.targetDuration))
    v.push('EXT-X-TARGETDURATION must be a decimal integer (§4.4.3.1)');
  if ((p.version ?? 0) < 6) v.push('EXT-X-MAP outside I-frame playlists needs EXT-X-VERSION ≥ 6 (§4.4.1.2)');
  const partTarget = p.partTarget ?? NaN;
  if (!(partTarget > 0)) v.push('EXT-X-PART-INF needs a PART-TARGET (§4.4.3.7)');
  if (p.serverControl['CAN-BLOCK-RELOAD'] !== 'YES')
    v.push('EXT-X-SERVER-CONTROL must say CAN-BLOCK-RELOAD=YES');
  const holdBack = Number(p.serverControl['PART-HOLD-BACK']);
  if (!(holdBack >= 3 * partTarget - EPSILON)) {
    v.push(
      `PART-HOLD-BACK (${holdBack}) must be at least 3 × PART-TARGET (${partTarget}) (Apple; §4.4.3.8 says ≥ 2×)`,
    );
  }
  if (p.mapUri === undefined) v.push('EXT-X-MAP needs a URI (fMP4 init section, §4.4.4.5)');

  let expected = p.mediaSequence ?? 0;
  p.segments.forEach((segment, i) => {
    const isOpen = segment.duration === undefined;
    if (isOpen && i !== p.segments.length - 1)
      v.push(`segment ${segment.msn}: only the last segment may lack EXTINF`);
    if (isOpen && p.endList) v.push('an ended playlist has no open segment');
    if (segment.msn !== expected)
      v.push(`segment ${i}: media sequence number ${segment.msn}, expected ${expected} (§6.2.1)`);
    expected += 1;
    if (!isOpen && Math.round(segment.duration as number) > (p.targetDuration ?? 0)) {
      v.push(
        `segment ${segment.msn}: EXTINF ${segment.duration} rounds above the target duration (§4.4.3.1)`,
      );
    }
    segment.parts.forEach((part, j) => {
      if (part.msn !== segment.msn || part.index !== j) {
        v.push(`part ${part.uri}: expected part ${j} of segment ${segment.msn}`);
      }
      if (!(part.duration > 0)) v.push(`part ${part.uri}: DURATION must be positive`);
      if (part.duration > partTarget + EPSILON) {
        v.push(`part ${part.uri}: DURATION ${part.duration} exceeds PART-TARGET ${partTarget} (§4.4.4.9)`);
      }
      const last = j === segment.parts.length - 1;
      // The open segment's last part may turn out to be its final one: it is exempt until the segment closes.
      if (!part.independent && !last && part.duration < 0.85 * partTarget - EPSILON) {
        v.push(
          `part ${part.uri}: DURATION ${part.duration} below 85% of PART-TARGET ${partTarget} (§4.4.4.9)`,
        );
      }
    });
    if (!isOpen && segment.parts.length > 0) {
      const sum = segment.parts.reduce((n, part) => n + part.duration, 0);
      if (Math.abs(sum - (segment.duration as number)) > 0.002) {
        v.push(`segment ${segment.msn}: parts add up to ${sum}, EXTINF says ${segment.duration}`);
      }
    }
    const previous = p.segments[i - 1];
    if (previous?.programDateTime !== undefined && segment.programDateTime !== undefined) {
      if (segment.programDateTime < previous.programDateTime)
        v.push(`segment ${segment.msn}: PROGRAM-DATE-TIME goes back`);
    }
  });

  if (p.endList) {
    if (p.preloadHint) v.push('an ended playlist must not carry EXT-X-PRELOAD-HINT');
  } else {
    const hint = p.preloadHint;
    if (!hint) v.push('a live LL-HLS playlist needs EXT-X-PRELOAD-HINT (§4.4.5.3)');
    else {
      if (hint.type !== 'PART') v.push(`EXT-X-PRELOAD-HINT TYPE=${hint.type}, expected PART`);
      const last = p.segments.at(-1);
      const lastPart = last?.parts.at(-1);
      const next =
        last && last.duration === undefined && lastPart
          ? { msn: last.msn, index: lastPart.index + 1 }
          : { msn: (last?.msn ?? (p.mediaSequence ?? 0) - 1) + 1, index: 0 };
      if (hint.msn !== next.msn || hint.index !== next.index) {
        v.push(
          `EXT-X-PRELOAD-HINT names part ${hint.msn}-${hint.index}, one part ahead is ${next.msn}-${next.index}`,
        );
      }
    }
  }
  return v;
}

/** Two successive reloads: the media sequence never goes back and what both list agrees (§6.2.1, §6.3.4). */
export function checkReload(previousText: string, nextText: string): string[] {
  const v: string[] = [];
  const a = parsePlaylist(previousText);
  const b = parsePlaylist(nextText);
  if ((b.mediaSequence ?? 0) < (a.mediaSequence ?? 0)) {
    v.push(`EXT-X-MEDIA-SEQUENCE went back from ${a.mediaSequence} to ${b.mediaSequence}`);
  }
  for (const segment of a.segments) {
    if (segment.duration === undefined) continue;
    const same = b.segments.find((s) => s.msn === segment.msn);
    if (same && (same.uri !== segment.uri || same.duration !== segment.duration)) {
      v.push(`segment ${segment.msn} changed between reloads`);
    }
  }
  const lastA = a.segments.at(-1);
  const lastB = b.segments.at(-1);
  if (lastA && lastB) {
    const pos = (s: ParsedSegment) => [s.msn, s.duration === undefined ? s.parts.length : Infinity] as const;
    const [ma, pa] = pos(lastA);
    const [mb, pb] = pos(lastB);
    if (mb < ma || (mb === ma && pb < pa)) v.push('the playlist went back in time between reloads');
  }
  if (a.endList && !b.endList) v.push('EXT-X-ENDLIST disappeared');
  return v;
}
