import { defineCcesEvent } from '../cces-event-definition';
import { addressField, coremxIdField } from '../cces-fields';
import { object, oneOf, ValidationIssue, type Validator } from '../validation';

export const CONFERENCE_MOVE_REASONS = ['coremx-down', 'drain', 'rebalance', 'manual'] as const;
export type ConferenceMoveReason = (typeof CONFERENCE_MOVE_REASONS)[number];

export interface ConferenceMovedData {
  fromCoremxId: string;
  toCoremxId: string;
  /** The conference's new `hoot.mx://` address (its mixer changed). */
  toAddress: string;
  reason: ConferenceMoveReason;
}

const shape = object<ConferenceMovedData>({
  fromCoremxId: coremxIdField,
  toCoremxId: coremxIdField,
  toAddress: addressField,
  reason: oneOf(CONFERENCE_MOVE_REASONS),
});

const data: Validator<ConferenceMovedData> = (value, path) => {
  const parsed = shape(value, path);
  if (parsed.fromCoremxId === parsed.toCoremxId) {
    throw new ValidationIssue(`${path}.toCoremxId`, 'must differ from `fromCoremxId`');
  }
  return parsed;
};

export const CONFERENCE_MOVED = defineCcesEvent({
  type: 'conference.moved',
  schemaVersion: 1,
  scope: 'conference',
  summary: 'The conference now lives on another CoreMX; the registry updates its directory.',
  data,
});
