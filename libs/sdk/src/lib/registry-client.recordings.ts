import type { RecordingCommandAnswer, RecordingCommandInput, RecordingList } from '@hoot/contracts';
import { CONFERENCE_ID_PATTERN, parseConferenceAddress } from '@hoot/domain';
import { SdkError, SdkErrorCode } from './sdk-error-codes';

/**
 * The recording calls of the registry API (issue 18), for `HootClient.recording` / `recordings`: what they
 * send, where, and how they read the answer (a registry's answer is checked before it is handed out).
 */

/** A conference id, or the id in a `hoot.mx://<id>@<mixer>` address; `sdk.request-invalid` for anything else. */
export function conferenceIdOf(conference: string): string {
  if (typeof conference === 'string' && conference.includes('://')) {
    const parsed = parseConferenceAddress(conference);
    if (parsed.ok) return parsed.address.conferenceId;
    throw new SdkError(SdkErrorCode.RequestInvalid, `not a conference address: ${parsed.message}`);
  }
  if (typeof conference === 'string' && CONFERENCE_ID_PATTERN.test(conference)) return conference;
  throw new SdkError(
    SdkErrorCode.RequestInvalid,
    `not a conference id or hoot.mx:// address: ${String(conference).slice(0, 100)}`,
  );
}

/** The body of `POST /v1/conferences/:id/recording`; `sdk.request-invalid` unless `start` or `stop`. */
export function recordingCommandOf(action: unknown): RecordingCommandInput {
  if (action === 'start' || action === 'stop') return { action };
  throw new SdkError(SdkErrorCode.RequestInvalid, `action must be start or stop, got ${String(action)}`);
}

export const recordingPath = (conferenceId: string): string =>
  `/v1/conferences/${encodeURIComponent(conferenceId)}/recording`;
export const recordingsPath = (conferenceId: string): string =>
  `/v1/conferences/${encodeURIComponent(conferenceId)}/recordings`;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function invalid(what: string): SdkError {
  return new SdkError(
    SdkErrorCode.AnswerInvalid,
    `${what}: the answer is not what the registry API promises`,
  );
}

/** A 2xx answer to a recording command, checked: the conference asked about, a recording id, a state. */
export function readRecordingCommandAnswer(body: unknown, conferenceId: string): RecordingCommandAnswer {
  if (
    !isObject(body) ||
    body.conferenceId !== conferenceId ||
    typeof body.recordingId !== 'string' ||
    (body.state !== 'recording' && body.state !== 'stopped') ||
    typeof body.startedAt !== 'string' ||
    typeof body.startedBy !== 'string'
  )
    throw invalid(`POST ${recordingPath(conferenceId)}`);
  return body as unknown as RecordingCommandAnswer;
}

/** A 2xx answer to a recordings list, checked down to each stream's playback URL and duration. */
export function readRecordingList(body: unknown, conferenceId: string): RecordingList {
  const ok =
    isObject(body) &&
    body.conferenceId === conferenceId &&
    Array.isArray(body.recordings) &&
    body.recordings.every(
      (r) =>
        isObject(r) &&
        typeof r.recordingId === 'string' &&
        typeof r.startedAt === 'string' &&
        Array.isArray(r.streams) &&
        r.streams.every(
          (s) =>
            isObject(s) &&
            typeof s.streamId === 'string' &&
            typeof s.playbackUrl === 'string' &&
            typeof s.durationS === 'number' &&
            Number.isFinite(s.durationS),
        ),
    );
  if (!ok) throw invalid(`GET ${recordingsPath(conferenceId)}`);
  return body as unknown as RecordingList;
}
