import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import { type Container, envOf, rendered, VALUE_SETS } from './chart.fixture';
import { named, ofKind, render, renderFailure, WORKSPACE_ROOT, type K8sObject } from './chart.render';

/**
 * The packager's recordings (issue 18): a volume `recordings` mounted at PACKAGER_RECORDING_DIR in the
 * packager container only, a PersistentVolumeClaim per CoreMX pod by default (or an emptyDir), and the
 * folder's byte limit PACKAGER_RECORDING_MAX_BYTES.
 */
const packagerOf = (sts: K8sObject): Container =>
  sts.spec.template.spec.containers.find((c: Container) => c.name === 'packager');
const coremx = (objects: K8sObject[]) =>
  ofKind(objects, 'StatefulSet').filter(
    (s) => s.metadata.labels?.['app.kubernetes.io/component'] === 'coremx',
  );
const claims = (sts: K8sObject) =>
  (sts.spec.volumeClaimTemplates ?? []).map((c: K8sObject) => [
    c.metadata.name,
    c.spec.resources.requests.storage,
  ]);
const volume = (sts: K8sObject, name: string) =>
  sts.spec.template.spec.volumes.find((v: { name: string }) => v.name === name);

describe.each(Object.keys(VALUE_SETS))('recordings, rendered with %s', (setName) => {
  it('mount a PVC `recordings` (2Gi) at PACKAGER_RECORDING_DIR in the packager only, with a byte limit below it', () => {
    const sets = coremx(rendered[setName]);
    expect(sets.length).toBeGreaterThan(0);
    for (const sts of sets) {
      const packager = packagerOf(sts);
      expect(envOf(packager)).toMatchObject({
        PACKAGER_RECORDING_DIR: '/var/lib/hoot/recordings',
        PACKAGER_RECORDING_MAX_BYTES: '1887436800',
      });
      expect(packager.volumeMounts).toContainEqual({
        name: 'recordings',
        mountPath: '/var/lib/hoot/recordings',
      });
      expect(claims(sts)).toContainEqual(['recordings', '2Gi']);
      expect(volume(sts, 'recordings')).toBeUndefined(); // the claim, not a pod volume
      for (const other of sts.spec.template.spec.containers.filter((c: Container) => c.name !== 'packager'))
        expect(other.volumeMounts.map((m: { name: string }) => m.name)).not.toContain('recordings');
    }
  });
});

describe('recordings values', () => {
  it('take the size, storage class and limit from values', () => {
    const objects = render({
      set: [
        'coremx.recordings.size=50Gi',
        'coremx.recordings.storageClassName=fast',
        'coremx.recordings.maxBytes=48000000000',
      ],
    });
    const sts = named(objects, 'StatefulSet', 'hoot-coremx-c1');
    const claim = sts.spec.volumeClaimTemplates.find((c: K8sObject) => c.metadata.name === 'recordings');
    expect(claim.spec).toEqual({
      accessModes: ['ReadWriteOnce'],
      storageClassName: 'fast',
      resources: { requests: { storage: '50Gi' } },
    });
    expect(envOf(packagerOf(sts)).PACKAGER_RECORDING_MAX_BYTES).toBe('48000000000');
  });

  it('use an emptyDir of `size` when not persistent, next to the journal’s claim', () => {
    const sts = named(
      render({ set: ['coremx.recordings.persistent=false'] }),
      'StatefulSet',
      'hoot-coremx-c1',
    );
    expect(volume(sts, 'recordings')).toEqual({ name: 'recordings', emptyDir: { sizeLimit: '2Gi' } });
    expect(claims(sts)).toEqual([['journal', '1Gi']]);
    expect(packagerOf(sts).volumeMounts).toContainEqual({
      name: 'recordings',
      mountPath: '/var/lib/hoot/recordings',
    });
  });

  it('turn recording off entirely (no volume, no PACKAGER_RECORDING_DIR) when disabled', () => {
    const sts = named(render({ set: ['coremx.recordings.enabled=false'] }), 'StatefulSet', 'hoot-coremx-c1');
    expect(envOf(packagerOf(sts))).not.toHaveProperty('PACKAGER_RECORDING_DIR');
    expect(volume(sts, 'recordings')).toBeUndefined();
    expect(claims(sts)).toEqual([['journal', '1Gi']]);
    // Neither journal nor recordings on a claim: no volumeClaimTemplates at all.
    const none = named(
      render({ set: ['coremx.recordings.enabled=false', 'coremx.journal.persistence.enabled=false'] }),
      'StatefulSet',
      'hoot-coremx-c1',
    );
    expect(none.spec.volumeClaimTemplates).toBeUndefined();
  });

  it('refuse a limit that is not a whole number of bytes and unknown keys', () => {
    expect(renderFailure({ set: ['coremx.recordings.maxBytes=5GB'] })).toMatch(/maxBytes/);
    expect(renderFailure({ set: ['coremx.recordings.sizeLimit=1Gi'] })).toMatch(/sizeLimit/);
  });

  it('still fit the dev cluster: every claim of the local install has one of its 12 PersistentVolumes of 2Gi', () => {
    const cluster = readFileSync(join(WORKSPACE_ROOT, 'scripts/infra/cluster/lib/cluster.sh'), 'utf8');
    const pvCount = Number(/PV_COUNT="\$\{HOOT_CLUSTER_PVS:-(\d+)\}"/.exec(cluster)?.[1]);
    const pvSize = /PV_SIZE=(\S+)/.exec(cluster)?.[1];
    expect([pvCount, pvSize]).toEqual([12, '2Gi']);
    const chart = render({ valueFiles: [join(WORKSPACE_ROOT, 'k8s/overlays/local/values.yaml')] });
    const base = ['kafka', 'mongodb'].flatMap(
      (name) =>
        loadAll(readFileSync(join(WORKSPACE_ROOT, `k8s/base/${name}.yaml`), 'utf8')).filter(
          (doc) => (doc as K8sObject | null)?.kind === 'StatefulSet',
        ) as K8sObject[],
    );
    const requests = [...ofKind(chart, 'StatefulSet'), ...base].flatMap((sts) =>
      Array.from({ length: sts.spec.replicas ?? 1 }, () =>
        (sts.spec.volumeClaimTemplates ?? []).map(
          (c: K8sObject) => c.spec.resources.requests.storage as string,
        ),
      ).flat(),
    );
    const gib = (q: string) => {
      const m = /^(\d+(?:\.\d+)?)(Mi|Gi)$/.exec(q);
      return m ? Number(m[1]) / (m[2] === 'Mi' ? 1024 : 1) : Number.NaN;
    };
    // Kafka, FerretDB, and per CoreMX pod (two clouds × one) its journal and its recordings.
    expect(requests.length).toBe(6);
    expect(requests.length).toBeLessThanOrEqual(pvCount);
    for (const request of requests) expect(gib(request)).toBeLessThanOrEqual(2);
  });
});
