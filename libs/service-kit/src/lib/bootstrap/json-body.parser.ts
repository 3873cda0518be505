import { ServiceErrorCode } from '@hoot/domain';
import { HootException } from '../errors/hoot.exception';
import { findJsonStructureFault } from './json-structure';

/**
 * Deepest nesting of objects and arrays a JSON body may have (the top-level object counts as 1). Our
 * DTOs nest three or four levels; 64 leaves room for free-form metadata while keeping every recursive
 * walker after the parser (class-transformer, class-validator, loggers) far from the stack limit.
 */
export const DEFAULT_JSON_MAX_DEPTH = 64;

/** Charsets a JSON body may declare: JSON exchanged between systems is UTF-8 (RFC 8259 §8.1). */
const UTF8_NAMES = new Set(['utf-8', 'utf8']);

/** The `charset` parameter of a content type, lower-cased and unquoted; undefined when absent. */
export function charsetOf(contentType: string | undefined): string | undefined {
  if (!contentType) return undefined;
  for (const parameter of contentType.split(';').slice(1)) {
    const at = parameter.indexOf('=');
    if (at < 0 || parameter.slice(0, at).trim().toLowerCase() !== 'charset') continue;
    return parameter
      .slice(at + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1')
      .toLowerCase();
  }
  return undefined;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function malformed(detail: string, details?: Record<string, unknown>): HootException {
  return new HootException(ServiceErrorCode.RequestMalformed, 400, detail, details);
}

export interface JsonBodyOptions {
  /** Deepest nesting accepted; see `DEFAULT_JSON_MAX_DEPTH`. */
  maxDepth: number;
  /** Parses a JSON text, throwing when it is not JSON (Fastify's safe parser in the app). */
  parse: (text: string) => unknown;
}

/**
 * Reads a raw `application/json` body, or throws the problem the client gets, before anything sees it:
 * - a charset other than UTF-8 → 415 `request.unsupported-media-type` (we would otherwise read the
 *   bytes as UTF-8 and act on something the client did not mean);
 * - bytes that are not UTF-8 → 400 `request.malformed` (never replaced by U+FFFD silently);
 * - an empty body or one that is not JSON → 400 `request.malformed`;
 * - nesting deeper than `maxDepth`, checked before parsing → 400 `request.malformed`, `reason: too-deep`;
 * - a key repeated within one object → 400 `request.malformed`, `reason: duplicate-key`.
 */
export function readJsonBody(
  raw: Buffer,
  contentType: string | undefined,
  options: JsonBodyOptions,
): unknown {
  const charset = charsetOf(contentType);
  if (charset !== undefined && !UTF8_NAMES.has(charset)) {
    throw new HootException(
      ServiceErrorCode.UnsupportedMediaType,
      415,
      `JSON bodies must be UTF-8, not charset=${charset.slice(0, 40)}`,
    );
  }
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch {
    throw malformed('JSON body is not valid UTF-8');
  }
  if (text.trim() === '') throw malformed('JSON body is empty');
  const fault = findJsonStructureFault(text, options.maxDepth);
  if (fault?.kind === 'too-deep') {
    throw malformed(`JSON body is nested deeper than ${fault.maxDepth} levels`, {
      reason: 'too-deep',
      maxDepth: fault.maxDepth,
    });
  }
  let value: unknown;
  try {
    value = options.parse(text);
  } catch {
    throw malformed('body is not valid JSON');
  }
  if (fault?.kind === 'duplicate-key') {
    throw malformed('JSON body repeats a key within one object', {
      reason: 'duplicate-key',
      key: fault.key.slice(0, 100),
    });
  }
  return value;
}
