import type { DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { IncomingMessage } from 'node:http';

export interface ServiceIdentity {
  /** The service name (`auth`, `registry`, `cash`). */
  service: string;
  version: string;
  /** This replica (pod name, or a name given in local runs). */
  nodeId: string;
}

export interface LoggingOptions extends ServiceIdentity {
  level?: string;
  /** Extra paths to redact, in pino's syntax. */
  redact?: string[];
  /** Where lines go (tests pass a stream); stdout by default. */
  destination?: NodeJS.WritableStream;
}

/** Everything that may carry a credential, wherever it appears in a log line. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["x-admin-key"]',
  'res.headers["set-cookie"]',
  'password',
  'token',
  'apiKey',
  'api_key',
  'secret',
  '*.password',
  '*.token',
  '*.apiKey',
  '*.api_key',
  '*.secret',
  '*.access_token',
];

const QUIET_ROUTES = /^\/(health\/|metrics(\?|$))/;

/** nestjs-pino for a hoot service: identity on every line, credentials redacted, probes and scrapes not logged. */
export function serviceLoggerModule(options: LoggingOptions): DynamicModule {
  return LoggerModule.forRoot({
    pinoHttp: [
      {
        level: options.level ?? 'info',
        base: { service: options.service, version: options.version, nodeId: options.nodeId },
        redact: { paths: [...REDACTED_PATHS, ...(options.redact ?? [])], censor: '[redacted]' },
        autoLogging: {
          ignore: (req: IncomingMessage & { originalUrl?: string }) =>
            QUIET_ROUTES.test(req.originalUrl ?? req.url ?? ''),
        },
        serializers: {
          req: (req: { id?: unknown; method?: string; url?: string; headers?: Record<string, unknown> }) => ({
            id: req.id,
            method: req.method,
            url: req.url,
            headers: req.headers,
          }),
        },
      },
      (options.destination ?? process.stdout) as never,
    ],
  });
}
