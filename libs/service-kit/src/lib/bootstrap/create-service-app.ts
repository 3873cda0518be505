import type { Type } from '@nestjs/common';
import { ServiceErrorCode } from '@hoot/domain';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { HootException } from '../errors/hoot.exception';
import { ProblemJsonFilter } from '../errors/problem-json.filter';
import { StrictValidationPipe } from '../validation/validation-pipe.factory';

export interface ServiceAppOptions {
  /** Largest request body accepted; bigger ones get 413 `request.too-large` before any handler runs. */
  bodyLimitBytes: number;
  /** Fastify's `trustProxy`: which forwarders' `X-Forwarded-For` to believe for the client address. */
  trustProxy?: boolean | number | string | string[];
  /**
   * `pino` (default): the module must import `serviceLoggerModule(...)`, whose logger becomes the app's.
   * `none`: Nest's default logger (small test apps only).
   */
  logger?: 'pino' | 'none';
}

/** Default body limit: our APIs take small JSON documents. */
export const DEFAULT_BODY_LIMIT_BYTES = 64 * 1024;

/**
 * Builds a hoot service on Fastify with everything every service needs: the pino logger (when the
 * module imports `serviceLoggerModule`), the strict validation pipe, problem+json errors for every
 * failure (including Fastify's own body-parsing ones) and shutdown hooks. (`MetricsModule` times requests itself.) The caller only `listen`s.
 */
export async function createServiceApp(
  module: Type<unknown> | object,
  options: ServiceAppOptions,
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: options.bodyLimitBytes,
    trustProxy: options.trustProxy ?? false,
    // Our own request log comes from pino-http; Fastify's would duplicate it.
    logger: false,
  });
  const app = await NestFactory.create<NestFastifyApplication>(module as Type<unknown>, adapter, {
    bufferLogs: true,
    abortOnError: false,
    bodyParser: false,
  });
  if (options.logger !== 'none') app.useLogger(app.get(Logger));
  app.useGlobalPipes(new StrictValidationPipe());
  app.useGlobalFilters(new ProblemJsonFilter());
  app.enableShutdownHooks();

  const fastify = app.getHttpAdapter().getInstance();
  // Our own JSON parser (Nest's is switched off above): Fastify's safe parser (proto poisoning is an
  // error), with its failures as typed errors so they keep a stable code through Nest's error handler.
  // Oversized bodies and other content types are refused by Fastify first (413, 415).
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    parseJson(request, body as string, (error, value) => {
      if (!error) return done(null, value);
      const empty = body === '' || (error as { code?: string }).code === 'FST_ERR_CTP_EMPTY_JSON_BODY';
      done(
        new HootException(
          ServiceErrorCode.RequestMalformed,
          400,
          empty ? 'JSON body is empty' : 'body is not valid JSON',
        ),
        undefined,
      );
    });
  });

  return app;
}
