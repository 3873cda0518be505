/**
 * The CoreMX signaling protocol (apps/cash README, "Signaling protocol") as SDK types: JSON text frames
 * over `ws(s)://<coremx>/signal`. These mirror CASH's message types field by field.
 */
import type { MediaKind, RoomPatch, RoomView, StreamSource } from '@hoot/domain';

/** An ICE candidate as WebRTC gives it (`RTCIceCandidateInit` with the fields CASH accepts). */
export interface IceCandidate {
  candidate: string;
  sdpMid: string;
  sdpMLineIndex: number;
  usernameFragment?: string;
}

/** Relayed as is between the two sides of a p2p call. */
export type P2pSignal =
  | { kind: 'offer'; sdp: string }
  | { kind: 'answer'; sdp: string }
  | { kind: 'candidate'; candidate: IceCandidate };

/** Who is who in a p2p call. */
export interface P2pPeers {
  callerId: string;
  calleeId: string;
  /** Who sends the WebRTC offer (the callee). */
  offererId: string;
}

/**
 * What a client sends (the SDK adds `id`; the answer echoes it as `re`). A shared screen is a second
 * stream: published with `kinds: ['screen']` alone, addressed elsewhere with `stream: 'screen'` (absent:
 * the camera).
 */
export type ClientSignal =
  | { type: 'join'; ticket: string; displayName?: string }
  | { type: 'join'; accessToken: string; roomId: string; displayName?: string }
  | { type: 'publish'; kinds: MediaKind[]; sdpOffer?: string }
  | { type: 'unpublish'; stream?: StreamSource }
  | { type: 'subscribe'; publisherId: string; stream?: StreamSource; sdpOffer: string }
  | { type: 'unsubscribe'; publisherId: string; stream?: StreamSource }
  | { type: 'ice'; publisherId: string; stream?: StreamSource; candidate: IceCandidate }
  | { type: 'raise-hand' }
  | { type: 'lower-hand' }
  | { type: 'approve'; target: string }
  | { type: 'deny'; target: string }
  | { type: 'kick'; target: string }
  | { type: 'unban'; identity: string }
  | { type: 'leave' }
  | { type: 'end' }
  | { type: 'p2p-signal'; signal: P2pSignal }
  | { type: 'chat'; text: string };

/** Answers to a client message (they carry `re`). */
export type SignalAnswer =
  | { type: 'joined'; re?: string; participantId: string; room: RoomView; p2p?: P2pPeers }
  | { type: 'publish-answer'; re?: string; stream?: 'screen'; sdpAnswer: string }
  | { type: 'subscribe-answer'; re?: string; publisherId: string; stream?: 'screen'; sdpAnswer: string }
  | { type: 'ok'; re?: string };

/** What CASH pushes on its own. */
export type ServerPush =
  | { type: 'patch'; patch: RoomPatch }
  | { type: 'ice'; publisherId: string; stream?: 'screen'; candidate: IceCandidate }
  | { type: 'stream-ready'; publisherId: string; stream?: 'screen' }
  | { type: 'stream-ended'; publisherId: string; stream?: 'screen' }
  | { type: 'publish-request'; participantId: string }
  | { type: 'reoffer'; reason: string }
  | { type: 'p2p-signal'; from: string; signal: P2pSignal }
  | { type: 'kicked'; by: string }
  | { type: 'room-ended'; reason: string };

/** A refusal: it changed nothing and the connection stays open. */
export interface SignalRefusal {
  type: 'error';
  re?: string;
  code: string;
  message: string;
  retryAfterS?: number;
}

export type ServerSignal = SignalAnswer | ServerPush | SignalRefusal;

/** The answer type of each request type. */
export interface SignalAnswerOf {
  join: Extract<SignalAnswer, { type: 'joined' }>;
  publish: Extract<SignalAnswer, { type: 'publish-answer' | 'ok' }>;
  subscribe: Extract<SignalAnswer, { type: 'subscribe-answer' }>;
  unpublish: Extract<SignalAnswer, { type: 'ok' }>;
  unsubscribe: Extract<SignalAnswer, { type: 'ok' }>;
  ice: Extract<SignalAnswer, { type: 'ok' }>;
  'raise-hand': Extract<SignalAnswer, { type: 'ok' }>;
  'lower-hand': Extract<SignalAnswer, { type: 'ok' }>;
  approve: Extract<SignalAnswer, { type: 'ok' }>;
  deny: Extract<SignalAnswer, { type: 'ok' }>;
  kick: Extract<SignalAnswer, { type: 'ok' }>;
  unban: Extract<SignalAnswer, { type: 'ok' }>;
  leave: Extract<SignalAnswer, { type: 'ok' }>;
  end: Extract<SignalAnswer, { type: 'ok' }>;
  'p2p-signal': Extract<SignalAnswer, { type: 'ok' }>;
  chat: Extract<SignalAnswer, { type: 'ok' }>;
}

/** Close codes CASH uses. */
export const SignalingCloseCode = {
  /** The client left (`leave`). */
  Left: 1000,
  /** The server is shutting down (drain deadline, restart): join again. */
  GoingAway: 1001,
  /** The connection dropped without a close frame (crash, network). */
  Abnormal: 1006,
  /** The room ended for everyone. */
  RoomEnded: 4000,
  /** This participant was kicked. */
  Kicked: 4003,
  /** No `join` arrived in time. */
  JoinTimeout: 4008,
  /** The ticket or token the session joined with (or every token of its account) was revoked. */
  Revoked: 4001,
  /** Rate limits exceeded persistently (or too many connections not joined from one address). */
  RateLimited: 4029,
  /** A newer session of the same account joined the room and took this one's place (another tab, a reload). */
  Replaced: 4009,
} as const;

const PUSH_TYPES = new Set<ServerPush['type']>([
  'patch',
  'ice',
  'stream-ready',
  'stream-ended',
  'publish-request',
  'reoffer',
  'p2p-signal',
  'kicked',
  'room-ended',
]);

export function isServerPush(message: ServerSignal): message is ServerPush {
  return PUSH_TYPES.has(message.type as ServerPush['type']);
}
