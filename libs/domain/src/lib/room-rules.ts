import { addChild } from './room-children';
import { commitRoom, type RoomResult } from './room-commit';
import { DISPLAY_NAME_MAX_LENGTH, checkIdField, checkTimestamp } from './room-input';
import { RoomErrorCode, roomFailure } from './room-error-codes';
import type { RoomEndReason, RoomEventDraft } from './room-events';
import { forgetDeparture, rememberDeparture, resumedPlace, ROOM_RECONNECT_DEFAULTS } from './room-reconnect';
import {
  findParticipant,
  freePublisherSlots,
  screenSharers,
  type Room,
  type RoomParticipant,
} from './room-state';
import { MEDIA_KINDS, ROOM_TYPE_RULES, isMediaKind, type MediaKind, type RoomRole } from './room-types';

interface CommandBase<T extends string> {
  type: T;
  /** When it happens, epoch ms (the caller's clock: the rules never read one). */
  at: number;
}

export interface JoinCommand extends CommandBase<'join'> {
  participantId: string;
  identity: string;
  ticketId: string;
  /** Defaults to the identity. */
  displayName?: string;
  /**
   * Absent: publisher for the creator (when a slot is free) and in p2p, viewer for everyone else.
   * `viewer` does not demote an identity that resumes a publisher's place (see `resumeWithinMs`).
   */
  role?: RoomRole;
  /**
   * How long after its last session left an identity resumes its place (role, join order, publisher
   * seniority); default `ROOM_RECONNECT_DEFAULTS.graceMs`. A live session of the same identity is always
   * replaced (it leaves, `participant.left` with `replacedBy`) and its place resumed.
   */
  resumeWithinMs?: number;
}
export interface LeaveCommand extends CommandBase<'leave'> {
  participantId: string;
}
export interface PublishCommand extends CommandBase<'publish'> {
  participantId: string;
  kinds: MediaKind[];
}
export interface UnpublishCommand extends CommandBase<'unpublish'> {
  participantId: string;
  /** Absent: every published kind. */
  kinds?: MediaKind[];
}
export interface RaiseHandCommand extends CommandBase<'raiseHand'> {
  participantId: string;
}
export interface LowerHandCommand extends CommandBase<'lowerHand'> {
  participantId: string;
}
/** The owner accepts a viewer's publish request. */
export interface ApproveCommand extends CommandBase<'approve'> {
  by: string;
  target: string;
}
export interface DenyCommand extends CommandBase<'deny'> {
  by: string;
  target: string;
}
/**
 * A publisher removes someone (seed 001), except the owner and the conference's creator. The target's
 * ticket and identity are barred from the room until its owner or creator lets the identity back (`unban`).
 */
export interface KickCommand extends CommandBase<'kick'> {
  by: string;
  target: string;
}
/** The owner or the creator lets a kicked identity join again. */
export interface UnbanCommand extends CommandBase<'unban'> {
  /** Participant id of the owner or the creator. */
  by: string;
  /** The identity to let back. */
  identity: string;
}
/**
 * Ends the room: by the conference's creator from inside the room (in p2p the caller; the callee may
 * only leave), by the
 * conference's owner from outside the room (`byIdentity`), or by the platform when neither is given.
 */
export interface EndCommand extends CommandBase<'end'> {
  /** Participant id of whoever ends it from inside the room (the creator; in p2p the caller). */
  by?: string;
  /**
   * Identity of the conference's owner ending it from outside the room (through the registry, which
   * checked that ownership): reason `ended`, and `room.ended.by` is this identity. Not with `by` or `reason`.
   */
  byIdentity?: string;
  /** Only without `by` and `byIdentity`: why the platform ends it (default `system`). */
  reason?: Exclude<RoomEndReason, 'ended'>;
}
export interface AddChildCommand extends CommandBase<'addChild'> {
  by: string;
  text: string;
  parentId?: string;
}

export type RoomCommand =
  | JoinCommand
  | LeaveCommand
  | PublishCommand
  | UnpublishCommand
  | RaiseHandCommand
  | LowerHandCommand
  | ApproveCommand
  | DenyCommand
  | KickCommand
  | UnbanCommand
  | EndCommand
  | AddChildCommand;

export type RoomCommandType = RoomCommand['type'];
export const ROOM_COMMAND_TYPES: readonly RoomCommandType[] = [
  'join',
  'leave',
  'publish',
  'unpublish',
  'raiseHand',
  'lowerHand',
  'approve',
  'deny',
  'kick',
  'unban',
  'end',
  'addChild',
];

const PLATFORM_END_REASONS: readonly string[] = ['system', 'empty-timeout', 'reservation-timeout'];

type Fields = Record<string, unknown>;

function checkKinds(value: unknown, field: string): string | undefined {
  if (!Array.isArray(value) || value.length === 0) return `${field} must be a non-empty list of media kinds`;
  if (!value.every(isMediaKind)) return `${field} may only hold ${MEDIA_KINDS.join(', ')}`;
  if (new Set(value).size !== value.length) return `${field} has duplicates`;
  if (value.includes('screen') && value.length > 1) {
    return `${field}: screen is published alone (it is a stream of its own)`;
  }
  return undefined;
}

/** Undefined when the command is well formed; else what is wrong. Commands may come from the network. */
export function checkRoomCommand(command: unknown): string | undefined {
  if (typeof command !== 'object' || command === null || Array.isArray(command))
    return 'a command must be an object';
  const c = command as Fields;
  if (typeof c['type'] !== 'string' || !(ROOM_COMMAND_TYPES as readonly string[]).includes(c['type'])) {
    return `type must be one of ${ROOM_COMMAND_TYPES.join(', ')}`;
  }
  const at = checkTimestamp(c['at'], 'at');
  if (at) return at;
  const ids = (...fields: string[]) => fields.map((f) => checkIdField(c[f], f)).find((p) => p !== undefined);
  switch (c['type'] as RoomCommandType) {
    case 'join': {
      const p = ids('participantId', 'identity', 'ticketId');
      if (p) return p;
      const name = c['displayName'];
      if (name !== undefined) {
        if (typeof name !== 'string' || name.trim().length === 0)
          return 'displayName must be a non-blank string';
        if ([...name].length > DISPLAY_NAME_MAX_LENGTH) {
          return `displayName is longer than ${DISPLAY_NAME_MAX_LENGTH} chars`;
        }
      }
      const role = c['role'];
      if (role !== undefined && role !== 'publisher' && role !== 'viewer')
        return 'role must be publisher or viewer';
      const grace = c['resumeWithinMs'];
      if (grace !== undefined && (!Number.isSafeInteger(grace) || (grace as number) < 0)) {
        return 'resumeWithinMs must be an integer >= 0';
      }
      return undefined;
    }
    case 'leave':
    case 'raiseHand':
    case 'lowerHand':
      return ids('participantId');
    case 'publish':
      return ids('participantId') ?? checkKinds(c['kinds'], 'kinds');
    case 'unpublish':
      return ids('participantId') ?? (c['kinds'] === undefined ? undefined : checkKinds(c['kinds'], 'kinds'));
    case 'approve':
    case 'deny':
    case 'kick':
      return ids('by', 'target');
    case 'unban':
      return ids('by', 'identity');
    case 'end': {
      if (c['by'] !== undefined && c['byIdentity'] !== undefined) return 'give by or byIdentity, not both';
      for (const field of ['by', 'byIdentity']) {
        if (c[field] === undefined) continue;
        const p = ids(field);
        if (p) return p;
        if (c['reason'] !== undefined) return 'reason is only for platform ends (without by or byIdentity)';
        return undefined;
      }
      if (c['reason'] !== undefined && !PLATFORM_END_REASONS.includes(c['reason'] as string)) {
        return `reason must be one of ${PLATFORM_END_REASONS.join(', ')}`;
      }
      return undefined;
    }
    case 'addChild':
      return ids('by') ?? (typeof c['text'] === 'string' ? undefined : 'text must be a string');
  }
}

const fail = roomFailure;
const E = RoomErrorCode;

function sortKinds(kinds: Iterable<MediaKind>): MediaKind[] {
  const set = new Set(kinds);
  return MEDIA_KINDS.filter((k) => set.has(k));
}

function replaceParticipant(room: Room, next: RoomParticipant): RoomParticipant[] {
  return room.participants.map((p) => (p.participantId === next.participantId ? next : p));
}

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
function join(room: Room, c: JoinCommand): RoomResult {
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

function leave(room: Room, c: LeaveCommand): RoomResult {
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

function publish(room: Room, c: PublishCommand): RoomResult {
  const p = findParticipant(room, c.participantId);
  if (!p) return fail(E.NOT_IN_ROOM);
  if (p.role !== 'publisher') return fail(E.NOT_A_PUBLISHER);
  const rules = ROOM_TYPE_RULES[room.type];
  if (c.kinds.includes('video') && !rules.kinds.includes('video')) {
    return fail(E.VIDEO_NOT_ALLOWED);
  }
  const already = c.kinds.filter((k) => p.streams.includes(k));
  if (already.length > 0) return fail(E.STREAM_ALREADY_PUBLISHED, already.join(', '));
  if (c.kinds.includes('screen')) {
    if (rules.maxScreens === 0)
      return fail(E.SCREEN_SHARE_NOT_ALLOWED, `not in a ${rules.title.toLowerCase()}`);
    const sharing = screenSharers(room);
    if (sharing.length >= rules.maxScreens) {
      return fail(E.SCREEN_SHARE_TAKEN, sharing.map((s) => s.displayName).join(', '));
    }
  }
  const kinds = sortKinds(c.kinds);
  return commitRoom(
    room,
    {
      ...room,
      participants: replaceParticipant(room, { ...p, streams: sortKinds([...p.streams, ...kinds]) }),
    },
    [{ type: 'stream.published', participantId: p.participantId, kinds }],
    c.at,
  );
}

function unpublish(room: Room, c: UnpublishCommand): RoomResult {
  const p = findParticipant(room, c.participantId);
  if (!p) return fail(E.NOT_IN_ROOM);
  if (p.role !== 'publisher') return fail(E.NOT_A_PUBLISHER);
  const kinds = sortKinds(c.kinds ?? p.streams);
  const missing = kinds.filter((k) => !p.streams.includes(k));
  if (kinds.length === 0 || missing.length > 0) {
    return fail(E.STREAM_NOT_PUBLISHED, missing.length > 0 ? missing.join(', ') : 'nothing is published');
  }
  return commitRoom(
    room,
    {
      ...room,
      participants: replaceParticipant(room, { ...p, streams: p.streams.filter((k) => !kinds.includes(k)) }),
    },
    [{ type: 'stream.unpublished', participantId: p.participantId, kinds }],
    c.at,
  );
}

function raiseHand(room: Room, c: RaiseHandCommand): RoomResult {
  const p = findParticipant(room, c.participantId);
  if (!p) return fail(E.NOT_IN_ROOM);
  if (p.role === 'publisher') return fail(E.ALREADY_PUBLISHER);
  if (p.handRaised) return fail(E.HAND_ALREADY_RAISED);
  return commitRoom(
    room,
    { ...room, participants: replaceParticipant(room, { ...p, handRaised: true, handRaisedAt: c.at }) },
    [{ type: 'hand.raised', participantId: p.participantId, ownerId: room.ownerId }],
    c.at,
  );
}

function lowered(p: RoomParticipant): RoomParticipant {
  const { handRaisedAt: _dropped, ...rest } = p;
  return { ...rest, handRaised: false };
}

function lowerHand(room: Room, c: LowerHandCommand): RoomResult {
  const p = findParticipant(room, c.participantId);
  if (!p) return fail(E.NOT_IN_ROOM);
  if (!p.handRaised) return fail(E.HAND_NOT_RAISED);
  return commitRoom(
    room,
    { ...room, participants: replaceParticipant(room, lowered(p)) },
    [{ type: 'hand.lowered', participantId: p.participantId }],
    c.at,
  );
}

/** Common checks of approve and deny: the owner decides on a raised hand. */
function ownerDecision(
  room: Room,
  c: ApproveCommand | DenyCommand,
): RoomParticipant | ReturnType<typeof fail> {
  const by = findParticipant(room, c.by);
  if (!by) return fail(E.NOT_IN_ROOM);
  if (room.ownerId !== by.participantId) return fail(E.NOT_OWNER);
  const target = findParticipant(room, c.target);
  if (!target) return fail(E.TARGET_NOT_IN_ROOM);
  if (!target.handRaised) return fail(E.HAND_NOT_RAISED);
  return target;
}

/** The one place a viewer becomes a publisher: refused (ROOM_FULL) when no slot is free. */
function approve(room: Room, c: ApproveCommand): RoomResult {
  const target = ownerDecision(room, c);
  if ('ok' in target) return target;
  if (freePublisherSlots(room) === 0) {
    return fail(E.ROOM_FULL, `at most ${ROOM_TYPE_RULES[room.type].maxPublishers} publishers`);
  }
  const seq = room.seq + 1;
  const promoted: RoomParticipant = { ...lowered(target), role: 'publisher', publisherSince: seq };
  return commitRoom(
    room,
    { ...room, participants: replaceParticipant(room, promoted), seq },
    [
      { type: 'hand.approved', participantId: target.participantId, by: c.by },
      {
        type: 'participant.role-changed',
        participantId: target.participantId,
        from: 'viewer',
        to: 'publisher',
      },
    ],
    c.at,
  );
}

function deny(room: Room, c: DenyCommand): RoomResult {
  const target = ownerDecision(room, c);
  if ('ok' in target) return target;
  return commitRoom(
    room,
    { ...room, participants: replaceParticipant(room, lowered(target)) },
    [{ type: 'hand.denied', participantId: target.participantId, by: c.by }],
    c.at,
  );
}

function kick(room: Room, c: KickCommand): RoomResult {
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
function unban(room: Room, c: UnbanCommand): RoomResult {
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

function end(room: Room, c: EndCommand): RoomResult {
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

/**
 * The room state machine: applies one command and answers the new room and the events it caused, or a
 * refusal with a stable code (the room is never changed by a refusal, and never mutated at all).
 * Being pure and synchronous, it is the atomic decision point: whoever owns the room applies commands
 * one at a time, so limits (publisher slots, p2p's two sides) can never be exceeded.
 */
export function applyRoomCommand(room: Room, command: RoomCommand): RoomResult {
  const problem = checkRoomCommand(command);
  if (problem) return fail(E.INVALID_COMMAND, problem);
  if (room.status === 'ended') return fail(E.ROOM_ENDED);
  switch (command.type) {
    case 'join':
      return join(room, command);
    case 'leave':
      return leave(room, command);
    case 'publish':
      return publish(room, command);
    case 'unpublish':
      return unpublish(room, command);
    case 'raiseHand':
      return raiseHand(room, command);
    case 'lowerHand':
      return lowerHand(room, command);
    case 'approve':
      return approve(room, command);
    case 'deny':
      return deny(room, command);
    case 'kick':
      return kick(room, command);
    case 'unban':
      return unban(room, command);
    case 'end':
      return end(room, command);
    case 'addChild':
      return addChild(room, {
        by: command.by,
        text: command.text,
        at: command.at,
        parentId: command.parentId,
      });
  }
}

/** The owner, as a participant (the oldest publisher). */
export function roomOwner(room: Room): RoomParticipant | undefined {
  return room.ownerId === null ? undefined : findParticipant(room, room.ownerId);
}
