import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { eventually } from '@hoot/testing';
import type { Page } from 'playwright-core';
import { ClusterBrowser, framesDecoded, mediaHealth, myTile, readSampler, roomState } from '../src/browser';
import { KubectlHoot } from '../src/cli';
import { say, writeArtifact } from '../src/cluster';
import { Metrics } from '../src/metrics';
import {
  registryPods,
  kubectlJson,
  coremxAt,
  coremxPods,
  createPeople,
  registryGet,
  registryNodes,
  userToken,
  type Cloud,
  type Person,
  type RegistryNode,
} from '../src/platform';

export const CONFERENCE_ID = `cl-${randomBytes(3).toString('hex')}`;
/** How long the platform may take for one recovery (a drain deadline, a pod restart, a re-join). */
export const RECOVERY_MS = 240_000;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- registry and CLI JSON are walked freely
export type Json = Record<string, any>;

/**
 * The one run through the cluster (cluster.cluster-spec.ts): its steps build on each other, so the state
 * they share lives here (the registries, alice's and bob's pages, the CLI, the tokens, the measured numbers),
 * with the waits and checks the steps share. The helpers are bound (the spec destructures them).
 */
export class ClusterRun {
  readonly metrics = new Metrics();
  readonly mediaLog: Record<string, unknown>[] = [];
  registries!: Record<Cloud, RegistryNode>;
  people!: Record<string, Person>;
  browser!: ClusterBrowser;
  cli!: KubectlHoot;
  readonly tokens: Record<string, string> = {};
  readonly followers: ChildProcess[] = [];
  alice!: Page;
  bob!: Page;
  address = '';
  /** Times bob had to raise his hand again after a re-join (the role is not kept, see the report). */
  bobRepromoted = 0;

  readonly url = (cloud: Cloud) => this.registries[cloud].url;
  readonly aliceToken = () => this.tokens['alice'];

  /** Runs a step; screenshots of every page after it, and with -FAILED in the name when it throws. */
  readonly step = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    say(`step: ${name}`);
    try {
      const result = await fn();
      await this.browser?.shotAll(name);
      return result;
    } catch (error) {
      await this.browser?.shotAll(`${name}-FAILED`);
      throw error;
    }
  };

  /** The conference as cloud 1's registry answers it to alice. */
  readonly conference = (): Promise<Json> =>
    registryGet(this.url('c1'), this.aliceToken(), `/v1/conferences/${CONFERENCE_ID}`);

  /** Waits until both registries list every CoreMX pod alive and agree on the set. */
  readonly bothCloudsSeeAllCoreMxAlive = async (description: string): Promise<string[]> => {
    return eventually(
      async () => {
        const pods = (await coremxPods()).map((p) => p.coremxId).sort();
        expect(pods.length).toBeGreaterThanOrEqual(2);
        const views: string[][] = [];
        for (const cloud of ['c1', 'c2'] as const) {
          const alive = (await coremxAt(this.url(cloud), this.aliceToken()))
            .filter((c) => c.liveness === 'alive')
            .map((c) => c.coremxId)
            .sort();
          views.push(alive);
        }
        expect(views[0]).toEqual(pods);
        expect(views[1]).toEqual(pods);
        return pods;
      },
      { timeoutMs: RECOVERY_MS, intervalMs: 1_000, description },
    );
  };

  /** Polls a page's decoded frames until they are above 0 and then above that first reading. */
  readonly videoFlows = async (page: Page, who: string, timeoutMs = RECOVERY_MS): Promise<void> => {
    try {
      await this.decodesAndKeepsDecoding(page, who, timeoutMs);
    } finally {
      // What the SDK's media health check saw and rebuilt (in the artifacts, and in the log on a failure).
      const health = await mediaHealth(page).catch((error: unknown) => ({ unreadable: String(error) }));
      this.mediaLog.push({ at: new Date().toISOString(), who, ...health });
      writeArtifact('media-health.json', this.mediaLog);
      say(`${who}'s media: ${JSON.stringify(health)}`);
    }
  };

  readonly decodesAndKeepsDecoding = async (page: Page, who: string, timeoutMs: number): Promise<void> => {
    const first = await eventually(
      async () => {
        const n = await framesDecoded(page);
        expect(n).toBeGreaterThan(0);
        return n;
      },
      { timeoutMs, intervalMs: 250, description: `${who} decodes video` },
    );
    await eventually(async () => expect(await framesDecoded(page)).not.toBe(first), {
      timeoutMs: 60_000,
      intervalMs: 250,
      description: `${who} keeps decoding video`,
    });
  };

  /** Waits until the page's room is live again after `since` (a re-join seen by the sampler, or none). */
  readonly liveAgain = async (page: Page, who: string): Promise<void> => {
    await eventually(async () => expect(await roomState(page)).toBe('live'), {
      timeoutMs: RECOVERY_MS,
      intervalMs: 500,
      description: `${who}'s room live`,
    });
  };

  /** bob publishes: if a re-join made him a viewer again, he raises his hand and alice approves. */
  readonly bobPublishes = async (): Promise<void> => {
    const role = await eventually(
      async () => {
        const r = await myTile(this.bob).getAttribute('data-role', { timeout: 5_000 });
        expect(r === 'viewer' || r === 'publisher').toBe(true);
        return r;
      },
      { timeoutMs: 60_000, intervalMs: 500, description: "bob's own tile" },
    );
    if (role === 'publisher') return;
    const bobId = (await myTile(this.bob).getAttribute('data-participant-id')) ?? '';
    await this.bob.getByTestId('raise-hand').click();
    const request = this.alice.locator(`[data-testid="publish-request"][data-participant-id="${bobId}"]`);
    await request.waitFor({ timeout: 60_000 });
    await request.getByTestId('approve').click();
    await eventually(async () => expect(await myTile(this.bob).getAttribute('data-role')).toBe('publisher'), {
      timeoutMs: 60_000,
      intervalMs: 250,
      description: 'bob a publisher',
    });
  };

  /** Rejoins counted by each page's sampler since `from`. */
  readonly rejoinsSince = async (from: number): Promise<Record<string, number>> => {
    return {
      alice: (await readSampler(this.alice)).rejoins.filter((t) => t >= from).length,
      bob: (await readSampler(this.bob)).rejoins.filter((t) => t >= from).length,
    };
  };

  /** The first time after `from` a page decoded a new frame after its last re-join. */
  readonly videoBackAt = async (page: Page, from: number): Promise<number | null> => {
    const { samples, rejoins } = await readSampler(page);
    const rejoinedAt = rejoins.filter((t) => t >= from).at(-1) ?? from;
    let previous: number | undefined;
    for (const s of samples) {
      if (s.t >= rejoinedAt && s.frames > 0 && previous !== undefined && s.frames !== previous) return s.t;
      if (s.t >= rejoinedAt) previous = s.frames;
    }
    return null;
  };

  /** alice creates (or asks again for) a conference at cloud 1, as the web app does. */
  readonly postConference = (id: string): Promise<Response> =>
    fetch(`${this.url('c1')}/v1/conferences`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.aliceToken()}` },
      body: JSON.stringify({ id, type: 'm2m', allowed: [] }),
    });

  /** Waits until a Kafka pod other than `victimUid` is there and Ready. */
  readonly kafkaBack = async (victimUid: string): Promise<void> => {
    await eventually(
      async () => {
        const pods = await kubectlJson(['get', 'pods', '-l', 'app.kubernetes.io/name=kafka']);
        const now = (pods.items as Json[]).find((p) => !p['metadata']['deletionTimestamp']);
        expect(now?.['metadata']['uid']).toBeDefined();
        expect(now?.['metadata']['uid']).not.toBe(victimUid);
        expect(
          (now?.['status']['conditions'] as Json[] | undefined)?.some(
            (c) => c['type'] === 'Ready' && c['status'] === 'True',
          ),
        ).toBe(true);
      },
      { timeoutMs: RECOVERY_MS, intervalMs: 1_000, description: 'Kafka pod back and Ready' },
    );
  };

  /** Every event on a CoreMX topic, as `kubectl hoot events -o json` prints them (through the Kubernetes API). */
  readonly cliEvents = async (coremxId: string): Promise<Json[]> => {
    const out = await this.cli.ok([
      'events',
      '--coremx',
      coremxId,
      '--brokers',
      'hoot-kafka:9092',
      '-o',
      'json',
    ]);
    return out
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as Json);
  };

  /** One CoreMX as `kubectl hoot coremx list -o json` shows it. */
  readonly cliCoreMx = async (coremxId: string): Promise<Json | undefined> =>
    ((await this.cli.json(['coremx', 'list']))['coremx'] as Json[]).find((c) => c['coremxId'] === coremxId);

  /**
   * `kubectl hoot events --follow --from-beginning` on a CoreMX topic (stopped at the latest in `tearDown`):
   * the events it printed so far, its stderr, and the CoreMX states it reported after the first `n` events.
   */
  followEvents(coremxId: string) {
    const follower = this.cli.spawn([
      'events',
      '--coremx',
      coremxId,
      '--follow',
      '--from-beginning',
      '--brokers',
      'hoot-kafka:9092',
      '-o',
      'json',
    ]);
    this.followers.push(follower);
    let followed = '';
    let followErr = '';
    follower.stdout?.on('data', (d) => (followed += String(d)));
    follower.stderr?.on('data', (d) => (followErr += String(d)));
    const events = (): Json[] =>
      followed
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l) as Json);
    const statesSince = (n: number): string[] =>
      events()
        .slice(n)
        .filter((e) => e['type'] === 'coremx.state-changed')
        .map((e) => String(e['data']?.['to']));
    return { process: follower, events, stderr: () => followErr, statesSince };
  }

  /**
   * Polls a registry's NodePort with the API (counting answers and failures in `polls`) until its Deployment
   * has two Ready replicas again, `victim` not among them.
   */
  readonly nodePortAnswersUntilReplicasBack = async (
    node: RegistryNode,
    victim: string,
    polls: { ok: number; failed: number },
  ): Promise<void> => {
    await eventually(
      async () => {
        try {
          await coremxAt(node.url, this.aliceToken());
          polls.ok += 1;
        } catch {
          polls.failed += 1;
        }
        const now = await registryPods(node.deployment);
        expect(now.some((p) => p.name === victim)).toBe(false);
        expect(now.filter((p) => p.ready).length).toBeGreaterThanOrEqual(2);
        expect(polls.ok).toBeGreaterThan(0);
      },
      {
        timeoutMs: RECOVERY_MS,
        intervalMs: 250,
        description: `${node.deployment} back to 2 Ready replicas`,
      },
    );
  };

  /** Finds both NodePorts ready, signs alice and bob in, opens the browser and the CLI. */
  async setUp(): Promise<void> {
    this.registries = await registryNodes();
    say(`registries: c1 ${this.url('c1')}, c2 ${this.url('c2')}`);
    // Ready pods are not yet a programmed NodePort (kube-proxy follows the endpoints a moment later).
    for (const cloud of ['c1', 'c2'] as const) {
      await eventually(
        async () => {
          const res = await fetch(`${this.url(cloud)}/health/ready`, { signal: AbortSignal.timeout(5_000) });
          if (res.status !== 200) throw new Error(`${this.url(cloud)}/health/ready answered ${res.status}`);
        },
        {
          timeoutMs: 120_000,
          intervalMs: 1_000,
          description: `${this.url(cloud)} ready through its NodePort`,
        },
      );
    }
    this.people = await createPeople(['alice', 'bob']);
    this.tokens['alice'] = await userToken(this.url('c1'), this.people['alice']);
    this.tokens['bob'] = await userToken(this.url('c2'), this.people['bob']);
    this.browser = await ClusterBrowser.launch([this.url('c1'), this.url('c2')]);
    this.cli = new KubectlHoot();
    await this.bothCloudsSeeAllCoreMxAlive('both registries see every CoreMX pod alive');
  }

  /** Stops `--follow` readers, keeps the pages' samples, closes the browser and the CLI, prints the metrics. */
  async tearDown(): Promise<void> {
    for (const f of this.followers) if (f.exitCode === null) f.kill('SIGKILL');
    // The frame samples and re-join times of each page, for looking at a gap afterwards.
    for (const [who, page] of [
      ['alice', this.alice],
      ['bob', this.bob],
    ] as const) {
      if (page && !page.isClosed())
        writeArtifact(`samples-${who}.json`, await readSampler(page).catch(() => null));
    }
    await this.browser?.close();
    this.cli?.dispose();
    say(`metrics: ${JSON.stringify(this.metrics.all(), null, 2)}`);
  }
}
