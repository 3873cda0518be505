import type { ParticipantView, RoomView } from '@hoot/domain';
import { p2pSides, publishKinds, publishersWithStreams, receiveKinds } from './media-plan';

const person = (id: string, joinOrder: number, extra: Partial<ParticipantView> = {}): ParticipantView => ({
  participantId: id,
  identity: `acc-${id}`,
  displayName: id,
  role: 'viewer',
  joinOrder,
  joinedAt: joinOrder,
  handRaised: false,
  streams: [],
  ...extra,
});

const room = (type: RoomView['type'], people: ParticipantView[]): RoomView => ({
  id: 'r-1',
  type,
  status: 'active',
  version: 1,
  ownerId: null,
  creator: null,
  participants: Object.fromEntries(people.map((p) => [p.participantId, p])),
  children: [],
});

describe('media plan', () => {
  it('sends camera and microphone as a publisher, audio only in a2m, nothing as a viewer', () => {
    expect(publishKinds('m2m', 'publisher')).toEqual(['audio', 'video']);
    expect(publishKinds('p2m', 'publisher')).toEqual(['audio', 'video']);
    expect(publishKinds('a2m', 'publisher')).toEqual(['audio']);
    expect(publishKinds('m2m', 'viewer')).toEqual([]);
    expect(publishKinds('m2m', undefined)).toEqual([]);
    expect(receiveKinds('a2m')).toEqual(['audio']);
    expect(receiveKinds('m2m')).toEqual(['audio', 'video']);
  });

  it('subscribes to other publishers that have a stream, in join order', () => {
    const view = room('m2m', [
      person('c', 3, { role: 'publisher', streams: ['audio'] }),
      person('a', 1, { role: 'publisher', streams: ['audio', 'video'] }),
      person('me', 2, { role: 'publisher', streams: ['audio', 'video'] }),
      person('quiet', 4, { role: 'publisher' }),
      person('viewer', 5),
    ]);
    expect(publishersWithStreams(view, 'me')).toEqual(['a', 'c']);
  });

  it('in a call the first to join is the caller and the callee offers, from either side', () => {
    const view = room('p2p', [
      person('callee', 2, { role: 'publisher' }),
      person('caller', 1, { role: 'publisher' }),
    ]);
    expect(p2pSides(view, 'callee')).toEqual({
      callerId: 'caller',
      calleeId: 'callee',
      offererId: 'callee',
      peerId: 'caller',
    });
    expect(p2pSides(view, 'caller')).toMatchObject({ offererId: 'callee', peerId: 'callee' });
    expect(p2pSides(room('p2p', [person('caller', 1)]), 'caller')).toBeUndefined();
    expect(p2pSides(view, 'stranger')).toBeUndefined();
    expect(p2pSides(room('m2m', [person('a', 1), person('b', 2)]), 'a')).toBeUndefined();
  });
});
