import { SdkError, SdkErrorCode } from '../sdk-error-codes';
import { CameraError, errorCode, mediaError } from './media-errors';

describe('media errors', () => {
  it('keeps an error with a code as it is', () => {
    const coded = Object.assign(new Error('refused'), { code: 'STREAM_NOT_READY' });
    expect(mediaError(coded, 'subscribe')).toBe(coded);
    expect(errorCode(coded)).toBe('STREAM_NOT_READY');
    expect(errorCode(new Error('plain'))).toBeUndefined();
    expect(errorCode(null)).toBeUndefined();
  });

  it("keeps a camera refusal of the publish step as the browser's", () => {
    const refused = Object.assign(new Error('denied'), { name: 'NotAllowedError' });
    expect(mediaError(refused, 'publish')).toBe(refused);
  });

  it('puts any other browser failure in our words as sdk.media-failed, the original as its cause', () => {
    const browser = Object.assign(new Error('boom'), { name: 'OperationError' });
    const mapped = mediaError(browser, 'screen-share') as SdkError;
    expect(mapped).toBeInstanceOf(SdkError);
    expect(mapped.code).toBe(SdkErrorCode.MediaFailed);
    expect(mapped.message).toBe('The browser failed while sharing your screen; it is tried again.');
    expect(mapped.cause).toBe(browser);
    const refusedElsewhere = Object.assign(new Error('denied'), { name: 'NotAllowedError' });
    expect((mediaError(refusedElsewhere, 'other') as SdkError).message).toBe(
      'The browser failed while setting up media; it is tried again.',
    );
  });

  it('CameraError carries the original failure and its message', () => {
    const original = new Error('no camera');
    const error = new CameraError(original);
    expect(error.original).toBe(original);
    expect(error.message).toBe('no camera');
    expect(new CameraError('text').message).toBe('text');
  });
});
