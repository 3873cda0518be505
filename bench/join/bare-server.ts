/**
 * The join benchmarks' baseline as a process of its own (like the registry it is compared with): the bare
 * Fastify route of `bareServer` (join-support.ts) with the same JWT check, on a loopback port. Reads the
 * public key (PEM) from BARE_PUBLIC_KEY_PEM and prints `bare listening <url>` once it listens.
 */
import { createPublicKey } from 'node:crypto';
import { bareServer } from './join-support';

const pem = process.env.BARE_PUBLIC_KEY_PEM;
if (!pem) throw new Error('BARE_PUBLIC_KEY_PEM is not set');
bareServer(createPublicKey(pem)).then(
  ({ url, close }) => {
    console.log(`bare listening ${url}`);
    process.once('SIGTERM', () => void close().then(() => process.exit(0)));
  },
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
