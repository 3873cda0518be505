import { type KeyObject, createPrivateKey, createPublicKey } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ManagedProcess, freePort, infraPath } from '@hoot/process';
import { startAuthService, type RunningAuthService } from './auth-service';
import { startCashProcess, type RunningCash } from './cash-process';
import { startRegistryProcess } from './registry-process';

/**
 * The auth service's signing key pair, shaped like `@hoot/auth-kit/testing`'s `TestKeyPair` (structurally
 * the same, so `signTestToken` takes it; the test lib depends on no lib but `@hoot/process`).
 */
export interface StackSigningKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicPem: string;
}

/**
 * Real processes on loopback for CASH specs and benchmarks: the auth service (service accounts `cash` and
 * the registry; `startAuthService` from @hoot/testing), one registry node and CASH itself, on the given
 * Kafka and MongoDB-protocol server. It also exposes the auth service's signing key, so specs can sign
 * join tickets as the registry would get them issued.
 */
export interface CashStackInfra {
  mongoUri: (db: string) => string;
  kafkaBrokers: string[];
  /** Unique per run (topics, databases). */
  prefix: string;
}

export const STACK_ISSUER = 'https://auth.cash-stack.test';
export const REGISTRY_ID = 'reg-c1-1';

export interface CashStackProcessOptions {
  coremxId: string;
  kmsUrl: string;
  /** Extra env (tunables). */
  env?: Record<string, string>;
  /** The brokers CASH publishes to; the stack's Kafka by default (a dedicated broker for outage specs). */
  kafkaBrokers?: string[];
}

export class CashStack {
  authUrl = '';
  registryUrl = '';
  /** The registry's log (pino JSON lines), where its directory logs each poison message with its topic. */
  registryLogFile = '';
  revocationsTopic = '';
  private auth: RunningAuthService | undefined;
  private registry: ManagedProcess | undefined;
  private keysDir = '';

  constructor(private readonly infra: CashStackInfra) {}

  keyOf(name: string): string {
    return this.authService().keyOf(name);
  }

  private authService(): RunningAuthService {
    if (!this.auth) throw new Error('the stack is not started');
    return this.auth;
  }

  /** The auth service's signing key (the only key in its directory), to sign join tickets with. */
  signingKey(): StackSigningKey {
    const file = readdirSync(this.keysDir).find((f) => f.endsWith('.pem'));
    if (!file) throw new Error(`no key in ${this.keysDir}`);
    const privateKey = createPrivateKey(readFileSync(join(this.keysDir, file)));
    const publicKey = createPublicKey(privateKey);
    return {
      kid: file.replace(/\.pem$/, ''),
      privateKey,
      publicKey,
      publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    };
  }

  async start(): Promise<void> {
    this.revocationsTopic = `${this.infra.prefix}.auth.revocations`;
    this.auth = await startAuthService({
      mongoUri: this.infra.mongoUri(`${this.infra.prefix}_auth`),
      kafkaBrokers: this.infra.kafkaBrokers,
      revocationsTopic: this.revocationsTopic,
      issuer: STACK_ISSUER,
      serviceAccounts: ['cash', REGISTRY_ID],
      name: 'auth-cash-stack',
    });
    this.authUrl = this.auth.url;
    this.keysDir = this.auth.keysDir;
    const regPort = await freePort();
    this.registryUrl = `http://127.0.0.1:${regPort}`;
    this.registryLogFile = infraPath('test-logs', `${REGISTRY_ID}-${regPort}.log`);
    this.registry = (
      await startRegistryProcess({
        registryId: REGISTRY_ID,
        port: regPort,
        peers: [this.registryUrl],
        region: 'c1',
        authUrl: this.authUrl,
        issuer: STACK_ISSUER,
        apiKey: this.keyOf(REGISTRY_ID),
        mongoUri: this.infra.mongoUri(`${this.infra.prefix}_registry`),
        // The registry reads every CoreMX's CCES topic (its conference directory) from the stack's broker.
        kafkaBrokers: this.infra.kafkaBrokers,
        env: {
          GOSSIP_INTERVAL_MS: '200',
          GOSSIP_DEBOUNCE_MS: '20',
          GOSSIP_TIMEOUT_MS: '1000',
          SUSPECT_AFTER_MS: '5000',
          COREMX_SUSPECT_AFTER_MS: '5000',
          DEAD_AFTER_MS: '15000',
          COREMX_HARD_TIMEOUT_MS: '60000',
        },
      })
    ).process;
  }

  /** Starts CASH as a process (`node -r tools/ts-node/register.js apps/cash/src/main.ts`). */
  async startCash(options: CashStackProcessOptions): Promise<RunningCash> {
    return startCashProcess({
      coremxId: options.coremxId,
      kmsUrl: options.kmsUrl,
      kafkaBrokers: options.kafkaBrokers ?? this.infra.kafkaBrokers,
      authUrl: this.authUrl,
      issuer: STACK_ISSUER,
      revocationsTopic: this.revocationsTopic,
      apiKey: this.keyOf('cash'),
      registryUrls: [this.registryUrl],
      env: options.env,
    });
  }

  serviceToken(name: string): Promise<string> {
    return this.authService().serviceToken(name);
  }

  /** Creates a user (once) and signs in. */
  userToken(username: string): Promise<string> {
    return this.authService().userToken(username);
  }

  async stop(): Promise<void> {
    await this.registry?.stop(5_000);
    await this.auth?.stop();
  }
}
