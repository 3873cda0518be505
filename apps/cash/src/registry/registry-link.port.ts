import type { CoreMxReportedState } from '../coremx/coremx-state';

/** A CASH's register / heartbeat (the same call): the registry's `PUT /internal/v1/coremx/:coremxId` body. */
export interface CoreMxReport {
  address: string;
  signalingUrl: string;
  /** This CASH's service API base URL for registries (absent: they derive it from `signalingUrl`). */
  apiUrl?: string;
  state: CoreMxReportedState;
  /** 0..1 */
  load: number;
  rooms: number;
  participants: number;
  /** Rooms this CoreMX takes at most. */
  capacity: number;
  /** Changes on every CASH start (start time in ms). */
  incarnation: number;
  /** Increases with every report of one incarnation. */
  seq: number;
}

export interface RegistryAnswer {
  accepted: boolean;
  registryId: string;
  /** Which registry answered (base URL). */
  url: string;
}

/**
 * CASH's link to its registry (`HttpRegistryLink` over the SDK's failover `RegistryClient`; in unit
 * specs `InMemoryRegistryLink`). Rejects when no registry answered.
 */
export interface RegistryLink {
  report(coremxId: string, report: CoreMxReport): Promise<RegistryAnswer>;
  deregister(coremxId: string, version: { incarnation: number; seq: number }): Promise<RegistryAnswer>;
}
