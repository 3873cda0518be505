/**
 * What the join benchmarks share: command-line flags, percentiles, the platform they load (auth, two
 * registries, a CASH per CoreMX with kms-lite's fake engine, on Kafka and FerretDB started here) and the
 * same-run baseline, a bare Fastify route with the registry's JWT check and nothing else.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import Fastify from 'fastify';
import jwt from 'jsonwebtoken';
import { describeKafkaCluster } from '@hoot/events';
import { pingMongo } from '@hoot/mongo';
import { join } from 'node:path';
import { startKmsLite } from '@hoot/media/testing';
import {
  ConferencePlatform,
  ManagedProcess,
  REGISTRY_CLUSTER_ISSUER as ISSUER,
  startKafka,
  startMongo,
  workspaceRoot,
} from '@hoot/testing';

export { arg, percentile, round } from '../bench-cli';

/** The registries' env for a benchmark: rate limits out of the way, quiet logs. */
export const BENCH_REGISTRY_ENV = {
  JOIN_RATE_PER_MIN: '100000000',
  CREATE_RATE_PER_MIN: '100000',
  LOG_LEVEL: 'warn',
};

export interface JoinBenchPlatform {
  platform: ConferencePlatform;
  /** reg-c1-1 and reg-c2-1. */
  c1: string;
  c2: string;
  alice: string;
  bob: string;
  post(url: string, token: string, body: unknown): Promise<Response>;
  stop(): Promise<void>;
}

/**
 * Kafka, FerretDB and the platform (reg-c1-1, reg-c2-1; coremx-1 in c1, coremx-2 in c2), ready once both
 * CoreMX are alive at reg-c1-1. `envOf` adds env to one registry (e.g. an inspector for the one profiled).
 */
export async function startJoinBenchPlatform(
  prefix: string,
  envOf: (registryId: string) => Record<string, string> = () => ({}),
): Promise<JoinBenchPlatform> {
  const kafka = await startKafka({ probe: (b) => describeKafkaCluster(b) });
  const mongo = await startMongo({ probe: (u) => pingMongo(u) });
  const platform = new ConferencePlatform(
    {
      mongoUri: (db) => `${mongo.uri}${db}`,
      kafkaBrokers: kafka.brokers,
      prefix: `${prefix}_${Date.now().toString(36)}`,
      startMediaServer: () => startKmsLite({ engine: 'fake' }),
    },
    ['reg-c1-1', 'reg-c2-1'].map((registryId) => ({
      registryId,
      env: { ...BENCH_REGISTRY_ENV, ...envOf(registryId) },
    })),
    [
      { coremxId: 'coremx-1', cloud: 'c1' },
      { coremxId: 'coremx-2', cloud: 'c2' },
    ],
  );
  const stop = async () => {
    await platform.stop();
    await mongo.stop();
    await kafka.stop();
  };
  try {
    await platform.start();
    const alice = await platform.cluster.userToken('alice');
    const bob = await platform.cluster.userToken('bob');
    const c1 = platform.cluster.urlOf('reg-c1-1');
    const c2 = platform.cluster.urlOf('reg-c2-1');
    // Both CoreMX known everywhere before placing.
    for (let i = 0; ; i++) {
      const res = await fetch(`${c1}/v1/coremx`, { headers: { authorization: `Bearer ${alice}` } });
      const body = (await res.json()) as { coremx: { liveness: string }[] };
      if (body.coremx.filter((c) => c.liveness === 'alive').length === 2) break;
      if (i > 600) throw new Error('the CoreMX never registered');
      await new Promise((r) => setTimeout(r, 50));
    }
    const post = (url: string, token: string, body: unknown) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(body),
      });
    return { platform, c1, c2, alice, bob, post, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The auth service's current public key, from its JWKS (what the registries verify user tokens with). */
export async function authPublicKey(platform: ConferencePlatform): Promise<KeyObject> {
  const jwks = (await (await fetch(`${platform.cluster.authUrl}/.well-known/jwks.json`)).json()) as {
    keys: Record<string, unknown>[];
  };
  return createPublicKey({ key: jwks.keys[0] as never, format: 'jwk' });
}

/**
 * The baseline: a bare Fastify route in this process with the same JWT check as the registry's (jsonwebtoken,
 * RS256 pinned, the auth service's public key, issuer and audience) and nothing else.
 */
export async function bareServer(publicKey: KeyObject): Promise<{ url: string; close: () => Promise<void> }> {
  const app = Fastify({ logger: false });
  app.post('/v1/join', async (request, reply) => {
    const header = request.headers.authorization ?? '';
    try {
      const claims = jwt.verify(header.replace(/^Bearer /, ''), publicKey, {
        algorithms: ['RS256'],
        issuer: ISSUER,
        audience: 'hoot',
      });
      return { ok: true, sub: (claims as { sub: string }).sub };
    } catch {
      return reply.code(401).send({ code: 'token.invalid' });
    }
  });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { url, close: () => app.close() };
}

/**
 * The same baseline as a process of its own (bench/join/bare-server.ts), so that it does not share the
 * load generator's event loop (the registry does not either).
 */
export async function startBareServerProcess(
  publicKey: KeyObject,
  extraEnv: Record<string, string> = {},
): Promise<{ url: string; pid: number; close: () => Promise<void> }> {
  let url = '';
  const child = await ManagedProcess.start({
    name: 'bare-join',
    command: process.execPath,
    args: [
      '--require',
      join(workspaceRoot(), 'tools/ts-node/register.js'),
      join(workspaceRoot(), 'bench/join/bare-server.ts'),
    ],
    cwd: workspaceRoot(),
    env: {
      ...process.env,
      BARE_PUBLIC_KEY_PEM: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      ...extraEnv,
    },
    readyLine: /^bare listening /,
    onLine: (line) => {
      const m = /^bare listening (\S+)/.exec(line);
      if (m) url = m[1];
    },
    readyTimeoutMs: 60_000,
  });
  return { url, pid: child.pid!, close: () => child.stop(5_000) };
}
