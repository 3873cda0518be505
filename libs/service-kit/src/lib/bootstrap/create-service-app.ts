import type { Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { ProblemJsonFilter } from '../errors/problem-json.filter';
import { StrictValidationPipe } from '../validation/validation-pipe.factory';
import { DEFAULT_JSON_MAX_DEPTH, readJsonBody } from './json-body.parser';

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
  /** Deepest nesting of a JSON body; deeper ones get 400 `request.malformed`. Default `DEFAULT_JSON_MAX_DEPTH`. */
  jsonMaxDepth?: number;
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
  // Our own JSON parser (Nest's is switched off above). Oversized bodies and other content types are
  // refused by Fastify first (413, 415); `readJsonBody` refuses other charsets, bytes that are not
  // UTF-8, deep nesting and duplicate keys; the text is then parsed by Fastify's safe parser (proto
  // poisoning is an error). Every failure is a typed error, so it keeps a stable code through Nest's
  // error handler, and no handler runs.
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  const parse = (text: string): unknown => {
    let parsed: { error: Error | null; value?: unknown } | undefined;
    // Fastify's default parser answers synchronously.
    parseJson({} as never, text, (error, value) => {
      parsed = { error, value };
    });
    if (!parsed || parsed.error) throw parsed?.error ?? new Error('JSON parser did not answer');
    return parsed.value;
  };
  const maxDepth = options.jsonMaxDepth ?? DEFAULT_JSON_MAX_DEPTH;
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    try {
      done(null, readJsonBody(body as Buffer, request.headers['content-type'], { maxDepth, parse }));
    } catch (error) {
      done(error as Error, undefined);
    }
  });

  return app;
}
