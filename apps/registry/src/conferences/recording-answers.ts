import {
  RECORDING_STOP_REASONS,
  type RecordedStream,
  type RecordingCommandAnswer,
  type RecordingList,
  type RecordingStopReason,
  type RecordingSummary,
} from '@hoot/contracts';
import { isStreamSource } from '@hoot/domain';

/**
 * CASH's answers to the recording calls, checked before the registry hands them on: CASH is another
 * service, and what it answers is untrusted (a bug, a wrong version, something that is not CASH). Each
 * reader answers the value rebuilt from the contract's fields only (nothing else CASH put in passes
 * through), or the first reason it is not one.
 */
export type AnswerCheck<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Ids, account ids, stream ids: short printable text. */
const ID_MAX = 128;
const URL_MAX = 4096;
/** More than a conference records in its life; a list beyond it is not CASH's. */
export const MAX_RECORDINGS = 1000;
export const MAX_STREAMS_PER_RECORDING = 500;

class Invalid extends Error {}

type Fields = Record<string, unknown>;

function object(value: unknown, what: string): Fields {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Invalid(`${what} is not an object`);
  return value as Fields;
}

function text(value: unknown, what: string, max = ID_MAX): string {
  if (
    typeof value !== 'string' ||
    value.length === 0 ||
    value.length > max ||
    /[\u0000-\u001f\u007f]/.test(value)
  )
    throw new Invalid(`${what} is not a string of 1 to ${max} printable characters`);
  return value;
}

function instant(value: unknown, what: string): string {
  const iso = text(value, what, 40);
  if (
    !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(iso) ||
    Number.isNaN(Date.parse(iso))
  )
    throw new Invalid(`${what} is not an ISO 8601 time`);
  return iso;
}

function optional<T>(value: unknown, read: (v: unknown) => T): T | undefined {
  return value === undefined || value === null ? undefined : read(value);
}

function oneOf<T extends string>(value: unknown, values: readonly T[], what: string): T {
  if (!(values as readonly unknown[]).includes(value))
    throw new Invalid(`${what} is not one of ${values.join(', ')}`);
  return value as T;
}

function amount(value: unknown, what: string, integer: boolean): number {
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value < 0 ||
    (integer && !Number.isInteger(value))
  )
    throw new Invalid(`${what} is not a ${integer ? 'whole ' : ''}number ≥ 0`);
  return value;
}

function playbackUrl(value: unknown, what: string): string {
  const url = text(value, what, URL_MAX);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Invalid(`${what} is not a URL`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    throw new Invalid(`${what} is not an http(s) URL`);
  return url;
}

const stopReason = (value: unknown, what: string): RecordingStopReason | undefined =>
  optional(value, (v) => oneOf(v, RECORDING_STOP_REASONS, what));

function sameConference(value: unknown, conferenceId: string): void {
  if (value !== conferenceId) throw new Invalid(`conferenceId is not ${conferenceId}`);
}

function checked<T>(read: () => T): AnswerCheck<T> {
  try {
    return { ok: true, value: read() };
  } catch (error) {
    if (error instanceof Invalid) return { ok: false, reason: error.message };
    throw error;
  }
}

/**
 * CASH's answer to `POST …/recording`: a `RecordingCommandAnswer` of this conference, `recording` after a
 * start and `stopped` after a stop.
 */
export function readRecordingCommandAnswer(
  value: unknown,
  conferenceId: string,
  action: 'start' | 'stop',
): AnswerCheck<RecordingCommandAnswer> {
  return checked(() => {
    const a = object(value, 'the answer');
    sameConference(a.conferenceId, conferenceId);
    const state = oneOf(a.state, ['recording', 'stopped'] as const, 'state');
    if (state !== (action === 'start' ? 'recording' : 'stopped'))
      throw new Invalid(`state is ${state} after ${action}`);
    const stoppedAt = optional(a.stoppedAt, (v) => instant(v, 'stoppedAt'));
    const reason = stopReason(a.stopReason, 'stopReason');
    return {
      conferenceId,
      recordingId: text(a.recordingId, 'recordingId'),
      state,
      startedAt: instant(a.startedAt, 'startedAt'),
      startedBy: text(a.startedBy, 'startedBy'),
      ...(stoppedAt !== undefined ? { stoppedAt } : {}),
      ...(reason !== undefined ? { stopReason: reason } : {}),
    };
  });
}

function recordedStream(value: unknown, where: string): RecordedStream {
  const s = object(value, where);
  if (!isStreamSource(s.stream)) throw new Invalid(`${where}.stream is not camera or screen`);
  const endedAt = optional(s.endedAt, (v) => instant(v, `${where}.endedAt`));
  const reason = stopReason(s.stopReason, `${where}.stopReason`);
  return {
    streamId: text(s.streamId, `${where}.streamId`),
    participantId: text(s.participantId, `${where}.participantId`),
    stream: s.stream,
    startedAt: instant(s.startedAt, `${where}.startedAt`),
    ...(endedAt !== undefined ? { endedAt } : {}),
    durationS: amount(s.durationS, `${where}.durationS`, false),
    bytes: amount(s.bytes, `${where}.bytes`, true),
    state: oneOf(s.state, ['recording', 'complete'] as const, `${where}.state`),
    ...(reason !== undefined ? { stopReason: reason } : {}),
    playbackUrl: playbackUrl(s.playbackUrl, `${where}.playbackUrl`),
    playbackExpiresAt: instant(s.playbackExpiresAt, `${where}.playbackExpiresAt`),
  };
}

function recordingSummary(value: unknown, where: string): RecordingSummary {
  const r = object(value, where);
  if (!Array.isArray(r.streams) || r.streams.length > MAX_STREAMS_PER_RECORDING)
    throw new Invalid(`${where}.streams is not a list of at most ${MAX_STREAMS_PER_RECORDING}`);
  const stoppedAt = optional(r.stoppedAt, (v) => instant(v, `${where}.stoppedAt`));
  const reason = stopReason(r.stopReason, `${where}.stopReason`);
  return {
    recordingId: text(r.recordingId, `${where}.recordingId`),
    startedAt: instant(r.startedAt, `${where}.startedAt`),
    startedBy: text(r.startedBy, `${where}.startedBy`),
    ...(stoppedAt !== undefined ? { stoppedAt } : {}),
    ...(reason !== undefined ? { stopReason: reason } : {}),
    streams: r.streams.map((s, i) => recordedStream(s, `${where}.streams[${i}]`)),
  };
}

/** CASH's answer to `GET …/recordings`: a `RecordingList` of this conference. */
export function readRecordingList(value: unknown, conferenceId: string): AnswerCheck<RecordingList> {
  return checked(() => {
    const l = object(value, 'the answer');
    sameConference(l.conferenceId, conferenceId);
    if (!Array.isArray(l.recordings) || l.recordings.length > MAX_RECORDINGS)
      throw new Invalid(`recordings is not a list of at most ${MAX_RECORDINGS}`);
    return {
      conferenceId,
      recordings: l.recordings.map((r, i) => recordingSummary(r, `recordings[${i}]`)),
    };
  });
}
