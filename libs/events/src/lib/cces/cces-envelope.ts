import { ccesDefinition, isCcesEventType, type CcesDataOf, type CcesEventType } from './cces-catalog';
import { CcesErrorCode } from './cces-error-code';
import { CONFERENCE_ID_PATTERN, COREMX_ID_PATTERN, COREMX_STREAM_KEY } from './cces-fields';
import { coremxIdFromTopic } from './cces-topic';
import { isPlainObject, ValidationIssue } from './validation';

/** The value of every CCES message (ARCHITECTURE.md, Events). */
export interface CcesEnvelope<T extends CcesEventType = CcesEventType> {
  /** Unique id of the event (UUID), for idempotent consumers. */
  id: string;
  type: T;
  schemaVersion: number;
  coremxId: string;
  /** Also the message key; `_coremx` for events about the CoreMX itself. */
  conferenceId: string;
  /** Up by 1 per (topic, conferenceId) without gaps within one life of a room; never used twice. */
  seq: number;
  /** ISO-8601 UTC with milliseconds, as `Date.prototype.toISOString` writes it. */
  occurredAt: string;
  data: CcesDataOf<T>;
}

/** The envelope of `T`, distributed over a union of types (a union gives a discriminated union). */
export type CcesEventOf<T extends CcesEventType> = T extends CcesEventType ? CcesEnvelope<T> : never;

/** A CCES event, discriminated by `type` (narrowing `type` narrows `data`). */
export type CcesEvent = { [T in CcesEventType]: CcesEnvelope<T> }[CcesEventType];

/** Largest accepted message value. Events are small; anything bigger is poison. */
export const CCES_MAX_VALUE_BYTES = 16 * 1024;

export const EVENT_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const ENVELOPE_KEYS = [
  'id',
  'type',
  'schemaVersion',
  'coremxId',
  'conferenceId',
  'seq',
  'occurredAt',
  'data',
];

export type CcesParseResult =
  { ok: true; event: CcesEvent } | { ok: false; code: CcesErrorCode; reason: string };

const fail = (code: CcesErrorCode, reason: string): CcesParseResult => ({ ok: false, code, reason });

/** Validates a decoded envelope: every field, no unknown field, the `data` of its type and version. */
export function parseCcesEnvelope(value: unknown): CcesParseResult {
  if (!isPlainObject(value)) return fail(CcesErrorCode.InvalidEnvelope, 'value must be a JSON object');
  const unknown = Object.keys(value).find((key) => !ENVELOPE_KEYS.includes(key));
  if (unknown !== undefined) return fail(CcesErrorCode.InvalidEnvelope, `${unknown} is not a known field`);
  const missing = ENVELOPE_KEYS.find((key) => !(key in value));
  if (missing !== undefined) return fail(CcesErrorCode.InvalidEnvelope, `${missing} is required`);
  const { id, type, schemaVersion, coremxId, conferenceId, seq, occurredAt, data } = value;
  if (typeof id !== 'string' || !EVENT_ID_PATTERN.test(id)) {
    return fail(CcesErrorCode.InvalidEnvelope, 'id must be a lower-case UUID');
  }
  if (!isCcesEventType(type)) {
    return fail(CcesErrorCode.UnknownType, `unknown type ${JSON.stringify(type)?.slice(0, 80)}`);
  }
  const definition = ccesDefinition(type);
  if (schemaVersion !== definition.schemaVersion) {
    return fail(
      CcesErrorCode.UnsupportedVersion,
      `${type} schemaVersion ${JSON.stringify(schemaVersion)?.slice(0, 20)} is not supported (known: ${definition.schemaVersion})`,
    );
  }
  if (typeof coremxId !== 'string' || !COREMX_ID_PATTERN.test(coremxId)) {
    return fail(CcesErrorCode.InvalidEnvelope, 'coremxId must be a CoreMX id');
  }
  if (definition.scope === 'coremx') {
    if (conferenceId !== COREMX_STREAM_KEY) {
      return fail(CcesErrorCode.InvalidEnvelope, `conferenceId of ${type} must be ${COREMX_STREAM_KEY}`);
    }
  } else if (typeof conferenceId !== 'string' || !CONFERENCE_ID_PATTERN.test(conferenceId)) {
    return fail(CcesErrorCode.InvalidEnvelope, 'conferenceId must be a conference id');
  }
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) {
    return fail(CcesErrorCode.InvalidEnvelope, 'seq must be an integer ≥ 1');
  }
  if (typeof occurredAt !== 'string' || !ISO_UTC.test(occurredAt) || Number.isNaN(Date.parse(occurredAt))) {
    return fail(CcesErrorCode.InvalidEnvelope, 'occurredAt must be an ISO-8601 UTC time with milliseconds');
  }
  let parsed: unknown;
  try {
    parsed = definition.data(data, 'data');
  } catch (error) {
    if (error instanceof ValidationIssue) return fail(CcesErrorCode.InvalidData, error.message);
    throw error;
  }
  const event = {
    id,
    type,
    schemaVersion: definition.schemaVersion,
    coremxId,
    conferenceId: conferenceId as string,
    seq,
    occurredAt,
    data: parsed,
  } as CcesEvent;
  return { ok: true, event };
}

/**
 * Validates a Kafka message of a CCES topic: the value (size, JSON, envelope, per-type data), the key
 * (= `conferenceId`) and, when `topic` is given, that the envelope's `coremxId` is the topic's.
 * Never throws for bad input.
 */
export function parseCcesMessage(
  key: Buffer | string | null | undefined,
  value: Buffer | string | null | undefined,
  topic?: string,
): CcesParseResult {
  if (value === null || value === undefined || value.length === 0) {
    return fail(CcesErrorCode.Empty, 'the message has no value');
  }
  const size = typeof value === 'string' ? Buffer.byteLength(value) : value.length;
  if (size > CCES_MAX_VALUE_BYTES) {
    return fail(CcesErrorCode.TooLarge, `value is ${size} bytes (at most ${CCES_MAX_VALUE_BYTES})`);
  }
  let decoded: unknown;
  try {
    decoded = JSON.parse(value.toString());
  } catch {
    return fail(CcesErrorCode.Malformed, 'value is not JSON');
  }
  const result = parseCcesEnvelope(decoded);
  if (!result.ok) return result;
  const keyText = key === null || key === undefined ? undefined : key.toString();
  if (keyText !== result.event.conferenceId) {
    return fail(
      CcesErrorCode.KeyMismatch,
      `key ${JSON.stringify(keyText?.slice(0, 80) ?? null)} is not the conferenceId ${result.event.conferenceId}`,
    );
  }
  if (topic !== undefined) {
    const topicCoremx = coremxIdFromTopic(topic);
    if (topicCoremx !== result.event.coremxId) {
      return fail(
        CcesErrorCode.TopicMismatch,
        `coremxId ${result.event.coremxId} does not belong on ${topic}`,
      );
    }
  }
  return result;
}

/** The Kafka message for an event (what `JournaledProducer` sends). */
export function ccesMessageOf(event: CcesEvent): {
  key: string;
  value: string;
  headers: Record<string, string>;
} {
  return {
    key: event.conferenceId,
    value: JSON.stringify(event),
    headers: { 'cces-type': event.type, 'cces-schema-version': String(event.schemaVersion) },
  };
}
