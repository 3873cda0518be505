import { defineCcesEvent } from '../cces-event-definition';
import { displayTextField } from '../cces-fields';
import { nullable, object, oneOf, optional, ValidationIssue, type Validator } from '../validation';

export const COREMX_STATES = ['starting', 'ready', 'degraded', 'draining', 'drained', 'stopping'] as const;
export type CoreMxState = (typeof COREMX_STATES)[number];

export interface CoreMxStateChangedData {
  /** Null for the first state after a start. */
  from: CoreMxState | null;
  to: CoreMxState;
  /** Why, for operators ("media server unreachable", "drain requested by …"). */
  reason?: string;
}

const shape = object<CoreMxStateChangedData>({
  from: nullable(oneOf(COREMX_STATES)),
  to: oneOf(COREMX_STATES),
  reason: optional(displayTextField(256)),
});

const data: Validator<CoreMxStateChangedData> = (value, path) => {
  const parsed = shape(value, path);
  if (parsed.from === parsed.to) throw new ValidationIssue(`${path}.to`, 'must differ from `from`');
  return parsed;
};

export const COREMX_STATE_CHANGED = defineCcesEvent({
  type: 'coremx.state-changed',
  schemaVersion: 1,
  scope: 'coremx',
  summary: 'The CoreMX itself changed state (key and conferenceId are `_coremx`).',
  data,
});
