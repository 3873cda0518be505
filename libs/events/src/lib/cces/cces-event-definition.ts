import type { Validator } from './validation';

/**
 * What a CCES event concerns: one conference (key = its id) or the CoreMX itself
 * (key = `COREMX_STREAM_KEY`).
 */
export type CcesEventScope = 'conference' | 'coremx';

/** The contract of one event type: its name, schema version and a strict validator of its `data`. */
export interface CcesEventDefinition<T extends string = string, D = unknown> {
  readonly type: T;
  /** Bumped on every change of `data`; consumers refuse versions they do not know (dead letter). */
  readonly schemaVersion: number;
  readonly scope: CcesEventScope;
  /** One line for the docs: when the event is published. */
  readonly summary: string;
  readonly data: Validator<D>;
}

export function defineCcesEvent<const T extends string, D>(
  definition: CcesEventDefinition<T, D>,
): CcesEventDefinition<T, D> {
  return Object.freeze(definition);
}
