import { ConfigError, loadPackagerConfig } from './config/packager.config';
import { createLogger } from './logging/logger';
import { startPackager } from './packager.app';

async function main(): Promise<void> {
  let config;
  try {
    config = loadPackagerConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`packager: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel, config);
  const app = await startPackager(config, logger);
  logger.info(
    {
      host: app.address.host,
      port: app.address.port,
      rtpPorts: `${config.rtpMinPort}-${config.rtpMaxPort}`,
      announcedIp: config.announcedIp,
      partTargetMs: config.partTargetMs,
      segmentTargetMs: config.segmentTargetMs,
    },
    'packager ready',
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'packager stopping');
    app
      .stop()
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        logger.error({ err: error }, 'packager failed to stop cleanly');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(
    `packager: failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
