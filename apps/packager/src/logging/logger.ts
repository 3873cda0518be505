import pino, { type Logger } from 'pino';

export const SERVICE = 'packager';

/** Structured JSON logs with service, version and nodeId on every line; tokens and keys redacted. */
export function createLogger(
  level: string,
  identity: { version: string; nodeId: string },
  destination?: pino.DestinationStream,
): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service: SERVICE, version: identity.version, nodeId: identity.nodeId },
    redact: {
      paths: ['token', '*.token', 'authorization', '*.authorization', 'key', '*.key'],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
