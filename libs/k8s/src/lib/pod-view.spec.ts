import { K8sError, K8sErrorCode } from './k8s-error';
import { toPodView } from './pod-view';

const metadata = {
  name: 'cash-0',
  namespace: 'hoot',
  uid: 'u-1',
  resourceVersion: '17',
  labels: { app: 'cash' },
};

describe('toPodView', () => {
  it('reads the fields of a running, ready pod (watch JSON: dates as strings)', () => {
    const view = toPodView({
      metadata,
      status: {
        phase: 'Running',
        podIP: '10.0.0.7',
        conditions: [
          { type: 'PodScheduled', status: 'True' },
          { type: 'Ready', status: 'True' },
        ],
      },
    });
    expect(view).toEqual({
      name: 'cash-0',
      namespace: 'hoot',
      uid: 'u-1',
      labels: { app: 'cash' },
      phase: 'Running',
      ready: true,
      deleting: false,
      ip: '10.0.0.7',
      resourceVersion: '17',
    });
    expect(Object.isFrozen(view)).toBe(true);
    expect(Object.isFrozen(view.labels)).toBe(true);
  });

  it('sees a deletion (Date or string timestamp) and a Ready condition that is not True', () => {
    const asDate = toPodView({
      metadata: { ...metadata, deletionTimestamp: new Date() },
      status: { conditions: [{ type: 'Ready', status: 'False' }] },
    });
    expect(asDate).toMatchObject({ deleting: true, ready: false, phase: 'Unknown' });
    expect(toPodView({ metadata: { ...metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } }).deleting).toBe(
      true,
    );
  });

  it('defaults what a fresh pod lacks: no labels, no status', () => {
    expect(toPodView({ metadata: { ...metadata, labels: null } })).toMatchObject({
      labels: {},
      phase: 'Unknown',
      ready: false,
    });
    expect(toPodView({ metadata, status: { phase: 'Weird' } }).phase).toBe('Unknown');
  });

  it.each(['name', 'namespace', 'uid', 'resourceVersion'] as const)(
    'refuses a pod without metadata.%s',
    (key) => {
      const broken = { ...metadata, [key]: undefined };
      let error: unknown;
      try {
        toPodView({ metadata: broken });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(K8sError);
      expect((error as K8sError).code).toBe(K8sErrorCode.ApiRejected);
      expect((error as K8sError).message).toContain(`metadata.${key}`);
    },
  );
});
