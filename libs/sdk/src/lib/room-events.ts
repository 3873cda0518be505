import type { RoomView, StreamSource } from '@hoot/domain';
import { diffRoom } from './room-diff';
import type { RoomSessionEvents } from './room-session.types';
import type { HlsStreamAccess, RecordingStatus, ServerPush } from '@hoot/contracts';

/**
 * The events a room session derives, pure: from two views of the room (`roomChangeEvents`: who joined
 * or left, roles, owner, hands, chat, then `change`), and from the server's pushes that become events as
 * they are (`pushEvent`: a publish request with the participant it is about, ICE, stream ready or
 * ended, reoffer, p2p signals), and from the HLS streams and the recording a new snapshot (`joined`)
 * brings compared with what the session knew (`hlsSnapshotEvents`, `recordingSnapshotEvents`).
 * `RoomSession` emits them in the order given.
 */

/** One event with its payload. */
export type RoomEvent = {
  [K in keyof RoomSessionEvents]: { event: K; payload: RoomSessionEvents[K] };
}[keyof RoomSessionEvents];

/** The server pushes `RoomSession` listens to: every one the contract names. */
export { SERVER_PUSH_TYPES as PUSH_TYPES } from '@hoot/contracts';

/** What changed from `before` to `after` (participants in `ignore` left out), then `change`. */
export function roomChangeEvents(
  before: RoomView | undefined,
  after: RoomView,
  ignore: ReadonlySet<string>,
): RoomEvent[] {
  const events: RoomEvent[] = [];
  for (const change of diffRoom(before, after, ignore)) {
    switch (change.type) {
      case 'participant-joined':
      case 'participant-left':
      case 'hand-raised':
      case 'hand-lowered':
        events.push({ event: change.type, payload: change.participant });
        break;
      case 'role-changed':
        events.push({
          event: 'role-changed',
          payload: { participant: change.participant, from: change.from, to: change.to },
        });
        break;
      case 'owner-changed':
        events.push({ event: 'owner-changed', payload: { from: change.from, to: change.to } });
        break;
      case 'chat':
        events.push({ event: 'chat', payload: change.message });
        break;
    }
  }
  events.push({ event: 'change', payload: after });
  return events;
}

/** The pushes that are events as they are. */
export type EventPush = Extract<
  ServerPush,
  { type: 'publish-request' | 'ice' | 'stream-ready' | 'stream-ended' | 'reoffer' | 'p2p-signal' }
>;

/** The event of a push that becomes one as it is (`view`: the room it arrived in). */
export function pushEvent(push: EventPush, view: RoomView): RoomEvent {
  switch (push.type) {
    case 'publish-request':
      return {
        event: 'publish-request',
        payload: {
          participantId: push.participantId,
          participant: Object.hasOwn(view.participants, push.participantId)
            ? view.participants[push.participantId]
            : undefined,
        },
      };
    case 'ice':
      return {
        event: 'ice',
        payload: { publisherId: push.publisherId, ...streamField(push.stream), candidate: push.candidate },
      };
    case 'stream-ready':
    case 'stream-ended':
      return { event: push.type, payload: { publisherId: push.publisherId, ...streamField(push.stream) } };
    case 'reoffer':
      return { event: 'reoffer', payload: { reason: push.reason } };
    case 'p2p-signal':
      return { event: 'p2p-signal', payload: { from: push.from, signal: push.signal } };
  }
}

/** `stream: 'screen'` on the wire for the shared screen; nothing for the camera (the protocol's default). */
export function streamField(stream: StreamSource | undefined): { stream?: 'screen' } {
  return stream === 'screen' ? { stream: 'screen' } : {};
}

/** The key of one publisher's stream (its camera, or its shared screen) in the session's HLS state. */
export function hlsKey(publisherId: string, stream: 'screen' | undefined): string {
  return stream === 'screen' ? `${publisherId}\u0000screen` : publisherId;
}

/**
 * What a new snapshot's live HLS streams (`joined.hls`, after a reconnection) change against the ones
 * the session knew: `hls-ended` for each stream gone or replaced (a new `streamId`), `hls-stream` for each
 * new one, and a renewal (`renewed: true`) for a known stream with a new playlist URL (a fresh token).
 */
export function hlsSnapshotEvents(
  before: ReadonlyMap<string, HlsStreamAccess>,
  after: readonly HlsStreamAccess[],
): RoomEvent[] {
  const next = new Map(after.map((access) => [hlsKey(access.publisherId, access.stream), access]));
  const events: RoomEvent[] = [];
  for (const [key, old] of before) {
    if (next.get(key)?.streamId === old.streamId) continue;
    events.push({
      event: 'hls-ended',
      payload: { publisherId: old.publisherId, ...streamField(old.stream), streamId: old.streamId },
    });
  }
  for (const [key, access] of next) {
    const old = before.get(key);
    if (old?.streamId === access.streamId && old.playlistUrl === access.playlistUrl) continue;
    events.push({ event: 'hls-stream', payload: { access, renewed: old?.streamId === access.streamId } });
  }
  return events;
}

/**
 * What a new snapshot's recording (`joined.recording`) changes against the one the session knew. A
 * recording that ended while the session was away is reported stopped with reason `stopped` (the
 * snapshot does not say why).
 */
export function recordingSnapshotEvents(
  before: RecordingStatus | undefined,
  after: RecordingStatus | undefined,
): RoomEvent[] {
  if (before?.recordingId === after?.recordingId) return [];
  return [
    ...(before
      ? [
          {
            event: 'recording-stopped',
            payload: { recordingId: before.recordingId, reason: 'stopped' },
          } as const,
        ]
      : []),
    ...(after ? [{ event: 'recording-started', payload: { recording: after } } as const] : []),
  ];
}
