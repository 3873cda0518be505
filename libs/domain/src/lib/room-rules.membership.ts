import { commitRoom, type RoomResult } from './room-commit';
import { RoomErrorCode, roomFailure } from './room-error-codes';
import type { RoomEndReason, RoomEventDraft } from './room-events';
import { forgetDeparture, rememberDeparture, resumedPlace, ROOM_RECONNECT_DEFAULTS } from './room-reconnect';
import type { EndCommand, JoinCommand, KickCommand, LeaveCommand, UnbanCommand } from './room-rules.commands';
import { findParticipant, freePublisherSlots, type Room, type RoomParticipant } from './room-state';
import { ROOM_TYPE_RULES, type RoomRole } from './room-types';

// Who is in the room: join (with reconnect and replacement of a live session), leave, kick, unban, and
// the end of the room. Each rule answers the next room and its events, or a refusal (room-rules.ts).

const fail = roomFailure;
const E = RoomErrorCode;

function withoutParticipant(room: Room, participantId: string): RoomParticipant[] {
  return room.participants.filter((p) => p.participantId !== participantId);
}

/**
 * Admits a session. A live session of the same identity is replaced (a reload, a second tab, a socket
 * whose death was not noticed yet): it leaves in the same change and the new one takes its place. An
 * identity whose last session left within the grace period resumes its place too: a publisher publishes
 * again (when a slot is free), keeps its seniority (so the owner is the owner again) and its join order
 * (so a p2p caller stays the caller).
 */
export function join(room: Room, c: JoinCommand): RoomResult {
  const rules = ROOM_TYPE_RULES[room.type];
  if (findParticipant(room, c.participantId)) return fail(E.ALREADY_IN_ROOM);
  if (room.kickedTickets.includes(c.ticketId)) return fail(E.TICKET_KICKED);
  if (room.bannedIdentities.includes(c.identity)) return fail(E.BANNED);
  const replaced = room.participants.filter((p) => p.identity === c.identity);
  const others = room.participants.filter((p) => p.identity !== c.identity);
  if (others.some((p) => p.ticketId === c.ticketId)) return fail(E.TICKET_IN_USE);
  const isCreator = room.creator === null || room.creator === c.identity;
  if (!room.public && room.allowed && !isCreator && !room.allowed.includes(c.identity)) {
    return fail(E.NOT_ALLOWED);
  }
  const place = resumedPlace(room, c.identity, c.at, c.resumeWithinMs ?? ROOM_RECONNECT_DEFAULTS.graceMs);
  const mayPublish = isCreator || place?.role === 'publisher';
  const slots = freePublisherSlots({ ...room, participants: others });

  let role: RoomRole;
  if (!rules.viewers) {
    if (c.role === 'viewer') return fail(E.NO_VIEWERS_IN_P2P);
    if (rules.maxParticipants !== null && others.length >= rules.maxParticipants) return fail(E.P2P_FULL);
    role = 'publisher';
  } else if (c.role === 'publisher') {
    if (!mayPublish) return fail(E.PUBLISH_NOT_GRANTED);
    if (slots === 0) return fail(E.ROOM_FULL, `at most ${rules.maxPublishers} publishers`);
    role = 'publisher';
  } else if (c.role === 'viewer' && place?.role !== 'publisher') {
    role = 'viewer';
  } else {
    // A returning publisher publishes again even with a `viewer` ticket: registries put that on every
    // ticket but the creator's ("start as a viewer"), not knowing who was approved.
    role = mayPublish && slots > 0 ? 'publisher' : 'viewer';
  }
  if (room.maxParticipants !== null && others.length >= room.maxParticipants) {
    return fail(E.PARTICIPANT_LIMIT_REACHED, `at most ${room.maxParticipants} participants`);
  }

  const seq = room.seq + 1;
  const publisherSince =
    role !== 'publisher' ? undefined : place?.role === 'publisher' ? (place.publisherSince ?? seq) : seq;
  const participant: RoomParticipant = {
    participantId: c.participantId,
    identity: c.identity,
    displayName: c.displayName ?? c.identity,
    ticketId: c.ticketId,
    role,
    joinedAt: c.at,
    joinOrder: place?.joinOrder ?? seq,
    ...(publisherSince !== undefined ? { publisherSince } : {}),
    handRaised: false,
    streams: [],
  };
  const drafts: RoomEventDraft[] = replaced.flatMap((p): RoomEventDraft[] => [
    ...streamsGone(p),
    {
      type: 'participant.left',
      participantId: p.participantId,
      identity: p.identity,
      remaining: others.length,
      replacedBy: c.participantId,
    },
  ]);
  if (room.status === 'reserved') drafts.push({ type: 'room.started' });
  const peer = room.type === 'p2p' ? others.find((p) => p.joinOrder < participant.joinOrder) : undefined;
  drafts.push({
    type: 'participant.joined',
    participantId: participant.participantId,
    identity: participant.identity,
    displayName: participant.displayName,
    role,
    joinOrder: participant.joinOrder,
    ...(peer ? { peerId: peer.participantId } : {}),
  });
  return commitRoom(
    room,
    {
      ...room,
      status: 'active',
      creator: room.creator ?? c.identity,
      startedAt: room.startedAt ?? c.at,
      emptySince: null,
      participants: [...others, participant].sort((a, b) => a.joinOrder - b.joinOrder),
      departed: forgetDeparture(room.departed, c.identity),
      seq,
    },
    drafts,
    c.at,
  );
}

/** Events for the streams a departing participant still had. */
function streamsGone(p: RoomParticipant): RoomEventDraft[] {
  return p.streams.length > 0
    ? [{ type: 'stream.unpublished', participantId: p.participantId, kinds: [...p.streams] }]
    : [];
}

export function leave(room: Room, c: LeaveCommand): RoomResult {
  const p = findParticipant(room, c.participantId);
  if (!p) return fail(E.NOT_IN_ROOM);
  const participants = withoutParticipant(room, p.participantId);
  const empty = participants.length === 0;
  return commitRoom(
    room,
    {
      ...room,
      participants,
      status: empty ? 'empty' : room.status,
      emptySince: empty ? c.at : null,
      departed: participants.some((other) => other.identity === p.identity)
        ? room.departed
        : rememberDeparture(room.departed, p, c.at),
    },
    [
      ...streamsGone(p),
      {
        type: 'participant.left',
        participantId: p.participantId,
        identity: p.identity,
        remaining: participants.length,
      },
    ],
    c.at,
  );
}

export function kick(room: Room, c: KickCommand): RoomResult {
  const by = findParticipant(room, c.by);
  if (!by) return fail(E.NOT_IN_ROOM);
  if (by.role !== 'publisher') return fail(E.NOT_A_PUBLISHER);
  const target = findParticipant(room, c.target);
  if (!target) return fail(E.TARGET_NOT_IN_ROOM);
  if (target.identity === by.identity) return fail(E.CANNOT_KICK_SELF);
  // Every session of the identity goes (the bar is per identity), so none of them may be the owner.
  const sessions = room.participants.filter((p) => p.identity === target.identity);
  if (sessions.some((p) => p.participantId === room.ownerId)) return fail(E.CANNOT_KICK_OWNER);
  if (room.creator !== null && target.identity === room.creator) return fail(E.CANNOT_KICK_CREATOR);
  const gone = new Set(sessions.map((p) => p.participantId));
  return commitRoom(
    room,
    {
      ...room,
      participants: room.participants.filter((p) => !gone.has(p.participantId)),
      kickedTickets: [...room.kickedTickets, ...sessions.map((p) => p.ticketId)],
      bannedIdentities: room.bannedIdentities.includes(target.identity)
        ? room.bannedIdentities
        : [...room.bannedIdentities, target.identity],
      departed: forgetDeparture(room.departed, target.identity),
    },
    sessions.flatMap((p): RoomEventDraft[] => [
      ...streamsGone(p),
      {
        type: 'participant.kicked',
        participantId: p.participantId,
        identity: p.identity,
        by: by.participantId,
        ticketId: p.ticketId,
      },
    ]),
    c.at,
  );
}

/** The owner or the creator lets a kicked identity join again (no event: only the bar is lifted). */
export function unban(room: Room, c: UnbanCommand): RoomResult {
  const by = findParticipant(room, c.by);
  if (!by) return fail(E.NOT_IN_ROOM);
  if (room.ownerId !== by.participantId && by.identity !== room.creator) return fail(E.NOT_OWNER);
  if (!room.bannedIdentities.includes(c.identity)) return fail(E.NOT_BANNED);
  return commitRoom(
    room,
    { ...room, bannedIdentities: room.bannedIdentities.filter((i) => i !== c.identity) },
    [],
    c.at,
  );
}

export function end(room: Room, c: EndCommand): RoomResult {
  let reason: RoomEndReason = c.reason ?? 'system';
  if (c.byIdentity !== undefined) reason = 'ended';
  if (c.by !== undefined) {
    const by = findParticipant(room, c.by);
    if (!by) return fail(E.NOT_IN_ROOM);
    // Ending for everyone is the conference's creator's (seed 001 gives the owner hands, not the room):
    // a promoted speaker who became the oldest publisher cannot end it, nor can a p2p callee end the
    // caller's conference (it hangs up by leaving).
    if (!ROOM_TYPE_RULES[room.type].anyParticipantMayEnd && by.identity !== room.creator) {
      return fail(E.NOT_CREATOR);
    }
    reason = 'ended';
  }
  return commitRoom(
    room,
    { ...room, status: 'ended', participants: [], endedAt: c.at, endReason: reason, emptySince: null },
    [
      {
        type: 'room.ended',
        by: c.by ?? c.byIdentity ?? null,
        reason,
        participantIds: room.participants.map((p) => p.participantId),
      },
    ],
    c.at,
  );
}
