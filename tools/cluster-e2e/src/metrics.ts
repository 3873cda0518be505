/**
 * The numbers the issue asks for, written to test-artifacts/cluster/metrics.json as they are measured
 * (a later failure keeps the earlier ones) and printed at the end. Never asserted on: timings depend on
 * the machine.
 */
import { readArtifact, writeArtifact } from './cluster';

export type MetricValue = number | string | boolean | null | Record<string, number | string | boolean | null>;

export class Metrics {
  private readonly values: Record<string, MetricValue> = {};

  constructor() {
    this.values['measuredAt'] = new Date().toISOString();
    const timings = readArtifact<{ mode?: string; seconds?: Record<string, number> } | null>(
      'timings.json',
      null,
    );
    if (timings) this.values['setup'] = { mode: timings.mode ?? null, ...(timings.seconds ?? {}) };
  }

  set(name: string, value: MetricValue): void {
    this.values[name] = value;
    writeArtifact('metrics.json', this.values);
  }

  all(): Readonly<Record<string, MetricValue>> {
    return this.values;
  }
}
