import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, infraPath, ManagedProcess, workspaceRoot } from '@hoot/process';

export interface RunningKafka {
  brokers: string[];
  dataDir: string;
  process: ManagedProcess;
  stop(): Promise<void>;
}

export interface RunningMongo {
  uri: string;
  port: number;
  process: ManagedProcess;
  stop(): Promise<void>;
}

export interface StartKafkaOptions {
  /**
   * Protocol-level readiness check, e.g. `(brokers) => describeKafkaCluster(brokers)` from `@hoot/events`
   * (injected: this lib depends on nothing of ours, so every lib's specs can use it without a cycle).
   */
  probe: (brokers: string[]) => Promise<unknown>;
  port?: number;
  controllerPort?: number;
  /** Defaults to a fresh temporary folder, removed at stop. */
  dataDir?: string;
  readyTimeoutMs?: number;
}

/** Starts a real single-node KRaft broker through `scripts/infra/kafka.sh run`; ready once a kafkajs admin describes it. */
export async function startKafka(options: StartKafkaOptions): Promise<RunningKafka> {
  const port = options.port ?? (await freePort());
  const controllerPort = options.controllerPort ?? (await freePort());
  const ownDir = !options.dataDir;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'hoot-kafka-'));
  const brokers = [`127.0.0.1:${port}`];
  const process = await ManagedProcess.start({
    name: `kafka:${port}`,
    command: join(workspaceRoot(), 'scripts/infra/kafka.sh'),
    args: ['run', '--port', String(port), '--controller-port', String(controllerPort), '--data-dir', dataDir],
    logFile: infraPath('test-logs', `kafka-${port}.log`),
    readyProbe: () => options.probe(brokers),
    readyTimeoutMs: options.readyTimeoutMs ?? 180_000,
  });
  return {
    brokers,
    dataDir,
    process,
    async stop() {
      await process.stop(30_000);
      if (ownDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface StartMongoOptions {
  /** Protocol-level readiness check, e.g. `(uri) => pingMongo(uri)` from `@hoot/mongo`. */
  probe: (uri: string) => Promise<unknown>;
  port?: number;
  /** Keep data here; defaults to a fresh temporary folder, removed at stop. */
  dataDir?: string;
  readyTimeoutMs?: number;
}

/** Starts our FerretDB build (MongoDB protocol on SQLite) through `scripts/infra/ferretdb.sh run`; ready once a ping answers. */
export async function startMongo(options: StartMongoOptions): Promise<RunningMongo> {
  const port = options.port ?? (await freePort());
  const uri = `mongodb://127.0.0.1:${port}/`;
  // FerretDB's SQLite `mode=memory` hangs on the first update after some writes, so tests get a
  // throw-away folder on disk instead (removed at stop).
  const ownDir = !options.dataDir;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'hoot-ferretdb-'));
  const storage = ['--data-dir', dataDir];
  const process = await ManagedProcess.start({
    name: `ferretdb:${port}`,
    command: join(workspaceRoot(), 'scripts/infra/ferretdb.sh'),
    args: ['run', '--port', String(port), ...storage],
    logFile: infraPath('test-logs', `ferretdb-${port}.log`),
    readyProbe: () => options.probe(uri),
    readyTimeoutMs: options.readyTimeoutMs ?? 600_000,
  });
  return {
    uri,
    port,
    process,
    async stop() {
      await process.stop(20_000);
      if (ownDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
