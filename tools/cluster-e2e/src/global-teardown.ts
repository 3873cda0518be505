/**
 * Brings the cluster down after the suite (scripts/cluster-down), unless HOOT_KEEP_CLUSTER=1 or the run
 * reused a cluster it did not start (HOOT_CLUSTER_REUSE=1). Prints the measured numbers again.
 */
import { join } from 'node:path';
import { ARTIFACTS, ROOT, readArtifact, runStep, say, writeArtifact } from './cluster';
import type { Timings } from './global-setup';

export default async function globalTeardown(): Promise<void> {
  const metrics = readArtifact<Record<string, unknown> | null>('metrics.json', null);
  const timings = readArtifact<Timings | null>('timings.json', null);
  if (timings) say(`setup timings (s): ${JSON.stringify(timings.seconds)}`);
  if (metrics) say(`metrics (${join(ARTIFACTS, 'metrics.json')}):\n${JSON.stringify(metrics, null, 2)}`);
  if (process.env['HOOT_E2E_STARTED_CLUSTER'] !== '1') {
    say('the cluster was reused: left running');
    return;
  }
  if (process.env['HOOT_KEEP_CLUSTER'] === '1') {
    say('HOOT_KEEP_CLUSTER=1: the cluster is left running (scripts/cluster-down stops it)');
    return;
  }
  const down = await runStep('cluster-down', join(ROOT, 'scripts', 'cluster-down'), []);
  if (timings) {
    timings.steps.push(down);
    writeArtifact('timings.json', { ...timings, seconds: { ...timings.seconds, clusterDown: down.seconds } });
  }
}
