import { oneOf, text } from './validation';

/** A packager's stream id (128 random bits, base64url) or a recording id: URL-safe, 8–64 characters. */
export const MEDIA_OBJECT_ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;
export const mediaObjectIdField = text({
  max: 64,
  pattern: MEDIA_OBJECT_ID_PATTERN,
  patternName: 'a stream or recording id ([A-Za-z0-9_-]{8,64})',
});

/** Which of a publisher's streams: its camera or its shared screen. */
export const STREAM_SOURCES = ['camera', 'screen'] as const;
export type CcesStreamSource = (typeof STREAM_SOURCES)[number];
export const streamSourceField = oneOf(STREAM_SOURCES);
