import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { newServiceKey } from '@hoot/process';
import {
  ADMIN_USERNAME,
  DEMO_USERS,
  OPERATOR_ACCOUNT,
  PLATFORM_CLOUDS,
  cashAccountOf,
  packagerControlKeyName,
  packagerViewerTokenKeyName,
  type DemoUser,
  type PlatformSecrets,
} from './platform.plan';

/** A random secret in the format `scripts/dev-up.sh` wrote (`openssl rand -hex 24`). */
export const newSecret = () => randomBytes(24).toString('hex');

/**
 * Reads the secret `name` from `dir`, generating and keeping it (mode 0600) the first time. Never defaulted:
 * each is random per machine (dev mode, `.infra/dev-secrets/`) or per run (test mode, a temporary folder).
 */
export function secretFile(dir: string, name: string, generate: () => string = newSecret): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const file = join(dir, name);
  try {
    const value = readFileSync(file, 'utf8').trim();
    if (value) return value;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const value = generate();
  writeFileSync(file, `${value}\n`, { mode: 0o600 });
  return value;
}

export interface PlatformCredentials extends PlatformSecrets {
  users: Record<DemoUser, { password: string }>;
  /**
   * Each CoreMX's packager keys by coremxId (the processes read them from their files, never from the
   * environment): the control API's service key and the HMAC key of viewer tokens.
   */
  packagerKeys: Record<string, { controlKey: string; viewerTokenKey: string }>;
}

/**
 * Every secret of a platform, under the names dev-up used: `admin-api-key`, `admin-password`,
 * `service-key-<account>`, `webhook-signing-key-<registry>` (read by the registries from the file),
 * `password-<user>`, and per CoreMX `packager-control-key-<coremxId>` and `packager-viewer-token-key-<coremxId>`
 * (48 hex characters each: above the packager's minimums of 16 and 32). Each CASH has a service account and key of its own, `cash-<coremxId>`: the registries
 * accept a CoreMX's membership only from that account (a former shared `service-key-cash` is left unused).
 */
export function platformCredentials(dir: string): PlatformCredentials {
  const serviceKeys: Record<string, string> = {};
  for (const account of [
    ...PLATFORM_CLOUDS.map((c) => cashAccountOf(c.coremxId)),
    ...PLATFORM_CLOUDS.map((c) => c.registryId),
    OPERATOR_ACCOUNT,
  ]) {
    serviceKeys[account] = secretFile(dir, `service-key-${account}`, newServiceKey);
  }
  for (const { registryId } of PLATFORM_CLOUDS) secretFile(dir, `webhook-signing-key-${registryId}`);
  const packagerKeys = Object.fromEntries(
    PLATFORM_CLOUDS.map(({ coremxId }) => [
      coremxId,
      {
        controlKey: secretFile(dir, packagerControlKeyName(coremxId)),
        viewerTokenKey: secretFile(dir, packagerViewerTokenKeyName(coremxId)),
      },
    ]),
  );
  const users = Object.fromEntries(
    DEMO_USERS.map((user) => [user, { password: secretFile(dir, `password-${user}`) }]),
  ) as Record<DemoUser, { password: string }>;
  return {
    adminApiKey: secretFile(dir, 'admin-api-key'),
    adminPassword: secretFile(dir, `${ADMIN_USERNAME}-password`),
    serviceKeys,
    users,
    packagerKeys,
  };
}
