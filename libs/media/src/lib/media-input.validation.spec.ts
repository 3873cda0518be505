import fc from 'fast-check';
import { MediaError, MediaErrorCode } from './media-error.exception';
import {
  MEDIA_INPUT_LIMITS,
  validateEndpointOptions,
  validateIceCandidate,
  validateRoomId,
  validateSdpOffer,
  validateWiring,
} from './media-input.validation';
import type { MediaEndpointRef } from './media.port';

function invalidArgument(fn: () => unknown): MediaError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(MediaError);
  expect((caught as MediaError).code).toBe(MediaErrorCode.InvalidArgument);
  return caught as MediaError;
}

const OFFER = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n';

describe('media input validation', () => {
  it('accepts good input as is', () => {
    expect(validateRoomId('standup')).toBe('standup');
    expect(validateEndpointOptions({ kind: 'publish' })).toEqual({ kind: 'publish', audioOnly: false });
    expect(validateEndpointOptions({ kind: 'subscribe', audioOnly: true })).toEqual({
      kind: 'subscribe',
      audioOnly: true,
    });
    expect(validateSdpOffer(OFFER)).toBe(OFFER);
    const candidate = { candidate: 'candidate:1 1 udp 1 10.0.0.1 9 typ host', sdpMid: '0', sdpMLineIndex: 0 };
    expect(validateIceCandidate(candidate)).toEqual(candidate);
    expect(validateIceCandidate({ candidate: '', sdpMid: '0', sdpMLineIndex: 0 }).candidate).toBe('');
  });

  it.each([
    ['an empty room id', () => validateRoomId('')],
    ['a room id that is not a string', () => validateRoomId(42)],
    ['a room id with a newline', () => validateRoomId('a\nb')],
    ['an overlong room id', () => validateRoomId('r'.repeat(MEDIA_INPUT_LIMITS.roomIdMaxLength + 1))],
    ['missing endpoint options', () => validateEndpointOptions(undefined)],
    ['an unknown endpoint kind', () => validateEndpointOptions({ kind: 'record' })],
    ['a non-boolean audioOnly', () => validateEndpointOptions({ kind: 'publish', audioOnly: 'yes' })],
    ['an offer that is not a string', () => validateSdpOffer({ sdp: OFFER })],
    ['an offer that is not SDP', () => validateSdpOffer('hello')],
    ['an offer without media', () => validateSdpOffer('v=0\r\ns=-\r\n')],
    ['an oversized offer', () => validateSdpOffer(OFFER + 'a=x\r\n'.repeat(MEDIA_INPUT_LIMITS.sdpMaxLength))],
    ['a missing candidate', () => validateIceCandidate(null)],
    [
      'a candidate line that is not one',
      () => validateIceCandidate({ candidate: 'x', sdpMid: '0', sdpMLineIndex: 0 }),
    ],
    [
      'a candidate without sdpMid',
      () => validateIceCandidate({ candidate: 'candidate:1', sdpMLineIndex: 0 }),
    ],
    [
      'a negative m-line index',
      () => validateIceCandidate({ candidate: 'candidate:1', sdpMid: '0', sdpMLineIndex: -1 }),
    ],
    [
      'a fractional m-line index',
      () => validateIceCandidate({ candidate: 'candidate:1', sdpMid: '0', sdpMLineIndex: 0.5 }),
    ],
  ])('refuses %s with MEDIA_INVALID_ARGUMENT', (_what, fn) => {
    expect(invalidArgument(fn).message).toMatch(/^\w+: /);
  });

  it('names the operation in the error', () => {
    expect(invalidArgument(() => validateSdpOffer('nope', 'processOffer')).operation).toBe('processOffer');
  });

  it('refuses wiring other than publish to subscribe within one pipeline', () => {
    const ref = (kind: 'publish' | 'subscribe', pipelineId = 'p1'): MediaEndpointRef => ({
      type: 'endpoint',
      id: `${pipelineId}/${kind}`,
      pipelineId,
      roomId: 'r',
      kind,
      audioOnly: false,
      generation: 0,
    });
    expect(() => validateWiring(ref('publish'), ref('subscribe'))).not.toThrow();
    invalidArgument(() => validateWiring(ref('subscribe'), ref('subscribe')));
    invalidArgument(() => validateWiring(ref('publish'), ref('publish')));
    invalidArgument(() => validateWiring(ref('publish', 'p1'), ref('subscribe', 'p2')));
  });

  it('throws nothing but MEDIA_INVALID_ARGUMENT on arbitrary input', () => {
    const validators = [validateRoomId, validateEndpointOptions, validateSdpOffer, validateIceCandidate];
    fc.assert(
      fc.property(fc.anything(), (input) => {
        for (const validate of validators) {
          let outcome: unknown = 'accepted';
          try {
            validate(input);
          } catch (error) {
            outcome = error instanceof MediaError ? error.code : error;
          }
          expect(['accepted', MediaErrorCode.InvalidArgument]).toContain(outcome);
        }
      }),
    );
  });
});
