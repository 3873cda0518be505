import { randomBytes } from 'node:crypto';
import { ManagedProcess, freePort } from '@hoot/process';
import { startAuthService, type RunningAuthService } from './auth-service';
import { REGISTRY_FAST_TUNABLES, startRegistryProcess } from './registry-process';

/**
 * Real processes on loopback for registry specs and the gossip benchmark: the auth service (service
 * accounts for every registry and for a CASH, a user) and any number of registry nodes, on the given
 * Kafka and MongoDB-protocol server.
 */
export interface RegistryClusterInfra {
  mongoUri: (db: string) => string;
  kafkaBrokers: string[];
  /** Unique per run (topics, databases). */
  prefix: string;
}

export interface RegistrySpec {
  registryId: string;
  /** Another replica of `registryId` (same identity and database), addressed by this name. */
  replica?: string;
  region?: string;
  latitude?: number;
  longitude?: number;
  /** Extra env (tunables). */
  env?: Record<string, string>;
}

export const REGISTRY_CLUSTER_ISSUER = 'https://auth.registry-cluster.test';

export class RegistryCluster {
  readonly registries = new Map<
    string,
    { spec: RegistrySpec; port: number; url: string; mongoUri: string; process?: ManagedProcess }
  >();
  private auth: RunningAuthService | undefined;
  /** One per run, shared by every node (each derives its accounts' webhook secrets from it). */
  readonly webhookSigningKey = randomBytes(32).toString('hex');
  authUrl = '';

  private readonly cashTokens = new Map<string, Promise<string>>();

  /**
   * `coremxIds`: the CoreMX whose CASH get a service account of their own, `cash-<coremxId>` (a CASH
   * advertises only its own CoreMX). Besides those: every registry id, `ops` (operators) and the former
   * shared `cash` account (which registries refuse to advertise with).
   */
  constructor(
    private readonly infra: RegistryClusterInfra,
    private readonly specs: RegistrySpec[],
    private readonly logDir = 'test-logs',
    private readonly coremxIds: readonly string[] = [],
  ) {}

  /** The API key of a service account (`cash` or a registry id). */
  keyOf(name: string): string {
    return this.authService().keyOf(name);
  }

  /** The auth service of the cluster (started by `start`). */
  authService(): RunningAuthService {
    if (!this.auth) throw new Error('the cluster is not started');
    return this.auth;
  }

  urlOf(registryId: string): string {
    const r = this.registries.get(registryId);
    if (!r) throw new Error(`no registry ${registryId}`);
    return r.url;
  }

  async start(): Promise<void> {
    const databases = new Map<string, string>();
    for (const spec of this.specs) {
      const port = await freePort();
      // One database per registry node for the whole run, shared by its replicas: a restarted node finds its
      // snapshot again.
      if (!databases.has(spec.registryId))
        databases.set(
          spec.registryId,
          this.infra.mongoUri(`${this.infra.prefix}_${spec.registryId.replace(/-/g, '_')}`),
        );
      const mongoUri = databases.get(spec.registryId)!;
      this.registries.set(spec.replica ?? spec.registryId, {
        spec,
        port,
        url: `http://127.0.0.1:${port}`,
        mongoUri,
      });
    }
    this.auth = await startAuthService({
      mongoUri: this.infra.mongoUri(`${this.infra.prefix}_auth`),
      kafkaBrokers: this.infra.kafkaBrokers,
      revocationsTopic: `${this.infra.prefix}.auth.revocations`,
      issuer: REGISTRY_CLUSTER_ISSUER,
      serviceAccounts: ['cash', 'ops', ...databases.keys(), ...this.coremxIds.map((id) => `cash-${id}`)],
      logDir: this.logDir,
    });
    this.authUrl = this.auth.url;
    await Promise.all(this.specs.map((s) => this.startRegistry(s.replica ?? s.registryId)));
  }

  /** Starts a registry node (or a replica, by its name). */
  async startRegistry(name: string): Promise<void> {
    const r = this.registries.get(name)!;
    const registryId = r.spec.registryId;
    // The well-known list names one URL per registry node (in a cluster, its Service); replicas share it.
    const peers = [...this.registries.values()]
      .filter((x) => !x.spec.replica)
      .map((x) => x.url)
      .join(',');
    r.process = (
      await startRegistryProcess({
        registryId,
        name,
        port: r.port,
        // A replica answers at its own port but announces the node's well-known URL.
        publicUrl: r.spec.replica ? this.registries.get(registryId)!.url : r.url,
        peers: peers.split(','),
        region: r.spec.region,
        latitude: r.spec.latitude,
        longitude: r.spec.longitude,
        authUrl: this.authUrl,
        issuer: REGISTRY_CLUSTER_ISSUER,
        apiKey: this.keyOf(registryId),
        mongoUri: r.mongoUri,
        kafkaBrokers: this.infra.kafkaBrokers,
        webhookSigningKey: this.webhookSigningKey,
        env: {
          AUTH_REVOCATIONS_TOPIC: this.authService().revocationsTopic,
          // Strict CoreMX binding: every CASH here has its own cash-<coremxId> account.
          CASH_SHARED_SERVICE_ACCOUNTS: '',
          ...REGISTRY_FAST_TUNABLES,
          ...r.spec.env,
        },
        logDir: this.logDir,
      })
    ).process;
  }

  process(registryId: string): ManagedProcess {
    const p = this.registries.get(registryId)?.process;
    if (!p) throw new Error(`${registryId} is not running`);
    return p;
  }

  /** kill -9 of a registry's whole process group. */
  async killHard(registryId: string): Promise<void> {
    const p = this.process(registryId);
    p.kill('SIGKILL');
    await p.stop(1_000);
  }

  serviceToken(name: string): Promise<string> {
    return this.authService().serviceToken(name);
  }

  /** A service token of the CASH of `coremxId` (its own `cash-<coremxId>` account), fetched once. */
  cashToken(coremxId: string): Promise<string> {
    let token = this.cashTokens.get(coremxId);
    if (!token) {
      token = this.serviceToken(`cash-${coremxId}`);
      this.cashTokens.set(coremxId, token);
    }
    return token;
  }

  /** Creates a user (once) and signs in. */
  userToken(username: string): Promise<string> {
    return this.authService().userToken(username);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.registries.values()].map((r) => r.process?.stop(5_000)));
    await this.auth?.stop();
  }
}
