import mongoose, { type Connection } from 'mongoose';

export interface MongoConnectOptions {
  /** Time to find a server before an operation fails. */
  serverSelectionTimeoutMs?: number;
  /** Build indexes declared in schemas at connect (fine for our small collections). */
  autoIndex?: boolean;
  appName?: string;
}

/**
 * Opens a dedicated connection (never mongoose's global one, so several services or tests can share a
 * process). Works with real MongoDB and with FerretDB: no sessions, transactions or change streams.
 */
export async function connectMongo(uri: string, options: MongoConnectOptions = {}): Promise<Connection> {
  const connection = mongoose.createConnection(uri, {
    serverSelectionTimeoutMS: options.serverSelectionTimeoutMs ?? 5_000,
    autoIndex: options.autoIndex ?? true,
    appName: options.appName ?? 'hoot',
    directConnection: true,
  });
  await connection.asPromise();
  return connection;
}

/** Round-trips a `ping` command (a readiness probe through the real protocol). */
export async function pingMongo(uri: string, timeoutMs = 3_000): Promise<void> {
  const connection = await connectMongo(uri, {
    serverSelectionTimeoutMs: timeoutMs,
    autoIndex: false,
    appName: 'hoot-probe',
  });
  try {
    await pingConnection(connection);
  } finally {
    await connection.close();
  }
}

/** Pings an open connection; throws if the server does not answer. */
export async function pingConnection(connection: Connection): Promise<void> {
  const db = connection.db;
  if (!db) throw new Error('mongo connection is not open');
  const answer = await db.admin().command({ ping: 1 });
  if (answer['ok'] !== 1) throw new Error(`mongo ping answered ${JSON.stringify(answer)}`);
}
