import 'reflect-metadata';
import {
  Controller,
  Get,
  Inject,
  Injectable,
  Logger,
  Module,
  OnApplicationShutdown,
  UseGuards,
  type DynamicModule,
} from '@nestjs/common';
import {
  AuthGuard,
  AuthKitModule,
  CurrentIdentity,
  JwksKeyCache,
  RevocationFeed,
  TokenVerifier,
  httpJwksFetcher,
  type Identity,
} from '@hoot/auth-kit';
import { createKafka } from '@hoot/events';
import { HealthModule, HealthRegistry, createServiceApp, serviceLoggerModule } from '@hoot/service-kit';
import { verifierConfigFromEnvironment, type VerifierConfig } from './config/verifier.config';

/**
 * A second process that knows the auth service only through its JWKS and the revocation topic, as CASH
 * and the registry do: `GET /whoami` with a bearer token answers the identity or the rejection.
 */
@Controller('whoami')
class WhoAmIController {
  @Get()
  @UseGuards(AuthGuard)
  whoami(@CurrentIdentity() identity: Identity): { subject: string; tokenId: string } {
    return { subject: identity.subject, tokenId: identity.tokenId };
  }
}

const FEED = Symbol('FEED');

@Injectable()
class FeedLifecycle implements OnApplicationShutdown {
  constructor(
    @Inject(FEED) private readonly feed: RevocationFeed,
    health: HealthRegistry,
  ) {
    health.register({
      name: 'revocations',
      check: async () => {
        if (!feed.isCaughtUp()) throw new Error('not caught up with the revocation topic');
      },
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.feed.stop();
  }
}

function verifierModule(
  config: VerifierConfig,
  feed: RevocationFeed,
  verifier: TokenVerifier,
): DynamicModule {
  @Module({})
  class VerifierModule {}
  return {
    module: VerifierModule,
    imports: [
      AuthKitModule.forRoot({
        verifier,
        userAudience: config.AUTH_AUDIENCE,
        serviceAudience: 'hoot-internal',
      }),
      HealthModule,
      serviceLoggerModule({ service: 'jwks-verifier', version: '0.0.0', nodeId: config.NODE_ID }),
    ],
    controllers: [WhoAmIController],
    providers: [{ provide: FEED, useValue: feed }, FeedLifecycle],
  };
}

async function main(): Promise<void> {
  const config = verifierConfigFromEnvironment();
  const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: config.NODE_ID, logLevel: 'error' });
  const feed = new RevocationFeed({
    kafka,
    topic: config.AUTH_REVOCATIONS_TOPIC,
    groupIdPrefix: `hoot-${config.NODE_ID}`,
  });
  // Read every earlier revocation before serving.
  await feed.start();
  const verifier = new TokenVerifier({
    issuer: config.AUTH_ISSUER,
    audiences: [config.AUTH_AUDIENCE],
    keys: new JwksKeyCache({
      fetchJwks: httpJwksFetcher(config.JWKS_URL),
      refetchCooldownMs: config.JWKS_REFETCH_COOLDOWN_MS,
    }),
    revocations: feed.revocations,
  });
  const app = await createServiceApp(verifierModule(config, feed, verifier), { bodyLimitBytes: 16 * 1024 });
  await app.listen(config.PORT, '127.0.0.1');
  new Logger('Main').log({ port: config.PORT }, 'jwks verifier listening');
}

main().catch((error: unknown) => {
  process.stderr.write(
    `jwks-verifier: failed to start: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
});
