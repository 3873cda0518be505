import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createServiceApp } from '@hoot/service-kit';
import { AppModule } from './app.module';
import { authConfigFromEnvironment, trustProxyOption } from './config/auth.config';
import { connectInfrastructure } from './production-infrastructure';

async function main(): Promise<void> {
  const config = authConfigFromEnvironment();
  const infra = await connectInfrastructure(config);
  const app = await createServiceApp(AppModule.forRoot(config, infra), {
    bodyLimitBytes: config.BODY_LIMIT_BYTES,
    trustProxy: trustProxyOption(config),
  });
  await app.listen(config.PORT, config.HOST);
  new Logger('Main').log({ url: await app.getUrl(), issuer: config.AUTH_ISSUER }, 'auth service listening');
}

main().catch((error: unknown) => {
  // Before the logger exists (bad configuration, unreachable database): one line on stderr, then exit.
  process.stderr.write(`auth: failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
