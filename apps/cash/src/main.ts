import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createServiceApp } from '@hoot/service-kit';
import { AppModule } from './app.module';
import { cashConfigFromEnvironment } from './config/cash.config';
import { connectInfrastructure } from './production-infrastructure';

async function main(): Promise<void> {
  const config = cashConfigFromEnvironment();
  const infra = await connectInfrastructure(config);
  const app = await createServiceApp(AppModule.forRoot(config, infra), {
    bodyLimitBytes: config.BODY_LIMIT_BYTES,
    trustProxy: config.TRUST_PROXY,
  });
  await app.listen(config.PORT, config.HOST);
  new Logger('Main').log(
    { url: await app.getUrl(), coremxId: config.COREMX_ID, signalingUrl: config.SIGNALING_URL },
    'CASH listening',
  );
}

main().catch((error: unknown) => {
  // Before the logger exists (bad configuration, unreadable journal): one line on stderr, then exit.
  process.stderr.write(`cash: failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
