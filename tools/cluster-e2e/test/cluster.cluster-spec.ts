/**
 * hoot through a real one-node Kubernetes cluster (issue 15, item 6): the chart installed with the local
 * values, real headless Chromium on the host with fake devices, reaching the registry nodes through their
 * NodePorts and the CoreMX pods (CASH signaling, kms-lite media) at their pod IPs.
 *
 * In order, on one conference: alice creates it at cloud 1 and bob joins through cloud 2, alice shares her
 * screen and bob decodes it; the CoreMX pod hosting it is deleted (pod watch → down → re-homed → the SDK
 * re-joins); its StatefulSet is restarted
 * (preStop drain → the call moves, at most one re-join each); a registry replica and the Kafka pod are
 * deleted (the other replica answers, GCAS converges, seq stays gap-free); and the operator's view through
 * `kubectl hoot`. Measured numbers: test-artifacts/cluster/metrics.json; screenshots per step there too.
 */
import { eventually } from '@hoot/testing';
import {
  createConference,
  enterRoom,
  framesDecoded,
  joinByAddress,
  longestGapMs,
  myTile,
  readSampler,
  roomState,
  screenFramesFrom,
  startSampler,
  tileOf,
} from '../src/browser';
import { kubectl } from '../src/cluster';
import {
  coremxAt,
  coremxPods,
  deletePod,
  kubectlJson,
  kubectlOk,
  operatorKey,
  registryGet,
  registryPods,
  type CoreMxPod,
} from '../src/platform';
import { CONFERENCE_ID, ClusterRun, RECOVERY_MS, type Json } from './cluster.fixture';

describe('hoot through a real Kubernetes cluster (chart installed, Chromium on the host)', () => {
  const run = new ClusterRun();
  const {
    metrics,
    tokens,
    url,
    aliceToken,
    step,
    conference,
    bothCloudsSeeAllCoreMxAlive,
    videoFlows,
    liveAgain,
    bobPublishes,
    rejoinsSince,
    videoBackAt,
    postConference,
    kafkaBack,
    cliEvents,
    cliCoreMx,
    nodePortAnswersUntilReplicasBack,
  } = run;

  beforeAll(() => run.setUp(), RECOVERY_MS + 120_000);
  afterAll(() => run.tearDown(), 60_000);

  it('runs a ready LL-HLS packager in every CoreMX pod, answering /health/ready at the pod IP', async () => {
    await step('packagers ready', async () => {
      const pods = await coremxPods();
      expect(pods.length).toBeGreaterThanOrEqual(2);
      for (const { coremxId, podIP } of pods) {
        const pod = await kubectlJson(['get', 'pod', coremxId]);
        const status = (pod.status.containerStatuses as Json[]).find((c) => c.name === 'packager');
        expect({ coremxId, packagerReady: status?.ready }).toEqual({ coremxId, packagerReady: true });
        const container = (pod.spec.containers as Json[]).find((c) => c.name === 'packager');
        const port = (container?.ports as Json[]).find((p) => p.name === 'hls')?.containerPort;
        const res = await fetch(`http://${podIP}:${port}/health/ready`, {
          signal: AbortSignal.timeout(5_000),
        });
        expect({ coremxId, status: res.status }).toEqual({ coremxId, status: 200 });
      }
    });
  });

  it('alice creates an m2m conference at cloud 1, bob joins its address through cloud 2, both decode each other', async () => {
    await step('01-alice-creates', async () => {
      run.alice = await run.browser.signIn('alice', url('c1'), run.people['alice']);
      run.address = await createConference(run.alice, {
        id: CONFERENCE_ID,
        type: 'm2m',
        allowed: [run.people['bob'].username],
      });
      expect(run.address).toMatch(new RegExp(`^hoot\\.mx://${CONFERENCE_ID}@[a-z0-9-]+\\.c1\\.hoot\\.mx$`));
      await run.alice.getByTestId('open-room').click();
      await enterRoom(run.alice);
      await eventually(
        async () => {
          expect(await myTile(run.alice).getAttribute('data-role')).toBe('publisher');
          expect(await roomState(run.alice)).toBe('live');
        },
        { timeoutMs: 60_000, intervalMs: 250, description: "alice's own tile, live" },
      );
      await startSampler(run.alice);
    });

    const joinMs = await step('02-bob-joins-via-c2', async () => {
      run.bob = await run.browser.signIn('bob', url('c2'), run.people['bob']);
      await eventually(
        async () =>
          expect(
            (await registryGet(url('c2'), tokens['bob'], `/v1/conferences/${CONFERENCE_ID}`))['id'],
          ).toBe(CONFERENCE_ID),
        { timeoutMs: 60_000, intervalMs: 500, description: 'cloud 2 knows the conference' },
      );
      await joinByAddress(run.bob, run.address);
      // From the pre-join screen's Join click, as a user counts it.
      const clicked = Date.now();
      await enterRoom(run.bob);
      await startSampler(run.bob);
      await eventually(async () => expect(await framesDecoded(run.bob)).toBeGreaterThan(0), {
        timeoutMs: 120_000,
        intervalMs: 100,
        description: 'bob decodes his first frame of alice',
      });
      return Date.now() - clicked;
    });
    metrics.set('joinToFirstDecodedFrameMs', joinMs);

    const approveMs = await step('03-bob-publishes', async () => {
      expect(await myTile(run.bob).getAttribute('data-role')).toBe('viewer');
      const started = Date.now();
      await bobPublishes();
      await eventually(async () => expect(await framesDecoded(run.alice)).toBeGreaterThan(0), {
        timeoutMs: 120_000,
        intervalMs: 100,
        description: 'alice decodes her first frame of bob',
      });
      return Date.now() - started;
    });
    metrics.set('raiseHandToFirstDecodedFrameAtOwnerMs', approveMs);
    await videoFlows(run.alice, 'alice');
    await videoFlows(run.bob, 'bob');
    expect(await tileOf(run.alice, run.people['bob'].displayName).getAttribute('data-video')).toBe('true');
    expect(await tileOf(run.bob, run.people['alice'].displayName).getAttribute('data-video')).toBe('true');

    // Screen share through the cluster: a second endpoint on the CoreMX pod's media server (issue 17).
    const shareMs = await step('03b-alice-shares-her-screen', async () => {
      const aliceId = (await myTile(run.alice).getAttribute('data-participant-id')) ?? '';
      const started = Date.now();
      await run.alice.getByTestId('share-screen').click();
      await eventually(async () => expect(await screenFramesFrom(run.bob, aliceId)).toBeGreaterThan(0), {
        timeoutMs: 60_000,
        intervalMs: 100,
        description: "bob decodes alice's shared screen",
      });
      const took = Date.now() - started;
      const first = await screenFramesFrom(run.bob, aliceId);
      await eventually(async () => expect(await screenFramesFrom(run.bob, aliceId)).toBeGreaterThan(first), {
        timeoutMs: 30_000,
        intervalMs: 250,
        description: "alice's screen keeps coming on bob's stage",
      });
      return took;
    });
    metrics.set('shareClickToFirstScreenFrameMs', shareMs);
    await run.alice.getByTestId('stop-screen-share').click();
    await eventually(async () => expect(await run.bob.getByTestId('screen-stage').isHidden()).toBe(true), {
      timeoutMs: 30_000,
      intervalMs: 250,
      description: "the stage gone from bob's page after alice stops sharing",
    });
  });

  it('kubectl delete pod of the hosting CoreMX: marked down, re-homed, both re-join and decode again', async () => {
    const hosting = (await conference())['coremxId'] as string;
    const pod = (await coremxPods()).find((p) => p.coremxId === hosting);
    expect(pod).toBeDefined();
    const { uid } = pod as CoreMxPod;

    const deleted = Date.now();
    await deletePod(hosting);
    const { downMs, rehomedMs, movedTo } = await step('04-coremx-pod-deleted', async () => {
      let down: number | undefined;
      let moved: { at: number; to: string } | undefined;
      await eventually(
        async () => {
          if (down === undefined) {
            const entry = (await coremxAt(url('c1'), aliceToken())).find((c) => c.coremxId === hosting);
            if (entry?.liveness === 'down') down = Date.now();
          }
          if (moved === undefined) {
            const now = (await conference())['coremxId'] as string;
            if (now !== hosting) moved = { at: Date.now(), to: now };
          }
          // The down verdict can be short-lived (the CASH keeps reporting while it drains): it is
          // recorded when seen; the re-homing is what must happen.
          expect(moved).toBeDefined();
        },
        {
          timeoutMs: RECOVERY_MS,
          intervalMs: 200,
          description: `${hosting} down and the conference re-homed`,
        },
      );
      return {
        downMs: down === undefined ? null : down - deleted,
        rehomedMs: (moved as { at: number }).at - deleted,
        movedTo: (moved as { to: string }).to,
      };
    });
    metrics.set('podDeleteToCoreMxDownMs', downMs);
    metrics.set('podDeleteToConferenceRehomedMs', rehomedMs);
    expect(movedTo).not.toBe(hosting);

    await step('05-rejoined-after-delete', async () => {
      await eventually(
        async () => {
          const r = await rejoinsSince(deleted);
          expect(r['alice']).toBeGreaterThanOrEqual(1);
          expect(r['bob']).toBeGreaterThanOrEqual(1);
        },
        { timeoutMs: RECOVERY_MS, intervalMs: 500, description: 'both pages re-joined' },
      );
      await liveAgain(run.alice, 'alice');
      await liveAgain(run.bob, 'bob');
      // Roles survive the drain: bob comes back a speaker without raising his hand, alice the owner.
      await eventually(
        async () => {
          expect(await myTile(run.bob).getAttribute('data-role')).toBe('publisher');
          expect(await myTile(run.alice).getAttribute('data-owner')).toBe('true');
        },
        { timeoutMs: 30_000, intervalMs: 250, description: 'bob back a speaker, alice the owner' },
      );
      for (const [who, page] of [
        ['alice', run.alice],
        ['bob', run.bob],
      ] as const) {
        await eventually(
          async () => expect(await page.getByTestId('room-address').textContent()).toContain(`@${movedTo}.`),
          { timeoutMs: 30_000, intervalMs: 250, description: `${who}'s page shows the new address` },
        );
      }
      const before = await myTile(run.bob).getAttribute('data-role');
      await bobPublishes();
      if (before !== 'publisher') run.bobRepromoted += 1;
      await videoFlows(run.bob, 'bob');
      await videoFlows(run.alice, 'alice');
    });
    metrics.set('podDeleteToVideoAgainMs', {
      alice: ((await videoBackAt(run.alice, deleted)) ?? Date.now()) - deleted,
      bob: ((await videoBackAt(run.bob, deleted)) ?? Date.now()) - deleted,
    });
    metrics.set('rejoinsAfterPodDelete', await rejoinsSince(deleted));
    metrics.set('podDeleteLongestGapMs', {
      alice: longestGapMs((await readSampler(run.alice)).samples, deleted, Date.now()),
      bob: longestGapMs((await readSampler(run.bob)).samples, deleted, Date.now()),
    });

    // The StatefulSet brings the pod back; both clouds see it again before the next step.
    await step('06-deleted-coremx-back', async () => {
      await eventually(
        async () => {
          const back = (await coremxPods()).find((p) => p.coremxId === hosting);
          expect(back?.uid).toBeDefined();
          expect(back?.uid).not.toBe(uid);
        },
        { timeoutMs: RECOVERY_MS, intervalMs: 1_000, description: `${hosting} recreated` },
      );
      await bothCloudsSeeAllCoreMxAlive(`${hosting} alive again at both clouds`);
    });
  });

  it('kubectl rollout restart of the hosting StatefulSet: preStop drains, the call moves, one re-join at most', async () => {
    const hosting = (await conference())['coremxId'] as string;
    const pod = (await coremxPods()).find((p) => p.coremxId === hosting) as CoreMxPod;
    expect(pod?.statefulSet).toBeTruthy();
    const from = Date.now();
    await kubectlOk(['rollout', 'restart', `statefulset/${pod.statefulSet}`]);

    await step('07-rollout-restart', async () => {
      await eventually(async () => expect((await conference())['coremxId']).not.toBe(hosting), {
        timeoutMs: RECOVERY_MS * 2,
        intervalMs: 500,
        description: `the conference moved off ${hosting}`,
      });
      // Both pages re-join (at the drain deadline) and video resumes, while the StatefulSet still rolls.
      await eventually(
        async () => {
          const r = await rejoinsSince(from);
          expect(r['alice']).toBeGreaterThanOrEqual(1);
          expect(r['bob']).toBeGreaterThanOrEqual(1);
        },
        { timeoutMs: RECOVERY_MS, intervalMs: 500, description: 'both pages re-joined' },
      );
      await liveAgain(run.alice, 'alice');
      await liveAgain(run.bob, 'bob');
      // Roles survive the drain: bob comes back a speaker without raising his hand, alice the owner.
      await eventually(
        async () => {
          expect(await myTile(run.bob).getAttribute('data-role')).toBe('publisher');
          expect(await myTile(run.alice).getAttribute('data-owner')).toBe('true');
        },
        { timeoutMs: 30_000, intervalMs: 250, description: 'bob back a speaker, alice the owner' },
      );
      const before = await myTile(run.bob).getAttribute('data-role');
      await bobPublishes();
      if (before !== 'publisher') run.bobRepromoted += 1;
      await videoFlows(run.bob, 'bob');
      await videoFlows(run.alice, 'alice');
      const status = await kubectl(
        ['rollout', 'status', `statefulset/${pod.statefulSet}`, '--timeout=600s'],
        620_000,
      );
      expect(status.code).toBe(0);
    });
    const to = Date.now();
    const rejoins = await rejoinsSince(from);
    const gaps = {
      alice: longestGapMs((await readSampler(run.alice)).samples, from, to),
      bob: longestGapMs((await readSampler(run.bob)).samples, from, to),
    };
    metrics.set('rollingRestartLongestGapMs', gaps);
    metrics.set('rejoinsDuringRollingRestart', rejoins);
    metrics.set('bobRaisedHandAgainAfterRejoin', run.bobRepromoted);
    expect(run.bobRepromoted).toBe(0);
    expect(rejoins['alice']).toBeLessThanOrEqual(1);
    expect(rejoins['bob']).toBeLessThanOrEqual(1);
    await bothCloudsSeeAllCoreMxAlive('every CoreMX alive after the rolling restart');
  });

  it('a registry replica deleted: the other answers through the NodePort, GCAS converges', async () => {
    const node = run.registries['c1'];
    const pods = await registryPods(node.deployment);
    expect(pods.filter((p) => p.ready).length).toBeGreaterThanOrEqual(2);
    const victim = pods[0].name;
    const deleted = Date.now();
    await deletePod(victim);
    const polls = { ok: 0, failed: 0 };
    await step('08-registry-replica-deleted', async () => {
      // Poll the NodePort with the API until the Deployment has two Ready replicas again.
      await nodePortAnswersUntilReplicasBack(node, victim, polls);
      await bothCloudsSeeAllCoreMxAlive('GCAS converged after the registry replica was deleted');
      await videoFlows(run.alice, 'alice');
      await videoFlows(run.bob, 'bob');
    });
    metrics.set('registryReplicaDeleteToConvergedMs', Date.now() - deleted);
    metrics.set('registryNodePortPollsDuringReplicaDelete', polls);
  });

  it('the Kafka pod deleted: after it returns, every conference on every CoreMX topic has gap-free seq', async () => {
    const kafka = await kubectlJson(['get', 'pods', '-l', 'app.kubernetes.io/name=kafka']);
    const victim = kafka.items[0] as Json;
    expect(victim).toBeDefined();
    const deleted = Date.now();
    await deletePod(victim['metadata']['name']);
    // A second conference made while Kafka is away: its events wait in the CASH journal.
    const secondId = `${CONFERENCE_ID}-k`;
    const createdWhileAway = await step('09-kafka-pod-deleted', async () => {
      return (await postConference(secondId)).status;
    });
    const back = await step('10-kafka-back', async () => {
      await kafkaBack(victim['metadata']['uid']);
      return Date.now();
    });
    metrics.set('kafkaPodDeleteToReadyMs', back - deleted);
    // Made now if the registry refused it while Kafka was away (asking again is idempotent for its owner).
    await eventually(
      async () => {
        const res = await postConference(secondId);
        expect([200, 201]).toContain(res.status);
      },
      { timeoutMs: RECOVERY_MS, intervalMs: 1_000, description: `${secondId} created` },
    );
    metrics.set('conferenceCreateStatusWhileKafkaAway', createdWhileAway);

    // `kubectl hoot events` reaches hoot-kafka:9092 (and the address Kafka advertises, the same cluster name)
    // through the Kubernetes API by itself, as from an operator's laptop.
    const coremxIds = (await coremxPods()).map((p) => p.coremxId).sort();
    const checked = await step('11-seq-gap-free', async () =>
      eventually(
        async () => {
          const all: Json[] = [];
          for (const id of coremxIds) all.push(...(await cliEvents(id)));
          // This run's conferences are there, the one made while Kafka was away included.
          const ids = new Set(all.map((e) => e['conferenceId']));
          expect(ids.has(CONFERENCE_ID)).toBe(true);
          expect(ids.has(secondId)).toBe(true);
          const streams = new Map<string, number[]>();
          for (const e of all) {
            const key = `${e['coremxId']} ${e['conferenceId']}`;
            streams.set(key, [...(streams.get(key) ?? []), e['seq'] as number]);
          }
          const broken = [...streams].filter(([, seqs]) => seqs.some((s, i) => s !== i + 1));
          expect(broken.map(([k, seqs]) => `${k}: ${seqs.join(',')}`)).toEqual([]);
          return { streams: streams.size, events: all.length };
        },
        { timeoutMs: RECOVERY_MS, intervalMs: 2_000, description: 'every conference has gap-free seq' },
      ),
    );
    metrics.set('kafkaBackToSeqCheckMs', Date.now() - back);
    metrics.set('seqCheck', checked);
  });

  it("the operator's view: kubectl hoot registries, gcas, coremx list, drain/undrain, events --follow", async () => {
    await step('12-operator-view', async () => {
      const login = await run.cli.run(
        ['login', '-u', run.people['alice'].username, '--password-stdin'],
        `${run.people['alice'].password}\n`,
      );
      expect(login.stderr).not.toContain('reachable inside the cluster only');
      expect(login.code).toBe(0);

      const regs = await run.cli.json(['registries']);
      const regIds = ((regs['registries'] ?? regs) as Json[]).map((r) => r['registryId']).sort();
      expect(regIds).toEqual(expect.arrayContaining(['reg-c1-1', 'reg-c2-1']));
      expect(await run.cli.ok(['registries'])).toMatch(/^REGISTRY +CLOUD +PRIORITY/);

      const gcas = await run.cli.json(['gcas']);
      // `-o json`: the answering registry and its raw map (registry id → meta and CoreMX entries).
      expect(Object.keys(gcas['gcas'] as Json)).toEqual(expect.arrayContaining(['reg-c1-1', 'reg-c2-1']));
      expect(await run.cli.ok(['gcas'])).toMatch(/^REGISTRY +KIND +KEY +VERSION/);

      const pods = (await coremxPods()).map((p) => p.coremxId).sort();
      const list = await run.cli.json(['coremx', 'list']);
      const listed = (list['coremx'] as Json[])
        .filter((c) => c['liveness'] === 'alive')
        .map((c) => c['coremxId']);
      expect([...new Set(listed)].sort()).toEqual(pods);

      // Drain the CoreMX that does not host the call, following its topic.
      const hosting = (await conference())['coremxId'] as string;
      const idle = pods.find((id) => id !== hosting) as string;
      // `coremx drain` calls the CASH at the API URL the registry lists: the pod's name under the headless
      // Service (`<pod>.<sts>.hoot.svc:3300`), which only cluster DNS resolves; the plugin, outside the
      // cluster, reaches it through the Kubernetes API (pods/portforward) by itself.
      const { key, source } = await operatorKey();
      metrics.set('operatorKeySource', source);
      run.cli.apiKey = key;
      // Follow its topic from the beginning; caught up once it printed what a plain read finds.
      const stored = (
        await run.cli.ok(['events', '--coremx', idle, '--brokers', 'hoot-kafka:9092', '-o', 'json'])
      )
        .split('\n')
        .filter((l) => l.trim()).length;
      const follow = run.followEvents(idle);
      const { process: follower, events: followedEvents, statesSince } = follow;
      await eventually(() => expect(followedEvents().length).toBeGreaterThanOrEqual(stored), {
        timeoutMs: 60_000,
        intervalMs: 250,
        description: `events --follow caught up with ${stored} stored events (stderr: ${follow.stderr()})`,
      });
      const caughtUp = followedEvents().length;

      const drained = await run.cli.run(['coremx', 'drain', idle]);
      expect(drained.code).toBe(0);
      expect(drained.stdout).toContain(`CoreMX ${idle} is draining.`);
      await eventually(
        async () => {
          const entry = await cliCoreMx(idle);
          expect(entry?.['state']).toBe('draining');
        },
        { timeoutMs: 60_000, intervalMs: 1_000, description: `${idle} draining at the registry` },
      );
      await eventually(() => expect(statesSince(caughtUp)).toContain('draining'), {
        timeoutMs: 60_000,
        intervalMs: 500,
        description: `events --follow shows the drain (stderr: ${follow.stderr()})`,
      });
      const afterDrain = followedEvents().length;
      const undrained = await run.cli.run(['coremx', 'undrain', idle]);
      expect(undrained.code).toBe(0);
      expect(undrained.stdout).toContain(`CoreMX ${idle} is back in service.`);
      await eventually(
        async () => {
          const entry = await cliCoreMx(idle);
          expect(entry?.['state']).toBe('active');
        },
        { timeoutMs: 60_000, intervalMs: 1_000, description: `${idle} active again` },
      );
      await eventually(() => expect(statesSince(afterDrain)).toContain('ready'), {
        timeoutMs: 60_000,
        intervalMs: 500,
        description: 'events --follow shows the undrain',
      });
      const exited = new Promise<number | null>((resolve) => follower.once('close', resolve));
      follower.kill('SIGINT');
      expect(await exited).toBe(0);
    });
  });
});
