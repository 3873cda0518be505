/**
 * The whole platform for the web app's end-to-end specs, started by the same launcher as `npm start`
 * (`startPlatform` of `@hoot/platform`, test mode: free ports, temporary folders): the web app build, auth
 * with the demo users, one registry per cloud (reg-c1-1, reg-c2-1) serving that build, and per cloud a
 * CASH with kms-lite on its WebRTC engine (werift). Kafka and the MongoDB-protocol server come from the
 * jest global setup (as for integration specs). Adds dave, who is invited nowhere.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPlatform } from '@hoot/platform';
import { eventually, integrationInfra } from '@hoot/testing';

export type Cloud = 'c1' | 'c2';

export interface WebUser {
  username: string;
  password: string;
  displayName: string;
}

export interface WebPlatform {
  /** The registry of each cloud: its id and base URL (its page is served at `${url}/`). */
  registries: Record<Cloud, { registryId: string; url: string }>;
  /** The mixer address of each cloud's CoreMX (conferences created at that cloud's registry land there). */
  mixers: Record<Cloud, string>;
  /** The people of the run, with passwords the specs type into the page. */
  users: Record<string, WebUser>;
  /** Each CoreMX's LL-HLS packager: its URL and the HMAC key viewer tokens are signed with (as CASH signs). */
  packagers: { coremxId: string; cloud: string; url: string; viewerTokenKey: Buffer }[];
  /** Where every process of the platform logs (`<part>.log`, e.g. `cash-<coremxId>.log`). */
  logDir: string;
  /** Stops everything started (safe to call twice). */
  stop(): Promise<void>;
}

/**
 * Starts the platform, adds dave, and waits until each registry sees both CoreMX alive. `recording`: the
 * packagers keep recordings in a temporary folder (`PACKAGER_RECORDING_DIR`, removed at stop); without
 * it recording is off, as in a platform started without one.
 */
export async function startWebPlatform(options: { recording?: boolean } = {}): Promise<WebPlatform> {
  const recordingDir = options.recording ? mkdtempSync(join(tmpdir(), 'hoot-web-recordings-')) : undefined;
  const platform = await startPlatform({
    mode: 'test',
    ...integrationInfra(),
    kmsEngine: 'werift',
    ...(recordingDir ? { env: { packager: { PACKAGER_RECORDING_DIR: recordingDir } } } : {}),
  });
  const stop = async () => {
    await platform.stop();
    if (recordingDir) rmSync(recordingDir, { recursive: true, force: true });
  };
  try {
    const urlOf = (cloud: Cloud) => {
      const registry = platform.registries.find((r) => r.cloud === cloud);
      if (!registry) throw new Error(`no registry in ${cloud}`);
      return registry;
    };
    const mixerOf = (cloud: Cloud) => {
      const cash = platform.cash.find((c) => c.cloud === cloud);
      if (!cash) throw new Error(`no CoreMX in ${cloud}`);
      return `${cash.coremxId}.${cloud}.hoot.mx`;
    };
    const users: Record<string, WebUser> = {};
    for (const [username, { password }] of Object.entries(platform.users)) {
      users[username] = { username, password, displayName: username[0].toUpperCase() + username.slice(1) };
    }
    const dave = {
      username: 'dave',
      password: `pw-dave-${randomBytes(8).toString('hex')}`,
      displayName: 'Dave',
    };
    const created = await fetch(`${platform.authUrl}/v1/admin/accounts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${platform.admin.apiKey}` },
      body: JSON.stringify(dave),
    });
    if (created.status !== 201) throw new Error(`creating dave: ${created.status} ${await created.text()}`);
    users['dave'] = dave;

    const token = await apiToken(urlOf('c1').url, 'alice', users['alice'].password);
    const expected = platform.cash
      .map((c) => `${c.coremxId}:alive`)
      .sort()
      .join();
    for (const cloud of ['c1', 'c2'] as const) {
      await eventually(
        async () => {
          const res = await fetch(`${urlOf(cloud).url}/v1/coremx`, {
            headers: { authorization: `Bearer ${token}` },
          });
          const body = (await res.json()) as { coremx: { coremxId: string; liveness: string }[] };
          const seen = body.coremx
            .map((c) => `${c.coremxId}:${c.liveness}`)
            .sort()
            .join();
          if (seen !== expected) throw new Error(`${cloud} sees ${seen}`);
        },
        { timeoutMs: 30_000, description: `both CoreMX alive at the registry of ${cloud}` },
      );
    }
    return {
      registries: {
        c1: { registryId: urlOf('c1').registryId, url: urlOf('c1').url },
        c2: { registryId: urlOf('c2').registryId, url: urlOf('c2').url },
      },
      mixers: { c1: mixerOf('c1'), c2: mixerOf('c2') },
      packagers: platform.packagers.map((p) => ({
        coremxId: p.coremxId,
        cloud: p.cloud,
        url: p.url,
        viewerTokenKey: Buffer.from(readFileSync(p.viewerTokenKeyFile, 'utf8').trim()),
      })),
      users,
      logDir: platform.logDir,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** A token through a registry's sign-in route, as the page gets it. */
export async function apiToken(registryUrl: string, username: string, password: string): Promise<string> {
  const res = await fetch(`${registryUrl}/v1/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'password', username, password }),
  });
  if (!res.ok) throw new Error(`sign-in of ${username}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

/** Waits until a registry knows a conference (a registry of another cloud learns it from Kafka). */
export async function conferenceKnownAt(
  registryUrl: string,
  user: WebUser,
  conferenceId: string,
): Promise<void> {
  const token = await apiToken(registryUrl, user.username, user.password);
  await eventually(
    async () => {
      const res = await fetch(`${registryUrl}/v1/conferences/${conferenceId}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(res.status).toBe(200);
    },
    { timeoutMs: 30_000, description: `${conferenceId} known at ${registryUrl}` },
  );
}

/** A registry's join link for a user (`webUrl`: the room with a ticket in the fragment, no sign-in). */
export async function joinLink(registryUrl: string, user: WebUser, address: string): Promise<string> {
  const token = await apiToken(registryUrl, user.username, user.password);
  const res = await fetch(`${registryUrl}/v1/join`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ address }),
  });
  if (res.status !== 200) throw new Error(`join of ${user.username}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { webUrl: string }).webUrl;
}
