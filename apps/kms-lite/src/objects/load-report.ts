import type { Clock } from '@hoot/domain';
import type { MediaEngine } from '../engine/media-engine';
import type { JsonObject } from '../protocol/json-rpc';
import type { MediaObject } from './media-object';

/** Load figures ServerManager reports (measured, or set by the fault controller). */
export interface LoadReport {
  usedMemoryKiB(): number;
  usedCpuPercent(intervalMs: number): Promise<number>;
  cpuCount(): number;
}

/** What media objects need from the registry that owns them. */
export interface ObjectHost {
  readonly clock: Clock;
  readonly engine: MediaEngine;
  readonly load: LoadReport;
  newUuid(): string;
  find(id: string): MediaObject | undefined;
  /** Raises a Kurento event from `source` to every subscriber of its type. */
  raise(source: MediaObject, type: string, fields: JsonObject): void;
  pipelineIds(): string[];
  sessionIds(): string[];
  serverVersion: string;
}
