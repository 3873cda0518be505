import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createServiceApp } from '@hoot/service-kit';
import { AppModule } from './app.module';
import { registryConfigFromEnvironment, registryTrustProxy } from './config/registry.config';
import { serveOpenApiDocs } from './openapi-docs';
import { connectInfrastructure } from './production-infrastructure';

async function main(): Promise<void> {
  const config = registryConfigFromEnvironment();
  const infra = await connectInfrastructure(config);
  const app = await createServiceApp(AppModule.forRoot(config, infra), {
    bodyLimitBytes: config.BODY_LIMIT_BYTES,
    trustProxy: registryTrustProxy(config),
  });
  serveOpenApiDocs(app);
  await app.listen(config.PORT, config.HOST);
  new Logger('Main').log(
    { url: await app.getUrl(), registryId: config.REGISTRY_ID, peers: config.REGISTRY_PEERS.length },
    'registry node listening',
  );
}

main().catch((error: unknown) => {
  // Before the logger exists (bad configuration, unreachable database): one line on stderr, then exit.
  process.stderr.write(
    `registry: failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
