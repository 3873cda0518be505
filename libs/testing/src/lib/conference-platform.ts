import { rmSync } from 'node:fs';
import WebSocket from 'ws';
import { startCashProcess, type RunningCash } from './cash-process';
import {
  REGISTRY_CLUSTER_ISSUER,
  RegistryCluster,
  type RegistryClusterInfra,
  type RegistrySpec,
} from './registry-cluster';

/** A CoreMX's media server as the platform needs it: its Kurento-protocol URL and its stop. */
export interface PlatformMediaServer {
  url: string;
  stop(): Promise<void>;
}

/**
 * The cluster's infrastructure plus how to start a CoreMX's media server (the test lib depends on no app
 * and no media lib: callers pass `() => startKmsLite({ engine: 'fake' })` from `@hoot/media/testing`).
 */
export interface ConferencePlatformInfra extends RegistryClusterInfra {
  startMediaServer: () => Promise<PlatformMediaServer>;
}

/** Where each CoreMX lives: its cloud decides its mixer address and the registries it reports to. */
export interface CoreMxSpec {
  coremxId: string;
  cloud: string;
}

/**
 * The platform of the conference specs and the join benchmark, as real processes on loopback: the auth
 * service and registry nodes (RegistryCluster), and per CoreMX a kms-lite (fake engine) and a CASH that
 * reports to the registries of its own cloud first.
 */
export class ConferencePlatform {
  readonly cluster: RegistryCluster;
  readonly cash = new Map<string, RunningCash>();
  private readonly kms = new Map<string, PlatformMediaServer>();
  /** Journal folders of crashed CASH processes, kept for their restart. */
  private readonly journals = new Map<string, string>();

  constructor(
    private readonly infra: ConferencePlatformInfra,
    registries: RegistrySpec[],
    private readonly coremx: CoreMxSpec[],
    private readonly cashEnv: Record<string, string> = {},
  ) {
    this.cluster = new RegistryCluster(
      infra,
      registries,
      undefined,
      coremx.map((c) => c.coremxId),
    );
  }

  async start(): Promise<void> {
    await this.cluster.start();
    await Promise.all(this.coremx.map((c) => this.startCoreMx(c.coremxId)));
  }

  /** Starts (or restarts) a CoreMX: its kms-lite once, then its CASH (`env` over the platform's CASH env). */
  async startCoreMx(coremxId: string, env: Record<string, string> = {}): Promise<RunningCash> {
    const spec = this.coremx.find((c) => c.coremxId === coremxId);
    if (!spec) throw new Error(`no CoreMX ${coremxId}`);
    let kms = this.kms.get(coremxId);
    if (!kms) {
      kms = await this.infra.startMediaServer();
      this.kms.set(coremxId, kms);
    }
    const auth = this.cluster.authService();
    const own = [...this.cluster.registries.entries()]
      .filter(([name, r]) => !r.spec.replica && name.split('-')[1] === spec.cloud)
      .map(([, r]) => r.url);
    const others = [...this.cluster.registries.entries()]
      .filter(([name, r]) => !r.spec.replica && name.split('-')[1] !== spec.cloud)
      .map(([, r]) => r.url);
    const cash = await startCashProcess({
      coremxId,
      mixerAddress: `${coremxId}.${spec.cloud}.hoot.mx`,
      kmsUrl: kms.url,
      kafkaBrokers: this.infra.kafkaBrokers,
      authUrl: auth.url,
      issuer: REGISTRY_CLUSTER_ISSUER,
      revocationsTopic: auth.revocationsTopic,
      // Its own credential, bound to its CoreMX: registries take its reports for this CoreMX only.
      apiKey: auth.keyOf(`cash-${coremxId}`),
      registryUrls: [...own, ...others],
      env: { ...this.cashEnv, ...env },
    });
    this.cash.set(coremxId, cash);
    return cash;
  }

  /** kill -9 of a CASH (its kms-lite stays). */
  async killCash(coremxId: string): Promise<void> {
    const cash = this.cash.get(coremxId);
    if (!cash) throw new Error(`CASH ${coremxId} is not running`);
    cash.process.kill('SIGKILL');
    await cash.stop();
    this.cash.delete(coremxId);
  }

  /**
   * kill -9 of a CASH that keeps its journal folder (a StatefulSet pod's volume): `restartCash` starts it
   * again on it. Returns the folder.
   */
  async crashCash(coremxId: string): Promise<string> {
    const cash = this.cash.get(coremxId);
    if (!cash) throw new Error(`CASH ${coremxId} is not running`);
    cash.process.kill('SIGKILL');
    await cash.process.stop(1_000);
    this.cash.delete(coremxId);
    this.journals.set(coremxId, cash.journalDir);
    return cash.journalDir;
  }

  /** Starts a crashed CASH again with the journal folder of its previous process (removed at its stop). */
  async restartCash(coremxId: string): Promise<RunningCash> {
    const journalDir = this.journals.get(coremxId);
    if (!journalDir) throw new Error(`CASH ${coremxId} did not crash`);
    const cash = await this.startCoreMx(coremxId, { CCES_JOURNAL_DIR: journalDir });
    this.journals.delete(coremxId);
    const restarted: RunningCash = {
      ...cash,
      journalDir,
      async stop() {
        await cash.stop();
        rmSync(journalDir, { recursive: true, force: true });
      },
    };
    this.cash.set(coremxId, restarted);
    return restarted;
  }

  async stop(): Promise<void> {
    for (const dir of this.journals.values()) rmSync(dir, { recursive: true, force: true });
    this.journals.clear();
    await Promise.all([...this.cash.values()].map((c) => c.stop()));
    await Promise.all([...this.kms.values()].map((k) => k.stop()));
    await this.cluster.stop();
  }
}

/** The account id (`sub`) inside an access token. */
export function subjectOf(token: string): string {
  return (JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { sub: string }).sub;
}

/**
 * Opens CASH's signaling WebSocket and sends `join` with a ticket: the first answer (`joined` or `error`)
 * and the open socket (the caller closes it).
 */
export async function joinWithTicket(
  signalingUrl: string,
  ticket: string,
): Promise<{ answer: Record<string, unknown>; socket: WebSocket }> {
  const socket = new WebSocket(signalingUrl);
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  const answer = await new Promise<Record<string, unknown>>((resolve, reject) => {
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as Record<string, unknown>;
      if (message['type'] === 'joined' || message['type'] === 'error') resolve(message);
    });
    socket.once('close', () => reject(new Error('signaling closed before an answer')));
    socket.send(JSON.stringify({ type: 'join', id: '1', ticket }));
  });
  return { answer, socket };
}
