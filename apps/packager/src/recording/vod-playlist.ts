/** One recorded segment as the playlist lists it. */
export interface RecordedSegment {
  index: number;
  /** Seconds. */
  duration: number;
  /** Epoch ms its first part arrived (EXT-X-PROGRAM-DATE-TIME). */
  programDateTime: number;
}

export const RECORDING_FILES = {
  playlist: 'playlist.m3u8',
  init: 'init.mp4',
  meta: 'stream.json',
  segment: (index: number) => `seg-${index}.m4s`,
};

function decimalSeconds(value: number): string {
  const text = Number(value.toFixed(5)).toString();
  return text.includes('.') ? text : `${text}.0`;
}

/**
 * The media playlist of a recording (RFC 8216bis): `EXT-X-PLAYLIST-TYPE:EVENT` while it grows (segments
 * are only appended), `VOD` with `EXT-X-ENDLIST` once complete. URIs are relative and carry no token:
 * the viewer route adds the viewer's own when it serves the file.
 */
export function renderVodPlaylist(
  segments: readonly RecordedSegment[],
  options: { targetDurationS: number; complete: boolean },
): string {
  const longest = segments.reduce((n, s) => Math.max(n, Math.round(s.duration)), 0);
  const lines = [
    '#EXTM3U',
    '#EXT-X-VERSION:6',
    `#EXT-X-TARGETDURATION:${Math.max(options.targetDurationS, longest)}`,
    `#EXT-X-PLAYLIST-TYPE:${options.complete ? 'VOD' : 'EVENT'}`,
    '#EXT-X-MEDIA-SEQUENCE:0',
    `#EXT-X-MAP:URI="${RECORDING_FILES.init}"`,
  ];
  for (const segment of segments) {
    lines.push(
      `#EXT-X-PROGRAM-DATE-TIME:${new Date(segment.programDateTime).toISOString()}`,
      `#EXTINF:${decimalSeconds(segment.duration)},`,
      RECORDING_FILES.segment(segment.index),
    );
  }
  if (options.complete) lines.push('#EXT-X-ENDLIST');
  return `${lines.join('\n')}\n`;
}

/** A playlist left as EVENT by a packager that died: completed as VOD with what it lists. */
export function completePlaylistText(text: string): string {
  const vod = text.replace('#EXT-X-PLAYLIST-TYPE:EVENT', '#EXT-X-PLAYLIST-TYPE:VOD');
  return vod.includes('#EXT-X-ENDLIST') ? vod : `${vod.replace(/\n*$/, '\n')}#EXT-X-ENDLIST\n`;
}

/** Every URI of a stored playlist with `suffix` (`?token=…`) appended, for one viewer. */
export function withUriSuffix(text: string, suffix: string): string {
  return text
    .split('\n')
    .map((line) => {
      if (line.startsWith('#EXT-X-MAP:'))
        return line.replace(/URI="([^"]*)"/, (_m, uri) => `URI="${uri}${suffix}"`);
      if (line && !line.startsWith('#')) return `${line}${suffix}`;
      return line;
    })
    .join('\n');
}
