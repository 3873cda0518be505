import { ApiException } from '@kubernetes/client-node';
import { K8sError, K8sErrorCode } from './k8s-error';
import { decodeWatchEvent, toK8sError } from './kube-client.adapter';

const pod = {
  metadata: { name: 'p', namespace: 'n', uid: 'u', resourceVersion: '5' },
  status: { phase: 'Running' },
};

describe('decodeWatchEvent', () => {
  it('decodes pod events, bookmarks and error statuses', () => {
    expect(decodeWatchEvent('ADDED', pod)).toMatchObject({
      type: 'ADDED',
      pod: { name: 'p', phase: 'Running' },
    });
    expect(decodeWatchEvent('DELETED', pod)).toMatchObject({ type: 'DELETED', pod: { uid: 'u' } });
    expect(decodeWatchEvent('BOOKMARK', { metadata: { resourceVersion: '9' } })).toEqual({
      type: 'BOOKMARK',
      resourceVersion: '9',
    });
    expect(
      decodeWatchEvent('ERROR', {
        kind: 'Status',
        code: 410,
        reason: 'Expired',
        message: 'too old resource version',
      }),
    ).toEqual({ type: 'ERROR', code: 410, reason: 'Expired', message: 'too old resource version' });
  });

  it('turns what it cannot read into an ERROR event instead of throwing', () => {
    expect(decodeWatchEvent('MODIFIED', { metadata: { name: 'x' } })).toMatchObject({
      type: 'ERROR',
      reason: 'Invalid',
    });
    expect(decodeWatchEvent('BOOKMARK', {})).toMatchObject({ type: 'ERROR', reason: 'Invalid' });
    expect(decodeWatchEvent('SURPRISE', pod)).toMatchObject({
      type: 'ERROR',
      message: "unknown watch event type 'SURPRISE'",
    });
    expect(decodeWatchEvent('ERROR', null)).toEqual({
      type: 'ERROR',
      message: 'watch error without a message',
    });
  });
});

describe('toK8sError', () => {
  it('maps API exceptions by status, keeping the Status message', () => {
    const forbidden = toK8sError(
      new ApiException(403, 'HTTP-Code: 403', JSON.stringify({ message: 'pods is forbidden: User "x"' }), {}),
      'listing pods',
    );
    expect(forbidden).toMatchObject({ code: K8sErrorCode.ApiForbidden, status: 403 });
    expect(forbidden.message).toBe('listing pods: pods is forbidden: User "x"');
    expect(toK8sError(new ApiException(410, '', '', {}), 'x').code).toBe(K8sErrorCode.ApiGone);
    expect(toK8sError(new ApiException(422, '', 'not json', {}), 'x').code).toBe(K8sErrorCode.ApiRejected);
    expect(toK8sError(new ApiException(503, '', '', {}), 'x').code).toBe(K8sErrorCode.ApiUnavailable);
  });

  it('maps watch HTTP errors, network errors and passes K8sErrors through', () => {
    expect(toK8sError(Object.assign(new Error('Gone'), { statusCode: 410 }), 'w').code).toBe(
      K8sErrorCode.ApiGone,
    );
    expect(toK8sError(new Error('connect ECONNREFUSED 127.0.0.1:6443'), 'w')).toMatchObject({
      code: K8sErrorCode.ApiUnavailable,
      message: 'w: connect ECONNREFUSED 127.0.0.1:6443',
    });
    const own = new K8sError(K8sErrorCode.ApiRejected, 'mine');
    expect(toK8sError(own, 'w')).toBe(own);
  });
});
