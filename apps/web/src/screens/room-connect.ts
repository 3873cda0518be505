import type { RoomSession } from '@hoot/sdk';
import type { AppContext } from '../app-context';
import { errorCode } from '../lib/error-messages';
import type { Route } from '../lib/routes';

/** Ticket refusals after which joining again through the registry may work (a fresh ticket). */
const FRESH_TICKET_HELPS = new Set([
  'TICKET_EXPIRED',
  'TICKET_WRONG_COREMX',
  'TICKET_INVALID',
  'TICKET_USED',
  'ROOM_NOT_FOUND',
]);

/**
 * Joins the room of a route: with the ticket and signaling URL of a join link when there are some
 * (no registry call), else through the registry (`POST /v1/join` at this registry, which resolves the
 * address in any cloud). A stale link falls back to the registry when we are signed in.
 */
export async function connectRoom(
  ctx: AppContext,
  route: Extract<Route, { name: 'room' }>,
  displayName: string | undefined,
): Promise<RoomSession> {
  const options = displayName ? { displayName } : {};
  const address = route.address;
  if (route.direct) {
    try {
      return await ctx.client.joinRoom(address ?? '', {
        ...options,
        joinAnswer: { ...route.direct, ...(address ? { address } : {}) },
      });
    } catch (error) {
      if (!ctx.user() || !FRESH_TICKET_HELPS.has(errorCode(error))) throw error;
    }
  }
  const target = address ?? (await ctx.client.getConference(route.conferenceId)).address;
  return ctx.client.joinRoom(target, options);
}
