/**
 * Pure lookups of a participant's media objects: where a subscription to a publisher's stream (camera or
 * shared screen) is kept, how messages and ICE targets name a screen (`stream: "screen"`, nothing for
 * the camera), which endpoint an ICE target names, and whether a re-offer names the kinds already
 * published. No state and no I/O: the room media unit and the stream negotiation use them.
 */
import type { MediaKind, StreamSource } from '@hoot/domain';
import type { MediaEndpointRef } from '@hoot/media';
import type { IceTarget } from './ice-candidate-queue';
import type { ParticipantMedia, Subscription } from './room-types';

/** Where a subscription to a publisher's stream is kept (participant ids never hold a NUL). */
export function streamKey(publisherId: string, stream: StreamSource | undefined): string {
  return stream === 'screen' ? `${publisherId}\u0000screen` : publisherId;
}

/** `stream: "screen"` on messages and ICE targets about a screen; nothing for the camera. */
export function screenTag(stream: StreamSource | undefined): { stream?: 'screen' } {
  return stream === 'screen' ? { stream: 'screen' } : {};
}

/** The participant's own endpoint for its camera or its shared screen. */
export function ownEndpoint(
  pm: ParticipantMedia | undefined,
  stream: StreamSource | undefined,
): Subscription | undefined {
  return stream === 'screen' ? pm?.screen : pm?.publish;
}

/** The endpoint an ICE target names: the participant's own (camera or screen) or a subscription. */
export function endpointOf(
  pm: ParticipantMedia | undefined,
  target: IceTarget,
): MediaEndpointRef | undefined {
  if (target.publisherId === target.participantId) return ownEndpoint(pm, target.stream)?.endpoint;
  return pm?.subscriptions.get(streamKey(target.publisherId, target.stream))?.endpoint;
}

/** The same kinds in any order. */
export function sameKinds(a: readonly MediaKind[], b: readonly MediaKind[]): boolean {
  return a.length === b.length && a.every((k) => b.includes(k));
}
