import { randomUUID } from 'node:crypto';

/** A rule that makes matching requests misbehave. `method`/`operation` unset match everything. */
export type FaultRule = {
  id: string;
  /** JSON-RPC method (`invoke`, `create`, `ping`, …). */
  method?: string;
  /** For `invoke`: the operation (`processOffer`, …); for `create`: the type (`WebRtcEndpoint`, …). */
  operation?: string;
  /** How many more requests it applies to; unlimited when unset. */
  remaining?: number;
} & (
  | { action: 'delay'; delayMs: number }
  | { action: 'hang' }
  | { action: 'error'; code: number; message: string }
);

export interface LoadOverride {
  cpuPercent?: number;
  memoryKiB?: number;
}

export class FaultInputError extends Error {}

const ACTIONS = ['delay', 'hang', 'error'] as const;

function optionalString(body: Record<string, unknown>, key: string): string | undefined {
  const value = body[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0)
    throw new FaultInputError(`'${key}' must be a non-empty string`);
  return value;
}

function nonNegative(body: Record<string, unknown>, key: string, required: boolean): number | undefined {
  const value = body[key];
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new FaultInputError(`'${key}' must be a non-negative number`);
  }
  return value;
}

/**
 * The state of injected faults: rules for delayed, hung or failing replies and an override of the
 * reported load. Pure state; the admin HTTP endpoint edits it and the RPC handler consults it.
 */
export class FaultController {
  private rules: FaultRule[] = [];
  private loadOverride: LoadOverride = {};

  list(): FaultRule[] {
    return this.rules.map((rule) => ({ ...rule }));
  }

  get load(): LoadOverride {
    return { ...this.loadOverride };
  }

  /** Validates an admin request body into a rule and adds it. */
  addRule(input: unknown): FaultRule {
    if (typeof input !== 'object' || input === null || Array.isArray(input))
      throw new FaultInputError('body must be a JSON object');
    const body = input as Record<string, unknown>;
    const action = ACTIONS.find((a) => a === body.action);
    if (!action) throw new FaultInputError(`'action' must be one of ${ACTIONS.join(', ')}`);
    const base = {
      id: randomUUID(),
      method: optionalString(body, 'method'),
      operation: optionalString(body, 'operation'),
      remaining: nonNegative(body, 'times', false),
    };
    let rule: FaultRule;
    if (action === 'delay') rule = { ...base, action, delayMs: nonNegative(body, 'delayMs', true)! };
    else if (action === 'hang') rule = { ...base, action };
    else {
      const code = body.code;
      if (typeof code !== 'number' || !Number.isInteger(code))
        throw new FaultInputError("'code' must be an integer");
      rule = { ...base, action, code, message: optionalString(body, 'message') ?? 'Injected fault' };
    }
    this.rules.push(rule);
    return { ...rule };
  }

  removeRule(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((rule) => rule.id !== id);
    return this.rules.length < before;
  }

  setLoad(input: unknown): LoadOverride {
    if (typeof input !== 'object' || input === null || Array.isArray(input))
      throw new FaultInputError('body must be a JSON object');
    const body = input as Record<string, unknown>;
    const cpuPercent = nonNegative(body, 'cpuPercent', false);
    const memoryKiB = nonNegative(body, 'memoryKiB', false);
    if (cpuPercent === undefined && memoryKiB === undefined)
      throw new FaultInputError("set 'cpuPercent' and/or 'memoryKiB'");
    this.loadOverride = {
      ...this.loadOverride,
      ...(cpuPercent !== undefined && { cpuPercent }),
      ...(memoryKiB !== undefined && { memoryKiB }),
    };
    return this.load;
  }

  clearLoad(): void {
    this.loadOverride = {};
  }

  reset(): void {
    this.rules = [];
    this.loadOverride = {};
  }

  /** The first rule matching a request (consuming one use of it), if any. */
  take(
    method: string,
    operation: string | undefined,
    actions: readonly FaultRule['action'][] = ACTIONS,
  ): FaultRule | undefined {
    const rule = this.rules.find(
      (r) =>
        actions.includes(r.action) &&
        (r.method === undefined || r.method === method) &&
        (r.operation === undefined || r.operation === operation) &&
        (r.remaining === undefined || r.remaining > 0),
    );
    if (rule && rule.remaining !== undefined) {
      rule.remaining -= 1;
      if (rule.remaining === 0) this.removeRule(rule.id);
    }
    return rule;
  }
}
