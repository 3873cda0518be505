/**
 * Brings the whole platform up once for the cluster suite, streaming each step with its duration to
 * stderr and recording the durations in test-artifacts/cluster/timings.json:
 *   scripts/build-images.sh → scripts/cluster-up → scripts/cluster-load-images <images> →
 *   scripts/cluster-install → every pod of the namespace Ready.
 * HOOT_CLUSTER_REUSE=1 never builds, starts or stops anything: it waits for the deployed release and its Ready
 * pods (and fails when there is none). Without it, a cluster that already answers is used but never brought
 * down; one this run started is brought down by the teardown, or at once when a step fails (unless
 * HOOT_KEEP_CLUSTER=1): Jest runs no teardown when the setup throws.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  ARTIFACTS,
  IMAGES,
  KUBECONFIG,
  NAMESPACE,
  RELEASE,
  ROOT,
  clusterAnswers,
  releaseDeployed,
  runStep,
  say,
  waitAllPodsReady,
  writeArtifact,
  type StepTiming,
} from './cluster';

export interface Timings {
  mode: 'fresh' | 'reuse';
  startedAt: string;
  steps: StepTiming[];
  /** Seconds per phase, for the report (absent when the phase did not run). */
  seconds: {
    imageBuild?: number;
    clusterStart?: number;
    imageLoad?: number;
    install?: number;
    /** From the install's start until every pod is Ready. */
    installToAllPodsReady?: number;
    /** Reuse: until every pod of the running release is Ready. */
    podsReady?: number;
    total: number;
  };
}

const script = (name: string) => join(ROOT, 'scripts', name);

export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  rmSync(ARTIFACTS, { recursive: true, force: true });
  const reuse = process.env['HOOT_CLUSTER_REUSE'] === '1';
  const timings: Timings = {
    mode: reuse ? 'reuse' : 'fresh',
    startedAt: new Date(started).toISOString(),
    steps: [],
    seconds: { total: 0 },
  };
  const save = () => {
    timings.seconds.total = Math.round((Date.now() - started) / 100) / 10;
    writeArtifact('timings.json', timings);
  };
  const step = async (name: string, command: string, args: string[] = []) => {
    try {
      const timing = await runStep(name, command, args);
      timings.steps.push(timing);
      return timing.seconds;
    } catch (error) {
      const timing = (error as { timing?: StepTiming }).timing;
      if (timing) timings.steps.push(timing);
      save();
      throw error;
    }
  };

  // The browser of the suite (Debian's chromium; milliseconds when installed).
  await step('chromium', script('infra/chromium.sh'));

  if (reuse) {
    // Someone else's cluster: never build, start or stop anything; wait for the release and its pods.
    say(`HOOT_CLUSTER_REUSE=1: waiting for release ${RELEASE} in ${NAMESPACE} (${KUBECONFIG})`);
    const t0 = Date.now();
    while (!(await releaseDeployed())) {
      if (Date.now() - t0 > 600_000) {
        save();
        throw new Error(
          `HOOT_CLUSTER_REUSE=1 but no deployed release ${RELEASE} in ${NAMESPACE} answers through ${KUBECONFIG} ` +
            'within 10 min: start one (scripts/cluster-up + scripts/cluster-install) or run without HOOT_CLUSTER_REUSE',
        );
      }
      await new Promise((r) => setTimeout(r, 5_000));
    }
    await waitAllPodsReady(600_000);
    timings.seconds.podsReady = Math.round((Date.now() - t0) / 100) / 10;
    say(`all pods Ready in ${timings.seconds.podsReady} s`);
    save();
    return;
  }

  // A cluster that already answers was started by someone else: use it, but never bring it down.
  const alreadyUp = await clusterAnswers();
  if (alreadyUp) say(`a cluster already answers through ${KUBECONFIG}: it will be left running`);
  else process.env['HOOT_E2E_STARTED_CLUSTER'] = '1';
  try {
    timings.seconds.imageBuild = await step('build-images', script('build-images.sh'));
    timings.seconds.clusterStart = await step('cluster-up', script('cluster-up'));
    timings.seconds.imageLoad = await step('load-images', script('cluster-load-images'), IMAGES);
    const installStarted = Date.now();
    timings.seconds.install = await step('install', script('cluster-install'));
    say('waiting for every pod to be Ready…');
    await waitAllPodsReady(600_000);
    timings.seconds.installToAllPodsReady = Math.round((Date.now() - installStarted) / 100) / 10;
    say(`install → all pods Ready: ${timings.seconds.installToAllPodsReady} s`);
    save();
    say(`cluster ready in ${timings.seconds.total} s (timings: ${join(ARTIFACTS, 'timings.json')})`);
  } catch (error) {
    save();
    if (!alreadyUp && process.env['HOOT_KEEP_CLUSTER'] !== '1') {
      say('setup failed: bringing the cluster down (HOOT_KEEP_CLUSTER=1 keeps it)');
      await runStep('cluster-down', script('cluster-down'), []).catch((e: unknown) => say(String(e)));
    }
    throw error;
  }
}
