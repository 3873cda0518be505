import { JsonPatchError, applyPatches, diffJson, type JsonValue, type PatchOp } from './json-patch';
import { RoomErrorCode, roomFailure, type RoomFailure } from './room-error-codes';
import type { Room, RoomStatus } from './room-state';
import type { MediaKind, RoomRole, RoomType } from './room-types';

/** One participant as observers see it (no ticket). */
export interface ParticipantView {
  participantId: string;
  identity: string;
  displayName: string;
  role: RoomRole;
  /** Sort by this for join order. */
  joinOrder: number;
  joinedAt: number;
  handRaised: boolean;
  streams: MediaKind[];
}

export interface ChildView {
  childId: string;
  by: string;
  identity: string;
  /**
   * The author's display name when it wrote: stays after the author left, was kicked or reloaded, so a
   * client never has to show the raw identity (optional only for views made before it existed).
   */
  displayName?: string;
  text: string;
  at: number;
}

/**
 * The room object as its reporter (the CASH that holds the room) publishes it to observers (seed 003):
 * plain JSON, versioned. Participants are keyed by participant id so a change to one is a small patch.
 */
export interface RoomView {
  id: string;
  type: RoomType;
  status: RoomStatus;
  version: number;
  ownerId: string | null;
  creator: string | null;
  participants: Record<string, ParticipantView>;
  children: ChildView[];
}

/** Versioned changes from one view to the next; apply only to a view at `fromVersion`. */
export interface RoomPatch {
  roomId: string;
  fromVersion: number;
  toVersion: number;
  ops: PatchOp[];
}

/** The observers' view of a room. */
export function roomSnapshot(room: Room): RoomView {
  const participants: Record<string, ParticipantView> = {};
  for (const p of [...room.participants].sort((a, b) => a.joinOrder - b.joinOrder)) {
    Object.defineProperty(participants, p.participantId, {
      value: {
        participantId: p.participantId,
        identity: p.identity,
        displayName: p.displayName,
        role: p.role,
        joinOrder: p.joinOrder,
        joinedAt: p.joinedAt,
        handRaised: p.handRaised,
        streams: [...p.streams],
      },
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return {
    id: room.id,
    type: room.type,
    status: room.status,
    version: room.version,
    ownerId: room.ownerId,
    creator: room.creator,
    participants,
    children: room.children.map((c) => ({
      childId: c.childId,
      by: c.by,
      identity: c.identity,
      displayName: c.displayName,
      text: c.text,
      at: c.at,
    })),
  };
}

/** The participants of a view in join order. */
export function participantsInJoinOrder(view: RoomView): ParticipantView[] {
  return Object.values(view.participants).sort((a, b) => a.joinOrder - b.joinOrder);
}

/** JSON-Patch-like ops turning view `a` into view `b` (`applyPatches(a, ops)` deep-equals `b`). */
export function diffRoomViews(a: RoomView, b: RoomView): PatchOp[] {
  return diffJson(a as unknown as JsonValue, b as unknown as JsonValue);
}

/** The patch from `a` to `b`, with the versions it goes between. */
export function roomPatch(a: RoomView, b: RoomView): RoomPatch {
  return { roomId: b.id, fromVersion: a.version, toVersion: b.version, ops: diffRoomViews(a, b) };
}

export type ApplyRoomPatchResult = { ok: true; view: RoomView } | RoomFailure;

/**
 * An observer applies a patch: refused with PATCH_VERSION_MISMATCH unless the view is at the patch's
 * `fromVersion` (a missed patch: take a new snapshot), PATCH_INVALID if it does not apply or does not
 * land on `toVersion`. The view passed in is never changed.
 */
export function applyRoomPatch(view: RoomView, patch: RoomPatch): ApplyRoomPatchResult {
  if (patch.roomId !== view.id) {
    return roomFailure(RoomErrorCode.PATCH_INVALID, `the patch is for room ${patch.roomId}, not ${view.id}`);
  }
  if (patch.fromVersion !== view.version) {
    return roomFailure(
      RoomErrorCode.PATCH_VERSION_MISMATCH,
      `the view is at version ${view.version}, the patch goes from ${patch.fromVersion}`,
    );
  }
  try {
    const next = applyPatches(view as unknown as JsonValue, patch.ops) as unknown as RoomView;
    if (
      next === null ||
      typeof next !== 'object' ||
      next.version !== patch.toVersion ||
      next.id !== view.id
    ) {
      return roomFailure(
        RoomErrorCode.PATCH_INVALID,
        `the patch does not lead to version ${patch.toVersion}`,
      );
    }
    return { ok: true, view: next };
  } catch (error) {
    if (error instanceof JsonPatchError) return roomFailure(RoomErrorCode.PATCH_INVALID, error.message);
    throw error;
  }
}
