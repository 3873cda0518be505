import { forwardableH264, h264Profile, matchingCodec, withForwardableH264Only } from './codecs';
import { CHROMIUM_OFFERS } from './testing/chromium-offers';

describe('h264Profile (RFC 6184 profile-level-id)', () => {
  it.each([
    ['42e01f', 'constrained-baseline'],
    ['42c01f', 'constrained-baseline'],
    ['42001f', 'baseline'],
    ['4d001f', 'main'],
    ['4d801f', 'constrained-baseline'],
    ['58c01f', 'constrained-baseline'],
    ['64001f', 'high'],
    ['f4001f', 'other'],
  ])('%s → %s', (id, profile) => {
    expect(h264Profile(id)).toBe(profile);
  });

  it('knows no profile in a malformed id', () => {
    expect(h264Profile('42e0')).toBeUndefined();
    expect(h264Profile('zz001f')).toBeUndefined();
  });
});

describe('forwardableH264', () => {
  it.each([
    ['level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f', true],
    ['packetization-mode=1;profile-level-id=42001f', true],
    ['packetization-mode=1', true],
    ['level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42e01f', false],
    ['profile-level-id=42e01f', false],
    ['packetization-mode=1;profile-level-id=64001f', false],
    ['packetization-mode=1;profile-level-id=4d001f', false],
  ])('%s → %s', (fmtp, forwardable) => {
    expect(forwardableH264(fmtp)).toBe(forwardable);
  });
});

describe('withForwardableH264Only', () => {
  it('takes the H.264 formats kms-lite cannot forward, and the RTX repairing them, out of a Chromium offer', () => {
    const filtered = withForwardableH264Only(CHROMIUM_OFFERS.h264Only);
    expect(/^m=video 9 \S+ (.*)$/m.exec(filtered)?.[1]).toBe('102 103 106 107');
    expect(filtered).not.toMatch(/a=(rtpmap|fmtp|rtcp-fb):(104|105|108|109|127|125|39|40) /);
    expect(filtered).toContain('a=fmtp:107 apt=106');
  });

  it('leaves audio and offers without H.264 unchanged', () => {
    expect(withForwardableH264Only(CHROMIUM_OFFERS.vp8Only)).toBe(CHROMIUM_OFFERS.vp8Only);
  });
});

describe('matchingCodec', () => {
  const vp8 = { mimeType: 'video/VP8', clockRate: 90000, parameters: '', payloadType: 96 };
  const baseline = {
    mimeType: 'video/H264',
    clockRate: 90000,
    parameters: 'packetization-mode=1;profile-level-id=42001f',
    payloadType: 102,
  };
  const constrained = {
    mimeType: 'video/H264',
    clockRate: 90000,
    parameters: 'packetization-mode=1;profile-level-id=42e01f',
    payloadType: 106,
  };

  it('picks the same encoding, preferring the same H.264 profile', () => {
    const packet = {
      mimeType: 'video/h264',
      clockRate: 90000,
      parameters: 'packetization-mode=1;profile-level-id=42e01f',
    };
    expect(matchingCodec([vp8, baseline, constrained], packet)).toBe(constrained);
    expect(matchingCodec([vp8, baseline], packet)).toBe(baseline);
  });

  it('finds nothing when the sink negotiated another encoding (no transcoding)', () => {
    const packet = { mimeType: 'video/h264', clockRate: 90000, parameters: 'packetization-mode=1' };
    expect(matchingCodec([vp8], packet)).toBeUndefined();
    expect(
      matchingCodec([baseline], { mimeType: 'video/vp8', clockRate: 90000, parameters: '' }),
    ).toBeUndefined();
  });
});
