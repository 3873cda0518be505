import { MediaError, MediaErrorCode } from '@hoot/media';
import { CashError, CashErrorCode } from '../cash-error';
import { mediaFailure } from './room-media';

describe('mediaFailure', () => {
  it('turns media errors into the codes clients see, with a retry hint when worth retrying', () => {
    expect(mediaFailure(new MediaError(MediaErrorCode.SdpRejected, 'bad sdp'))).toMatchObject({
      code: CashErrorCode.SdpRejected,
    });
    expect(mediaFailure(new MediaError(MediaErrorCode.InvalidArgument, 'bad'))).toMatchObject({
      code: CashErrorCode.InvalidMessage,
      message: 'bad',
    });
    expect(mediaFailure(new MediaError(MediaErrorCode.ObjectGone, 'gone'))).toMatchObject({
      code: CashErrorCode.MediaUnavailable,
      retryAfterS: 2,
    });
    expect(mediaFailure(new Error('socket closed'))).toMatchObject({
      code: CashErrorCode.MediaUnavailable,
      retryAfterS: 5,
    });
    const own = new CashError(CashErrorCode.InvalidMessage, 'mine');
    expect(mediaFailure(own)).toBe(own);
  });
});
