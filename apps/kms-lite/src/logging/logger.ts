import { hostname } from 'node:os';
import pino, { type Logger } from 'pino';

export const SERVICE = 'kms-lite';
export const VERSION = '7.2.0-kms-lite.1';

/** Structured JSON logs on stdout with service, version and nodeId on every line. */
export function createLogger(level: string, nodeId: string = hostname()): Logger {
  return pino({ level, base: { service: SERVICE, version: VERSION, nodeId } });
}
