import { commitRoom, type RoomResult } from './room-commit';
import { RoomErrorCode, roomFailure } from './room-error-codes';
import type {
  ApproveCommand,
  DenyCommand,
  LowerHandCommand,
  PublishCommand,
  RaiseHandCommand,
  UnpublishCommand,
} from './room-rules.commands';
import {
  findParticipant,
  freePublisherSlots,
  screenSharers,
  type Room,
  type RoomParticipant,
} from './room-state';
import { MEDIA_KINDS, ROOM_TYPE_RULES, type MediaKind } from './room-types';

// Who is on stage: publishing and unpublishing streams, raised hands, and the owner's approve (the one
// place a viewer becomes a publisher) and deny. Each rule answers the next room and its events, or a
// refusal (room-rules.ts).

const fail = roomFailure;
const E = RoomErrorCode;

function sortKinds(kinds: Iterable<MediaKind>): MediaKind[] {
  const set = new Set(kinds);
  return MEDIA_KINDS.filter((k) => set.has(k));
}

function replaceParticipant(room: Room, next: RoomParticipant): RoomParticipant[] {
  return room.participants.map((p) => (p.participantId === next.participantId ? next : p));
}

export function publish(room: Room, c: PublishCommand): RoomResult {
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

export function unpublish(room: Room, c: UnpublishCommand): RoomResult {
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

export function raiseHand(room: Room, c: RaiseHandCommand): RoomResult {
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

export function lowerHand(room: Room, c: LowerHandCommand): RoomResult {
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
export function approve(room: Room, c: ApproveCommand): RoomResult {
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

export function deny(room: Room, c: DenyCommand): RoomResult {
  const target = ownerDecision(room, c);
  if ('ok' in target) return target;
  return commitRoom(
    room,
    { ...room, participants: replaceParticipant(room, lowered(target)) },
    [{ type: 'hand.denied', participantId: target.participantId, by: c.by }],
    c.at,
  );
}
