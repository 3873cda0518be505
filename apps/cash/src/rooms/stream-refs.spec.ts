import type { MediaEndpointRef } from '@hoot/media';
import type { ParticipantMedia } from './room-types';
import { endpointOf, ownEndpoint, sameKinds, screenTag, streamKey } from './stream-refs';

const ref = (id: string) => ({ id }) as unknown as MediaEndpointRef;
const sub = (id: string) => ({ endpoint: ref(id), stopIce: () => undefined });

describe('stream refs (pure)', () => {
  it('keys a screen apart from the camera, and tags only the screen', () => {
    expect(streamKey('p-1', 'camera')).toBe('p-1');
    expect(streamKey('p-1', undefined)).toBe('p-1');
    expect(streamKey('p-1', 'screen')).not.toBe('p-1');
    expect(screenTag('screen')).toEqual({ stream: 'screen' });
    expect(screenTag('camera')).toEqual({});
  });

  it("finds the endpoint an ICE target names: one's own camera or screen, or a subscription", () => {
    const pm: ParticipantMedia = {
      publish: sub('cam'),
      screen: sub('scr'),
      subscriptions: new Map([
        [streamKey('p-2', 'camera'), sub('p2-cam')],
        [streamKey('p-2', 'screen'), sub('p2-scr')],
      ]),
    };
    expect(ownEndpoint(pm, 'camera')?.endpoint.id).toBe('cam');
    expect(ownEndpoint(pm, 'screen')?.endpoint.id).toBe('scr');
    const target = { roomId: 'r', participantId: 'p-1' };
    expect(endpointOf(pm, { ...target, publisherId: 'p-1' })?.id).toBe('cam');
    expect(endpointOf(pm, { ...target, publisherId: 'p-1', stream: 'screen' })?.id).toBe('scr');
    expect(endpointOf(pm, { ...target, publisherId: 'p-2' })?.id).toBe('p2-cam');
    expect(endpointOf(pm, { ...target, publisherId: 'p-2', stream: 'screen' })?.id).toBe('p2-scr');
    expect(endpointOf(pm, { ...target, publisherId: 'p-3' })).toBeUndefined();
    expect(endpointOf(undefined, { ...target, publisherId: 'p-1' })).toBeUndefined();
  });

  it('compares kinds in any order', () => {
    expect(sameKinds(['audio', 'video'], ['video', 'audio'])).toBe(true);
    expect(sameKinds(['audio'], ['audio', 'video'])).toBe(false);
    expect(sameKinds(['audio', 'video'], ['audio', 'screen'])).toBe(false);
  });
});
