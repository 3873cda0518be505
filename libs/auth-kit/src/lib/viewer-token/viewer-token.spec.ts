import { PackagerErrorCode } from '@hoot/contracts';
import { signViewerToken, verifyViewerToken } from './viewer-token';

const key = Buffer.from('k'.repeat(48));
const now = 1_800_000_000_000;
const claims = { conferenceId: 'standup', streamId: 'stream-abcdef', exp: now / 1000 + 60 };

describe('viewer tokens', () => {
  it('accepts a token signed with the key, for its stream, before it expires', () => {
    expect(verifyViewerToken(key, signViewerToken(key, claims), 'stream-abcdef', now)).toEqual({
      ok: true,
      claims,
    });
  });

  it.each([
    ['missing', undefined, PackagerErrorCode.TokenMissing],
    ['empty', '', PackagerErrorCode.TokenMissing],
    ['not a token', 'hello', PackagerErrorCode.TokenInvalid],
    ['three parts', `${signViewerToken(key, claims)}.x`, PackagerErrorCode.TokenInvalid],
    [
      'signed with another key',
      signViewerToken(Buffer.from('o'.repeat(48)), claims),
      PackagerErrorCode.TokenInvalid,
    ],
    ['expired', signViewerToken(key, { ...claims, exp: now / 1000 }), PackagerErrorCode.TokenExpired],
    [
      'for another stream',
      signViewerToken(key, { ...claims, streamId: 'other-stream' }),
      PackagerErrorCode.TokenWrongStream,
    ],
    ['huge', 'a'.repeat(5000), PackagerErrorCode.TokenInvalid],
  ])('refuses a token %s with its stable code', (_name, token, code) => {
    const check = verifyViewerToken(key, token, 'stream-abcdef', now);
    expect(check).toMatchObject({ ok: false, code });
  });

  it('refuses a payload changed after signing and claims of the wrong shape', () => {
    const [, signature] = signViewerToken(key, claims).split('.');
    const forged = Buffer.from(JSON.stringify({ ...claims, exp: claims.exp + 3600 })).toString('base64url');
    expect(verifyViewerToken(key, `${forged}.${signature}`, 'stream-abcdef', now)).toMatchObject({
      code: PackagerErrorCode.TokenInvalid,
    });
    const odd = signViewerToken(key, { ...claims, exp: 'never' } as unknown as typeof claims);
    expect(verifyViewerToken(key, odd, 'stream-abcdef', now)).toMatchObject({
      code: PackagerErrorCode.TokenInvalid,
    });
  });
});
