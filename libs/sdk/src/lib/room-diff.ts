import type { ChildView, ParticipantView, RoomRole, RoomView } from '@hoot/domain';

/** What changed between two views of a room, as events a UI reacts to. */
export type RoomChange =
  | { type: 'participant-joined'; participant: ParticipantView }
  | { type: 'participant-left'; participant: ParticipantView }
  | { type: 'role-changed'; participant: ParticipantView; from: RoomRole; to: RoomRole }
  | { type: 'hand-raised'; participant: ParticipantView }
  | { type: 'hand-lowered'; participant: ParticipantView }
  | { type: 'owner-changed'; from: string | null; to: string | null }
  | { type: 'chat'; message: ChildView };

const byJoinOrder = (a: ParticipantView, b: ParticipantView) => a.joinOrder - b.joinOrder;

/**
 * The changes from `before` to `after` (pure): participants that joined or left (in join order),
 * role and hand changes, a new owner, and new chat messages (children not seen before, in order).
 * `ignore` lists participant ids whose arrival or departure is not news (this client's own ids).
 */
export function diffRoom(
  before: RoomView | undefined,
  after: RoomView,
  ignore: ReadonlySet<string> = new Set(),
): RoomChange[] {
  const changes: RoomChange[] = [];
  const prev = before?.participants ?? {};
  const next = after.participants;
  const left = Object.values(prev)
    .filter((p) => !Object.hasOwn(next, p.participantId) && !ignore.has(p.participantId))
    .sort(byJoinOrder);
  for (const participant of left) changes.push({ type: 'participant-left', participant });
  for (const participant of Object.values(next).sort(byJoinOrder)) {
    const old = Object.hasOwn(prev, participant.participantId) ? prev[participant.participantId] : undefined;
    if (!old) {
      if (!ignore.has(participant.participantId)) changes.push({ type: 'participant-joined', participant });
      if (participant.handRaised) changes.push({ type: 'hand-raised', participant });
      continue;
    }
    if (old.role !== participant.role) {
      changes.push({ type: 'role-changed', participant, from: old.role, to: participant.role });
    }
    if (!old.handRaised && participant.handRaised) changes.push({ type: 'hand-raised', participant });
    if (old.handRaised && !participant.handRaised) changes.push({ type: 'hand-lowered', participant });
  }
  const ownerBefore = before?.ownerId ?? null;
  if (before && ownerBefore !== after.ownerId) {
    changes.push({ type: 'owner-changed', from: ownerBefore, to: after.ownerId });
  }
  const seen = new Set((before?.children ?? []).map((c) => c.childId));
  if (before) {
    for (const message of after.children)
      if (!seen.has(message.childId)) changes.push({ type: 'chat', message });
  }
  return changes;
}
