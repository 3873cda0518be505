import { DISPLAY_NAME_MAX_LENGTH, checkIdField, checkTimestamp } from './room-input';
import type { RoomEndReason } from './room-events';
import { MEDIA_KINDS, isMediaKind, type MediaKind, type RoomRole } from './room-types';

// The commands of the room state machine (`applyRoomCommand`, room-rules.ts) and their shape check:
// commands may come from the network, so every field is checked before a rule reads it.

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
