import { ConfigError, HELP, parseConfig, type KmsLiteConfig } from './config/kms-lite.config';
import { FakeEngine } from './engine/fake.engine';
import type { MediaEngine } from './engine/media-engine';
import { WeriftEngine } from './engine/werift.engine';
import { createLogger } from './logging/logger';
import { KmsLiteServer } from './server/kms-lite.server';

function createEngine(config: KmsLiteConfig): MediaEngine {
  if (config.engine === 'fake') {
    return new FakeEngine({
      announcedIp: config.announcedIp ?? '127.0.0.1',
      minPort: config.minPort,
      maxPort: config.maxPort,
    });
  }
  return new WeriftEngine({
    announcedIp: config.announcedIp,
    minPort: config.minPort,
    maxPort: config.maxPort,
  });
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseConfig(process.argv.slice(2), process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`kms-lite: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  if (parsed.help) {
    process.stdout.write(HELP);
    return;
  }
  const { config } = parsed;
  const logger = createLogger(config.logLevel, config.nodeId);
  const server = new KmsLiteServer({
    host: config.host,
    port: config.port,
    admin: config.admin,
    engine: createEngine(config),
    sessionGraceMs: config.sessionGraceMs,
    metadata: config.metadata,
    logger,
  });
  const { host, port, adminPort } = await server.start();
  logger.info(
    {
      host,
      port,
      path: '/kurento',
      engine: config.engine,
      serverId: server.instanceId,
      announcedIp: config.announcedIp ?? null,
      udpPorts: `${config.minPort}-${config.maxPort}`,
      adminPort: adminPort ?? null,
    },
    'kms-lite ready',
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'kms-lite stopping');
    server
      .stop()
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        logger.error({ err: error }, 'kms-lite failed to stop cleanly');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(
    `kms-lite: failed to start: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
});
