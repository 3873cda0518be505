import type { DependencyCheck } from '@hoot/service-kit';

/**
 * The readiness check of the revocation feed: down until the feed has read auth's revocation topic to the
 * end it had at start, so no replica takes traffic while it could still accept a token revoked earlier.
 */
export function revocationReadiness(isCaughtUp: () => boolean): DependencyCheck {
  return {
    name: 'revocations',
    check: async () => {
      if (!isCaughtUp()) throw new Error('not caught up with the revocation topic');
    },
  };
}
