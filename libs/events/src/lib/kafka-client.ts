import type { Duplex } from 'node:stream';
import type { ConnectionOptions } from 'node:tls';
import { Kafka, logLevel, type KafkaConfig, type LogEntry } from 'kafkajs';

export type KafkaLogLevel = 'nothing' | 'error' | 'warn' | 'info' | 'debug';

/** Where kafkajs's own log lines go (a pino logger fits). */
export interface KafkaLogSink {
  error(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

export interface KafkaClientOptions {
  brokers: string[];
  clientId: string;
  logLevel?: KafkaLogLevel;
  logSink?: KafkaLogSink;
  /** Per-request timeout. */
  requestTimeoutMs?: number;
  /** Connect timeout per broker. */
  connectionTimeoutMs?: number;
  retries?: number;
  /**
   * Opens each broker connection instead of `net.connect` (kafkajs's `socketFactory`): return a socket-like
   * stream at once and call `onConnect` once it is connected (TLS done when `ssl` is set). The CLI uses it
   * to reach brokers by their in-cluster names through the Kubernetes API.
   */
  socketFactory?: KafkaSocketFactory;
}

/** kafkajs's `socketFactory`, typed for any socket-like `Duplex`. */
export type KafkaSocketFactory = (args: {
  host: string;
  port: number;
  ssl: ConnectionOptions | boolean | undefined;
  onConnect: () => void;
}) => Duplex;

const LEVELS: Record<KafkaLogLevel, logLevel> = {
  nothing: logLevel.NOTHING,
  error: logLevel.ERROR,
  warn: logLevel.WARN,
  info: logLevel.INFO,
  debug: logLevel.DEBUG,
};

/** Builds the one kafkajs client of a process; every other lib reaches Kafka through this lib. */
export function createKafka(options: KafkaClientOptions): Kafka {
  const sink = options.logSink;
  const config: KafkaConfig = {
    clientId: options.clientId,
    brokers: options.brokers,
    connectionTimeout: options.connectionTimeoutMs ?? 3_000,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    retry: { retries: options.retries ?? 5 },
    logLevel: LEVELS[options.logLevel ?? 'warn'],
    ...(options.socketFactory
      ? { socketFactory: options.socketFactory as unknown as NonNullable<KafkaConfig['socketFactory']> }
      : {}),
    logCreator: () => (entry: LogEntry) => {
      if (!sink) return;
      const { message, ...rest } = entry.log;
      const fields = { namespace: entry.namespace, ...rest };
      switch (entry.level) {
        case logLevel.ERROR:
          return sink.error(fields, message);
        case logLevel.WARN:
          return sink.warn(fields, message);
        case logLevel.INFO:
          return sink.info(fields, message);
        default:
          return sink.debug(fields, message);
      }
    },
  };
  return new Kafka(config);
}

export interface ClusterDescription {
  clusterId: string;
  controller: number | null;
  brokers: { nodeId: number; host: string; port: number }[];
}

/** Asks the cluster to describe itself (a readiness probe that goes through the real protocol). */
export async function describeKafkaCluster(
  brokers: string[],
  timeoutMs = 3_000,
): Promise<ClusterDescription> {
  const admin = createKafka({
    brokers,
    clientId: 'hoot-probe',
    logLevel: 'nothing',
    connectionTimeoutMs: timeoutMs,
    requestTimeoutMs: timeoutMs,
    retries: 0,
  }).admin();
  try {
    await admin.connect();
    return await admin.describeCluster();
  } finally {
    await admin.disconnect();
  }
}
