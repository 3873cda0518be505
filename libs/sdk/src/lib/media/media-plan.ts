import {
  ROOM_TYPE_RULES,
  type MediaKind,
  type ParticipantView,
  type RoomType,
  type RoomView,
} from '@hoot/domain';
import type { HlsStreamAccess } from '@hoot/contracts';
import type { CodecLike } from './media-environment';

/**
 * Pure decisions of `MediaSession`: what a participant sends, whom it receives, and who offers in a call.
 * Kept apart from the WebRTC plumbing so they are tested without a browser.
 */

/** What a participant of this role sends in a room of this type: nothing for viewers, audio only in a2m. */
export function publishKinds(type: RoomType, role: ParticipantView['role'] | undefined): MediaKind[] {
  if (role !== 'publisher') return [];
  return type === 'a2m' ? ['audio'] : ['audio', 'video'];
}

/** What a subscriber asks for from a publisher of this room type. */
export function receiveKinds(type: RoomType): MediaKind[] {
  return type === 'a2m' ? ['audio'] : ['audio', 'video'];
}

/** Whether the participant publishes its camera or microphone (its shared screen is another stream). */
export function hasCameraStream(p: Pick<ParticipantView, 'streams'>): boolean {
  return p.streams.some((k) => k !== 'screen');
}

/**
 * Publishers (other than `me`) whose camera stream is on the media server: the ones to subscribe to.
 * A publisher that only shares its screen has no camera stream to receive.
 */
export function publishersWithStreams(view: RoomView, me: string): string[] {
  return Object.values(view.participants)
    .filter((p) => p.participantId !== me && p.role === 'publisher' && hasCameraStream(p))
    .sort((a, b) => a.joinOrder - b.joinOrder)
    .map((p) => p.participantId);
}

/** Participants (other than `me`) sharing a screen, in join order: the screens to receive. */
export function screenSharers(view: RoomView, me: string): string[] {
  return Object.values(view.participants)
    .filter((p) => p.participantId !== me && p.role === 'publisher' && p.streams.includes('screen'))
    .sort((a, b) => a.joinOrder - b.joinOrder)
    .map((p) => p.participantId);
}

/**
 * Whether `me` may share a screen now, or why not (the room type's rules, the role, someone else
 * sharing already); the server decides, this lets an app say why before asking. A p2p call sends its
 * media peer to peer and has no second stream.
 */
export function screenShareAllowed(
  view: RoomView,
  me: string,
): { ok: true } | { ok: false; reason: 'room-type' | 'not-publisher' | 'taken'; by?: string } {
  const rules = ROOM_TYPE_RULES[view.type];
  if (rules.maxScreens === 0) return { ok: false, reason: 'room-type' };
  if (view.participants[me]?.role !== 'publisher') return { ok: false, reason: 'not-publisher' };
  if (view.participants[me].streams.includes('screen')) return { ok: true };
  const sharing = Object.values(view.participants).filter((p) => p.streams.includes('screen'));
  if (sharing.length >= rules.maxScreens) return { ok: false, reason: 'taken', by: sharing[0].participantId };
  return { ok: true };
}

/**
 * The LL-HLS access to play `publisherId`'s stream with instead of a WebRTC subscription, if any: only in
 * p2m rooms, never for our own stream, and only when the server offered one (a CoreMX without a packager,
 * or an older CASH, offers none and the stream is received over WebRTC as before).
 */
export function hlsAccessFor(
  view: Pick<RoomView, 'type'>,
  me: string,
  accesses: readonly HlsStreamAccess[] | undefined,
  publisherId: string,
  stream: 'screen' | undefined,
): HlsStreamAccess | undefined {
  if (view.type !== 'p2m' || publisherId === me) return undefined;
  return accesses?.find((a) => a.publisherId === publisherId && a.stream === stream);
}

/**
 * Whether a publisher in this room type asks for H.264 first: every room whose video goes through the media
 * server — p2m, whose streams are packaged as LL-HLS, and m2m, whose streams may be recorded — because the
 * packager copies video and takes H.264 only (kms-lite never transcodes; with Kurento it spares a transcode).
 * Every browser that publishes also decodes H.264, so subscribers lose nothing. Not p2p (peer to peer: the
 * two browsers agree between themselves) nor a2m (no video).
 */
export function prefersH264(type: RoomType): boolean {
  return type === 'p2m' || type === 'm2m';
}

/**
 * The browser's video codecs with H.264 first (packetization mode 1 and Constrained Baseline before
 * other H.264 profiles, which every HLS player decodes), the rest after in the browser's order. Without
 * H.264 the list is returned as it is.
 */
export function preferH264(codecs: readonly CodecLike[]): CodecLike[] {
  const rank = (c: CodecLike): number => {
    if (c.mimeType.toLowerCase() !== 'video/h264') return 3;
    const fmtp = (c.sdpFmtpLine ?? '').toLowerCase();
    const modeOne = fmtp.includes('packetization-mode=1');
    if (modeOne && /profile-level-id=42e0/.test(fmtp)) return 0;
    return modeOne ? 1 : 2;
  };
  return codecs
    .map((codec, index) => ({ codec, index, rank: rank(codec) }))
    .sort((a, b) => a.rank - b.rank || a.index - b.index)
    .map((entry) => entry.codec);
}

export interface P2pSides {
  callerId: string;
  calleeId: string;
  /** The callee sends the WebRTC offer to the caller (seed 001). */
  offererId: string;
  /** The other side, seen from `me`. */
  peerId: string;
}

/** The two sides of a p2p call once both are in (the first to join is the caller), seen from `me`. */
export function p2pSides(view: RoomView, me: string): P2pSides | undefined {
  if (view.type !== 'p2p') return undefined;
  const people = Object.values(view.participants).sort((a, b) => a.joinOrder - b.joinOrder);
  if (people.length !== 2 || !people.some((p) => p.participantId === me)) return undefined;
  const [caller, callee] = people;
  return {
    callerId: caller.participantId,
    calleeId: callee.participantId,
    offererId: callee.participantId,
    peerId: caller.participantId === me ? callee.participantId : caller.participantId,
  };
}
