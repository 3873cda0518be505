import type { Segment, Segmenter } from './segmenter';

export interface PlaylistOptions {
  /** EXT-X-TARGETDURATION, integer seconds. */
  targetDurationS: number;
  /** EXT-X-PART-INF:PART-TARGET, seconds. */
  partTargetS: number;
  /** EXT-X-SERVER-CONTROL:PART-HOLD-BACK, seconds (at least 3 × PART-TARGET, as Apple asks). */
  partHoldBackS: number;
  /** Appended to every URI in the playlist (`?token=…`), so media requests carry the viewer's entitlement. */
  uriSuffix?: string;
}

/** Media playlist protocol version: EXT-X-MAP in a playlist that is not I-frames-only needs 6. */
export const PLAYLIST_VERSION = 6;

/** Part and segment URIs, relative to the playlist. */
export const MEDIA_NAMES = {
  init: 'init.mp4',
  segment: (msn: number) => `seg-${msn}.m4s`,
  part: (msn: number, index: number) => `part-${msn}-${index}.m4s`,
};

/** Decimal seconds with enough digits that durations add up without perceptible error. */
function seconds(value: number): string {
  return Number(value.toFixed(5)).toString();
}

function decimalSeconds(value: number): string {
  const text = seconds(value);
  return text.includes('.') ? text : `${text}.0`;
}

/**
 * Renders the live media playlist of a segmenter (RFC 8216bis with the low-latency extensions):
 * segments of the window, their parts while they are within three target durations of the live edge
 * (§6.2.2: older parts SHOULD go), the open segment's parts, a preload hint for the next part, and
 * EXT-X-ENDLIST (no hint, no parts) once the stream ended.
 */
export function renderPlaylist(state: Segmenter, options: PlaylistOptions): string {
  const suffix = options.uriSuffix ?? '';
  const lines = [
    '#EXTM3U',
    `#EXT-X-VERSION:${PLAYLIST_VERSION}`,
    `#EXT-X-TARGETDURATION:${options.targetDurationS}`,
    `#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=${decimalSeconds(options.partHoldBackS)}`,
    `#EXT-X-PART-INF:PART-TARGET=${decimalSeconds(options.partTargetS)}`,
    `#EXT-X-MEDIA-SEQUENCE:${state.mediaSequence}`,
    `#EXT-X-MAP:URI="${MEDIA_NAMES.init}${suffix}"`,
  ];
  const live = !state.ended;
  const listed: Segment[] = [...state.segments];
  if (live && state.open && state.open.parts.length > 0) listed.push(state.open);
  // Parts are listed for the segments ending within 3 target durations of the playlist's end.
  let horizon = 0;
  let firstWithParts = listed.length;
  for (let i = listed.length - 1; i >= 0 && live; i -= 1) {
    if (horizon >= 3 * options.targetDurationS) break;
    horizon += listed[i].duration;
    firstWithParts = i;
  }
  listed.forEach((segment, i) => {
    lines.push(`#EXT-X-PROGRAM-DATE-TIME:${new Date(segment.programDateTime).toISOString()}`);
    if (i >= firstWithParts) {
      for (const part of segment.parts) {
        const independent = part.independent ? ',INDEPENDENT=YES' : '';
        lines.push(
          `#EXT-X-PART:DURATION=${decimalSeconds(part.duration)},URI="${MEDIA_NAMES.part(part.msn, part.index)}${suffix}"${independent}`,
        );
      }
    }
    if (segment.bytes) {
      lines.push(
        `#EXTINF:${decimalSeconds(segment.duration)},`,
        `${MEDIA_NAMES.segment(segment.msn)}${suffix}`,
      );
    }
  });
  if (live) {
    const next = state.nextPart;
    lines.push(`#EXT-X-PRELOAD-HINT:TYPE=PART,URI="${MEDIA_NAMES.part(next.msn, next.index)}${suffix}"`);
  } else {
    lines.push('#EXT-X-ENDLIST');
  }
  return `${lines.join('\n')}\n`;
}
