import type { RevocationCheck } from '@hoot/auth-kit';
import type { PodWatcher } from '@hoot/k8s';
import type { DependencyCheck } from '@hoot/service-kit';
import type { ConferencesRuntime } from './conferences/conferences.runtime';
import type { RegistryNode } from './gcas/registry-node';
import type { WebhooksRuntime } from './webhooks/webhooks.runtime';

/**
 * Everything a registry node runs on, built before Nest starts (`production-infrastructure.ts`); started
 * and stopped by `RegistryLifecycle`.
 */
export interface RegistryInfrastructure {
  /** The GCAS node: gossip with its peers, CoreMX liveness, judging. */
  node: RegistryNode;
  /**
   * Auth's revocations (jti, per-subject: revoked tokens and disabled accounts), kept current from the
   * revocation topic: every user and service token is checked against them; readiness fails while the
   * feed has not read the topic to its end.
   */
  revocations: { check: RevocationCheck; isCaughtUp: () => boolean };
  /** Webhooks: API service, intake and dispatcher. */
  webhooks: WebhooksRuntime;
  /** Conferences: API service, re-homing, directory consumer, re-home timer. */
  conferences: ConferencesRuntime;
  /** In a cluster (`K8S_POD_WATCH`): marks a deleted CoreMX pod's CoreMX down at once. */
  podWatcher?: PodWatcher;
  /** Readiness of the connections (MongoDB). */
  checks: DependencyCheck[];
  /** Closes the revocation feed and the connections, last. */
  close(): Promise<void>;
}
