/** Stable codes for persistence failures that callers map to their transport (e.g. 409 problem+json). */
export enum PersistenceErrorCode {
  Duplicate = 'persistence.duplicate',
  Unavailable = 'persistence.unavailable',
  Invalid = 'persistence.invalid',
}

export class PersistenceError extends Error {
  constructor(
    readonly code: PersistenceErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PersistenceError';
  }
}

/** A unique index refused a second document with the same key. */
export class DuplicateKeyError extends PersistenceError {
  constructor(
    readonly collection: string | undefined,
    readonly keyValue: Record<string, unknown>,
    cause?: unknown,
  ) {
    const fields = Object.keys(keyValue);
    const where = collection ? ` in ${collection}` : '';
    super(
      PersistenceErrorCode.Duplicate,
      `duplicate ${fields.length ? fields.join(', ') : 'key'}${where}: a document with ${
        fields.length ? fields.map((f) => `${f}=${JSON.stringify(keyValue[f])}`).join(', ') : 'that key'
      } already exists`,
      { collection, keyValue },
      { cause },
    );
    this.name = 'DuplicateKeyError';
  }
}

interface DriverError {
  name?: string;
  code?: number;
  codeName?: string;
  message?: string;
  keyValue?: Record<string, unknown>;
  keyPattern?: Record<string, unknown>;
}

const NETWORK_ERRORS = new Set([
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoServerSelectionError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
]);

/**
 * Turns a driver error into one of ours. Duplicate keys (code 11000) keep the offending key; FerretDB
 * does not always fill in `keyValue`, so the key is also read from the server's message when needed.
 * Anything else is returned unchanged.
 */
export function mapMongoError(error: unknown): unknown {
  if (!error || typeof error !== 'object') return error;
  const e = error as DriverError;
  if (e.code === 11000 || e.code === 11001 || e.codeName === 'DuplicateKey') {
    const collection = /collection: [^.\s]+\.([^\s]+)/.exec(e.message ?? '')?.[1];
    return new DuplicateKeyError(collection, e.keyValue ?? keyFromMessage(e.message) ?? {}, error);
  }
  if (e.name && NETWORK_ERRORS.has(e.name)) {
    return new PersistenceError(
      PersistenceErrorCode.Unavailable,
      `database unavailable: ${e.message}`,
      {},
      { cause: error },
    );
  }
  if (e.name === 'ValidationError' || e.name === 'CastError') {
    return new PersistenceError(
      PersistenceErrorCode.Invalid,
      e.message ?? 'invalid document',
      {},
      { cause: error },
    );
  }
  return error;
}

function keyFromMessage(message: string | undefined): Record<string, unknown> | undefined {
  const match = /dup key: \{ ?([^:]+): (.+?) ?\}/.exec(message ?? '');
  if (!match) return undefined;
  const raw = match[2].trim();
  let value: unknown = raw;
  try {
    value = JSON.parse(raw);
  } catch {
    value = raw.replace(/^"|"$/g, '');
  }
  return { [match[1].trim()]: value };
}

/** Runs a persistence call and rethrows driver errors as ours. */
export async function withMongoErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw mapMongoError(error);
  }
}
