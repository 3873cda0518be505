import { MediaError, MediaErrorCode } from './media-error.exception';
import type {
  MediaEndpointOptions,
  MediaEndpointRef,
  MediaIceCandidate,
  MediaRtpEndpointRef,
} from './media.port';

/** Limits on untrusted input (SDP and candidates come from participants' browsers). */
export const MEDIA_INPUT_LIMITS = {
  /** Room ids are ours, but they are logged and stored: keep them short. */
  roomIdMaxLength: 128,
  /** A browser offer with a dozen media sections is about 20 KiB; four times that is plenty. */
  sdpMaxLength: 128 * 1024,
  /** An ICE candidate line is about 100–200 characters. */
  candidateMaxLength: 1024,
  sdpMidMaxLength: 64,
  /** An m-line index beyond this is no real offer. */
  sdpMLineIndexMax: 255,
} as const;

function invalid(operation: string, message: string): MediaError {
  return new MediaError(MediaErrorCode.InvalidArgument, `${operation}: ${message}`, { operation });
}

// Control characters (C0 and DEL) never belong in an id.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

export function validateRoomId(roomId: unknown, operation = 'createPipeline'): string {
  if (typeof roomId !== 'string' || roomId.length === 0)
    throw invalid(operation, 'roomId must be a non-empty string');
  if (roomId.length > MEDIA_INPUT_LIMITS.roomIdMaxLength)
    throw invalid(operation, `roomId is longer than ${MEDIA_INPUT_LIMITS.roomIdMaxLength} characters`);
  if (CONTROL_CHARACTERS.test(roomId)) throw invalid(operation, 'roomId contains control characters');
  return roomId;
}

export function validateEndpointOptions(
  options: unknown,
  operation = 'createEndpoint',
): Required<MediaEndpointOptions> {
  if (typeof options !== 'object' || options === null) throw invalid(operation, 'options are required');
  const { kind, audioOnly } = options as Partial<MediaEndpointOptions>;
  if (kind !== 'publish' && kind !== 'subscribe')
    throw invalid(operation, "kind must be 'publish' or 'subscribe'");
  if (audioOnly !== undefined && typeof audioOnly !== 'boolean')
    throw invalid(operation, 'audioOnly must be a boolean');
  return { kind, audioOnly: audioOnly ?? false };
}

/** An SDP offer (or answer): a string that starts as every SDP does (`v=0`) and is not absurdly large. */
export function validateSdpOffer(
  sdp: unknown,
  operation = 'processOffer',
  what: 'offer' | 'answer' = 'offer',
): string {
  if (typeof sdp !== 'string' || sdp.length === 0)
    throw invalid(operation, `the SDP ${what} must be a string`);
  if (sdp.length > MEDIA_INPUT_LIMITS.sdpMaxLength)
    throw invalid(operation, `the SDP ${what} is larger than ${MEDIA_INPUT_LIMITS.sdpMaxLength} characters`);
  if (!/^v=0\r?\n/.test(sdp)) throw invalid(operation, `the SDP ${what} must start with 'v=0'`);
  if (!/^m=/m.test(sdp)) throw invalid(operation, `the SDP ${what} has no media section`);
  return sdp;
}

/** `generateRtpOffer`'s options: booleans when given, at least one kind of media. */
export function validateRtpOfferOptions(
  options: unknown,
  operation = 'generateRtpOffer',
): { audio: boolean; video: boolean } {
  if (options === undefined) return { audio: true, video: true };
  if (typeof options !== 'object' || options === null) throw invalid(operation, 'options must be an object');
  const { audio, video } = options as { audio?: unknown; video?: unknown };
  if (audio !== undefined && typeof audio !== 'boolean') throw invalid(operation, 'audio must be a boolean');
  if (video !== undefined && typeof video !== 'boolean') throw invalid(operation, 'video must be a boolean');
  const valid = { audio: audio ?? true, video: video ?? true };
  if (!valid.audio && !valid.video) throw invalid(operation, 'audio, video or both must be offered');
  return valid;
}

/** Media flows to an RtpEndpoint from a publishing endpoint of the same pipeline. */
export function validateRtpWiring(
  source: MediaEndpointRef,
  rtp: MediaRtpEndpointRef,
  operation = 'connectRtp',
): void {
  if (source.kind !== 'publish') throw invalid(operation, 'the source must be a publish endpoint');
  if (source.pipelineId !== rtp.pipelineId)
    throw invalid(operation, 'the publish endpoint and the RtpEndpoint are in different pipelines');
}

/** A participant's candidate. Kurento needs both `sdpMid` and `sdpMLineIndex`. */
export function validateIceCandidate(candidate: unknown, operation = 'addIceCandidate'): MediaIceCandidate {
  if (typeof candidate !== 'object' || candidate === null) throw invalid(operation, 'candidate is required');
  const {
    candidate: line,
    sdpMid,
    sdpMLineIndex,
  } = candidate as Partial<Record<keyof MediaIceCandidate, unknown>>;
  if (typeof line !== 'string') throw invalid(operation, 'candidate.candidate must be a string');
  if (line.length > MEDIA_INPUT_LIMITS.candidateMaxLength)
    throw invalid(operation, `candidate.candidate is longer than ${MEDIA_INPUT_LIMITS.candidateMaxLength}`);
  if (line !== '' && !/^(a=)?candidate:/.test(line))
    throw invalid(operation, "candidate.candidate must start with 'candidate:'");
  if (CONTROL_CHARACTERS.test(line))
    throw invalid(operation, 'candidate.candidate contains control characters');
  if (typeof sdpMid !== 'string' || sdpMid.length > MEDIA_INPUT_LIMITS.sdpMidMaxLength)
    throw invalid(
      operation,
      `candidate.sdpMid must be a string of at most ${MEDIA_INPUT_LIMITS.sdpMidMaxLength}`,
    );
  if (
    typeof sdpMLineIndex !== 'number' ||
    !Number.isInteger(sdpMLineIndex) ||
    sdpMLineIndex < 0 ||
    sdpMLineIndex > MEDIA_INPUT_LIMITS.sdpMLineIndexMax
  )
    throw invalid(
      operation,
      `candidate.sdpMLineIndex must be an integer from 0 to ${MEDIA_INPUT_LIMITS.sdpMLineIndexMax}`,
    );
  return { candidate: line, sdpMid, sdpMLineIndex };
}

/** Media flows from a publishing endpoint to a subscribing one of the same pipeline. */
export function validateWiring(
  source: MediaEndpointRef,
  sink: MediaEndpointRef,
  operation = 'connect',
): void {
  if (source.kind !== 'publish') throw invalid(operation, 'the source must be a publish endpoint');
  if (sink.kind !== 'subscribe') throw invalid(operation, 'the sink must be a subscribe endpoint');
  if (source.pipelineId !== sink.pipelineId)
    throw invalid(operation, 'source and sink are in different pipelines');
}

/** An event listener must be a function (callers from plain JavaScript can pass anything). */
export function validateListener<T>(listener: T, operation = 'onIceCandidate'): T {
  if (typeof listener !== 'function') throw invalid(operation, 'listener must be a function');
  return listener;
}
