import type { Clock } from '@hoot/domain';
import { ccesDefinition, isCcesEventType, type CcesDataOf, type CcesEventType } from './cces-catalog';
import type { CcesEventOf } from './cces-envelope';
import { CcesError, CcesErrorCode } from './cces-error-code';
import { CONFERENCE_ID_PATTERN, COREMX_STREAM_KEY } from './cces-fields';
import { ValidationIssue } from './validation';

/** What a caller publishes; the producer adds `id`, `schemaVersion`, `coremxId` and `seq`. */
export interface CcesPublishInput<T extends CcesEventType = CcesEventType> {
  type: T;
  /** The conference, or `COREMX_STREAM_KEY` for `coremx.state-changed`. */
  conferenceId: string;
  data: CcesDataOf<T>;
  /** Defaults to the producer's clock. */
  occurredAt?: Date;
}

/** A publish request of any type, discriminated by `type`. */
export type CcesAnyPublishInput = { [T in CcesEventType]: CcesPublishInput<T> }[CcesEventType];

/** The port services publish CCES events through (`JournaledProducer`; an in-memory fake in unit specs). */
export interface CcesPublisher {
  /** Resolves with the complete event once it can no longer be lost; rejects with a `CcesError`. */
  publish<T extends CcesEventType>(input: CcesPublishInput<T>): Promise<CcesEventOf<T>>;
  /** Events accepted but not yet acknowledged by Kafka. */
  backlog(): number;
}

/**
 * Checks a publish request against its contract (type, key, data) and returns the envelope fields it
 * determines; throws `CcesError` with a stable code otherwise. Shared by every `CcesPublisher`.
 */
export function validateCcesPublishInput<T extends CcesEventType>(
  input: CcesPublishInput<T>,
  clock: Pick<Clock, 'now'>,
): { type: T; schemaVersion: number; conferenceId: string; occurredAt: string; data: CcesDataOf<T> } {
  if (!isCcesEventType(input.type)) {
    throw new CcesError(CcesErrorCode.UnknownType, `unknown type ${JSON.stringify(input.type)}`);
  }
  const definition = ccesDefinition(input.type);
  const keyOk =
    definition.scope === 'coremx'
      ? input.conferenceId === COREMX_STREAM_KEY
      : typeof input.conferenceId === 'string' && CONFERENCE_ID_PATTERN.test(input.conferenceId);
  if (!keyOk) {
    throw new CcesError(
      CcesErrorCode.InvalidEnvelope,
      definition.scope === 'coremx'
        ? `conferenceId of ${input.type} must be ${COREMX_STREAM_KEY}`
        : `conferenceId must be a conference id, got ${JSON.stringify(input.conferenceId)}`,
    );
  }
  let data: CcesDataOf<T>;
  try {
    data = definition.data(input.data, 'data');
  } catch (error) {
    if (error instanceof ValidationIssue) throw new CcesError(CcesErrorCode.InvalidData, error.message);
    throw error;
  }
  const occurredAt = input.occurredAt ?? new Date(clock.now());
  if (!(occurredAt instanceof Date) || Number.isNaN(occurredAt.getTime())) {
    throw new CcesError(CcesErrorCode.InvalidEnvelope, 'occurredAt must be a valid Date');
  }
  return {
    type: input.type,
    schemaVersion: definition.schemaVersion,
    conferenceId: input.conferenceId,
    occurredAt: occurredAt.toISOString(),
    data,
  };
}

/**
 * The most bytes the Kafka value of this event can take once a producer adds `id`, `seq` (counted at its
 * largest) and the time. Consumers refuse values over `CCES_MAX_VALUE_BYTES` (dead letter), so a caller
 * that can still refuse its own input (a reservation with a long `allowed` list) checks this first.
 * Throws `CcesError` like `validateCcesPublishInput` for an input its contract refuses.
 */
export function ccesValueBytesAtMost(input: CcesPublishInput, coremxId: string): number {
  const valid = validateCcesPublishInput(input, { now: () => 0 });
  return Buffer.byteLength(
    JSON.stringify({
      id: '00000000-0000-4000-8000-000000000000',
      type: valid.type,
      schemaVersion: valid.schemaVersion,
      coremxId,
      conferenceId: valid.conferenceId,
      seq: Number.MAX_SAFE_INTEGER,
      occurredAt: valid.occurredAt,
      data: valid.data,
    }),
  );
}
