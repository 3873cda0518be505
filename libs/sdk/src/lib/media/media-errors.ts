import { SdkError, SdkErrorCode } from '../sdk-error-codes';

/**
 * The words and codes of media failures: which error a failed media step reports (`mediaError`: a
 * server's or the SDK's coded error as it is, a camera refusal as the browser's, anything else as
 * `sdk.media-failed` in our words), why a screen cannot be shared, and `CameraError`, which tells a
 * camera that could not be opened apart from a publish the server refused. Pure; no state.
 */

export const SCREEN_UNAVAILABLE_WORDS: Record<'room-type' | 'not-publisher' | 'taken', string> = {
  'room-type': 'Screens cannot be shared in this room.',
  'not-publisher': 'Only speakers can share a screen: raise your hand first.',
  taken: 'Someone else is sharing a screen; wait until they stop.',
};

/** Getting the camera or microphone failed (as opposed to the server refusing the publish). */
export class CameraError extends Error {
  constructor(readonly original: unknown) {
    super(original instanceof Error ? original.message : String(original));
    this.name = 'CameraError';
  }
}

const STEP_WORDS: Record<string, string> = {
  publish: 'sending your camera and microphone',
  'screen-share': 'sharing your screen',
  subscribe: 'receiving a participant',
  ice: 'connecting the media',
  'p2p-candidate': 'connecting the call',
  'p2p-signal': 'connecting the call',
  device: 'changing the camera or microphone',
};

/**
 * The error a media step reports: a server's or the SDK's own (it has a `code`) as it is, a camera refusal
 * as the browser's (the app says "allow the camera"), and any other browser exception as `sdk.media-failed`
 * in our words, the browser's error kept as the cause.
 */
export function mediaError(error: unknown, step: string): unknown {
  if (errorCode(error) !== undefined) return error;
  const name = (error as { name?: unknown } | null)?.name;
  if (
    step === 'publish' &&
    typeof name === 'string' &&
    /^(NotAllowed|NotFound|NotReadable|Overconstrained|Security)Error$/.test(name)
  )
    return error;
  return new SdkError(
    SdkErrorCode.MediaFailed,
    `The browser failed while ${STEP_WORDS[step] ?? 'setting up media'}; it is tried again.`,
    { cause: error },
  );
}

/** The string `code` of an error, if it has one. */
export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
