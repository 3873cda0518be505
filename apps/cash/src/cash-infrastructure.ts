import type { RevocationCheck, TokenVerification, TokenVerifier } from '@hoot/auth-kit';
import type { Clock } from '@hoot/domain';
import type { CcesPublisher, JournaledProducerStatus } from '@hoot/events';
import type { KmsHealthMonitor, MediaPort } from '@hoot/media';
import type { DependencyCheck } from '@hoot/service-kit';
import type { PackagerPort } from './packager/packager.port';
import type { RegistryLink } from './registry/registry-link.port';

/**
 * Everything CASH talks to, built before Nest starts (`production-infrastructure.ts`) or from fakes
 * (`testing/cash-test-app.ts`).
 */
export interface CashInfrastructure {
  clock: Clock;
  media: MediaPort;
  /** Probes the media server; its `restarted` rebuilds the rooms. */
  kmsMonitor: KmsHealthMonitor;
  /** The CCES producer (`JournaledProducer`; `InMemoryCcesPublisher` in unit specs). */
  events: CcesPublisher & { status?: () => JournaledProducerStatus };
  registry: RegistryLink;
  /** Verifies join tickets (audience `coremx:<coremxId>`): registry-signed (EdDSA) or auth-signed (RS256). */
  ticketVerifier: TokenVerification;
  /** Verifies user access tokens given in `join` (audience `AUTH_AUDIENCE`). */
  userVerifier: TokenVerifier;
  /** The revocations the verifiers consult (the revocation feed's set): live sessions are checked too. */
  revocations: RevocationCheck;
  /** Verifies service tokens of registry calls (the internal audience). */
  serviceVerifier: TokenVerifier;
  /** The CoreMX's packager (control API), when configured (`PACKAGER_*`): p2m over HLS, recording. */
  packager?: PackagerPort;
  /** Extra readiness checks (Kafka, JWKS). */
  checks: DependencyCheck[];
  /** Rooms the previous process left open that this start closed (`recovery/lost-rooms.ts`). */
  roomsClosedAtStart?: number;
  /** Changes on every start (start time in ms). */
  incarnation: number;
  /** Closes connections, last. */
  close(): Promise<void>;
}
