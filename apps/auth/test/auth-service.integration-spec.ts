import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AccountResolverClient,
  JoinTicketClient,
  JoinTicketError,
  JwksKeyCache,
  ServiceCredentialClient,
  TokenVerifier,
  httpJwksFetcher,
  splitJwt,
} from '@hoot/auth-kit';
import { TokenRejection } from '@hoot/domain';
import {
  ManagedProcess,
  eventually,
  freePort,
  infraPath,
  integrationInfra,
  mongoUriFor,
  uniqueTopic,
  workspaceRoot,
} from '@hoot/testing';

/**
 * The auth service as a real process on the real Kafka broker and MongoDB-protocol server, and a second
 * process that verifies tokens with nothing but the JWKS and the revocation topic.
 */
const ADMIN_KEY = 'integration-admin-key-0123456789abcdef';
const SERVICE_KEY = `hk_${'I'.repeat(16)}_${'t'.repeat(43)}`;
/** A registry's service account (named by its registry id): the only kind that may get join tickets. */
const REGISTRY_ID = 'reg-it-1';
const REGISTRY_KEY = `hk_${'R'.repeat(16)}_${'g'.repeat(43)}`;
const ISSUER = 'https://auth.integration.test';
const PASSWORD = 'integration password';

const register = () => join(workspaceRoot(), 'tools/ts-node/register.js');
const keyScript = () => join(workspaceRoot(), 'apps/auth/scripts/auth-keys.js');

describe('auth service (real Kafka + MongoDB protocol)', () => {
  let keysDir: string;
  let topic: string;
  let authUrl: string;
  let auth: ManagedProcess | undefined;
  const verifiers: ManagedProcess[] = [];

  async function startVerifier(name: string): Promise<string> {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const process_ = await ManagedProcess.start({
      name,
      command: process.execPath,
      args: ['--require', register(), join(workspaceRoot(), 'apps/auth/test/support/jwks-verifier.main.ts')],
      cwd: workspaceRoot(),
      env: {
        ...process.env,
        PORT: String(port),
        NODE_ID: name,
        JWKS_URL: `${authUrl}/.well-known/jwks.json`,
        AUTH_ISSUER: ISSUER,
        KAFKA_BROKERS: integrationInfra().kafkaBrokers.join(','),
        AUTH_REVOCATIONS_TOPIC: topic,
        // Below the auth service's activation delay, as in production (10 s < 60 s).
        JWKS_REFETCH_COOLDOWN_MS: '1000',
      },
      logFile: infraPath('test-logs', `${name}-${port}.log`),
      readyProbe: async () => {
        const res = await fetch(`${url}/health/ready`);
        if (!res.ok) throw new Error(`ready answered ${res.status}`);
      },
      readyTimeoutMs: 60_000,
    });
    verifiers.push(process_);
    return url;
  }

  const post = async (path: string, body: unknown, authorization?: string) => {
    const res = await fetch(`${authUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const admin = `Bearer ${ADMIN_KEY}`;

  async function login(username: string): Promise<string> {
    const res = await post('/v1/tokens', { grant_type: 'password', username, password: PASSWORD });
    expect(res.status).toBe(200);
    return res.body['access_token'] as string;
  }

  async function createUser(username: string): Promise<string> {
    const res = await post(
      '/v1/admin/accounts',
      { username, displayName: username, password: PASSWORD },
      admin,
    );
    expect(res.status).toBe(201);
    return res.body['id'] as string;
  }

  const whoami = async (verifierUrl: string, token: string) => {
    const res = await fetch(`${verifierUrl}/whoami`, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    keysDir = mkdtempSync(join(tmpdir(), 'hoot-auth-keys-'));
    execFileSync(process.execPath, [keyScript(), '--dir', keysDir]);
    topic = uniqueTopic('hoot.auth.revocations');
    const port = await freePort();
    authUrl = `http://127.0.0.1:${port}`;
    auth = await ManagedProcess.start({
      name: 'auth',
      command: process.execPath,
      args: ['--require', register(), join(workspaceRoot(), 'apps/auth/src/main.ts')],
      cwd: workspaceRoot(),
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        NODE_ID: 'auth-it',
        MONGO_URI: mongoUriFor('auth'),
        KAFKA_BROKERS: integrationInfra().kafkaBrokers.join(','),
        AUTH_REVOCATIONS_TOPIC: topic,
        AUTH_ISSUER: ISSUER,
        AUTH_KEYS_DIR: keysDir,
        AUTH_KEYS_RELOAD_INTERVAL_MS: '300',
        AUTH_KEY_ACTIVATION_DELAY_MS: '3000',
        AUTH_ADMIN_API_KEY: ADMIN_KEY,
        AUTH_BOOTSTRAP_SERVICE_KEYS: `registry:${SERVICE_KEY},${REGISTRY_ID}:${REGISTRY_KEY}`,
        AUTH_RATE_LIMIT_PER_ADDRESS: '100000',
      },
      logFile: infraPath('test-logs', `auth-${port}.log`),
      readyProbe: async () => {
        const res = await fetch(`${authUrl}/health/ready`);
        if (!res.ok) throw new Error(`ready answered ${res.status}: ${await res.text()}`);
      },
      readyTimeoutMs: 90_000,
    });
  });

  afterAll(async () => {
    await Promise.all(verifiers.map((v) => v.stop()));
    await auth?.stop();
    rmSync(keysDir, { recursive: true, force: true });
  });

  it('issues a token that a second process verifies with the JWKS alone, then rejects once revoked', async () => {
    const verifierUrl = await startVerifier('verifier-a');
    const accountId = await createUser('alice');
    const token = await login('alice');
    const ok = await whoami(verifierUrl, token);
    expect(ok).toEqual({ status: 200, body: { subject: accountId, tokenId: expect.any(String) } });

    const revoked = await post('/v1/revocations', { sub: accountId, jti: ok.body['tokenId'] }, admin);
    expect(revoked).toMatchObject({ status: 201, body: { type: 'token.revoked', published: true } });

    await eventually(
      async () => {
        const res = await whoami(verifierUrl, token);
        expect(res.status).toBe(401);
        expect(res.body['code']).toBe('token.revoked');
      },
      { description: 'second process rejects the revoked token', timeoutMs: 30_000 },
    );
    // A process started after the revocation learns it from the beginning of the topic before serving.
    const lateVerifier = await startVerifier('verifier-late');
    expect((await whoami(lateVerifier, token)).body['code']).toBe('token.revoked');
    // A new token of the same account is still fine.
    expect((await whoami(verifierUrl, await login('alice'))).status).toBe(200);
  });

  it('introspection stamps account metadata and reports revocation and disabled accounts', async () => {
    const serviceToken = await post('/v1/tokens', { grant_type: 'api_key', api_key: SERVICE_KEY });
    expect(serviceToken.status).toBe(200);
    const service = `Bearer ${serviceToken.body['access_token']}`;
    const accountId = await createUser('bob');
    const token = await login('bob');
    const active = await post('/v1/introspect', { token }, service);
    expect(active).toMatchObject({
      status: 200,
      body: { active: true, account: { id: accountId, username: 'bob', disabled: false } },
    });

    const disabled = await post(`/v1/admin/accounts/${accountId}/disable`, {}, admin);
    expect(disabled.status).toBe(200);
    expect((await post('/v1/introspect', { token }, service)).body['active']).toBe(false);
    const verifierUrl = await startVerifier('verifier-b');
    // Disabling revoked the subject: local verifiers reject its tokens too.
    expect((await whoami(verifierUrl, token)).body['code']).toBe('token.revoked');
  });

  it('signs join tickets for a registry that a JWKS-only verifier of that CoreMX accepts', async () => {
    const ticketsFor = (apiKey: string) => {
      const credentials = new ServiceCredentialClient({ authUrl, apiKey });
      return new JoinTicketClient({ authUrl, authorization: () => credentials.authorization() });
    };
    const coremxVerifier = (coremxId: string) =>
      new TokenVerifier({
        issuer: ISSUER,
        audiences: [`coremx:${coremxId}`],
        keys: new JwksKeyCache({ fetchJwks: httpJwksFetcher(`${authUrl}/.well-known/jwks.json`) }),
      });
    const dave = await createUser('dave');
    const daveToken = await login('dave');
    const request = { coremxId: 'x', subject: dave, conferenceId: 'standup-7', displayName: 'Dave' };

    const issued = await ticketsFor(REGISTRY_KEY).issue(request);
    const { claims } = await coremxVerifier('x').verify(issued.ticket);
    expect(claims).toMatchObject({
      iss: ISSUER,
      aud: 'coremx:x',
      sub: dave,
      jti: issued.ticketId,
      name: 'Dave',
      cid: 'standup-7',
    });
    expect(claims.exp - claims.iat).toBe(120);
    expect(issued.expiresAt).toBe(new Date(claims.exp * 1000).toISOString());
    await expect(coremxVerifier('y').verify(issued.ticket)).rejects.toMatchObject({
      reason: TokenRejection.WrongAudience,
    });

    // A service that is not a registry is refused with a stable code.
    const refused = await ticketsFor(SERVICE_KEY)
      .issue(request)
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(JoinTicketError);
    expect(refused).toMatchObject({ failure: 'refused', status: 403, code: 'auth.forbidden' });

    // With the user's token, a revocation of the whole subject stops tickets on the very next request
    // (auth reads the database; nothing to propagate), and so does disabling the account.
    const registryTickets = ticketsFor(REGISTRY_KEY);
    expect((await registryTickets.issue({ ...request, subjectToken: daveToken })).ticket).toEqual(
      expect.any(String),
    );
    expect((await post('/v1/revocations', { sub: dave }, admin)).status).toBe(201);
    const afterRevocation = await registryTickets
      .issue({ ...request, subjectToken: daveToken })
      .catch((error: unknown) => error);
    expect(afterRevocation).toMatchObject({ failure: 'refused', status: 403, code: 'auth.subject-revoked' });
    expect((await post(`/v1/admin/accounts/${dave}/disable`, {}, admin)).status).toBe(200);
    const afterDisable = await registryTickets.issue(request).catch((error: unknown) => error);
    expect(afterDisable).toMatchObject({ failure: 'refused', status: 403, code: 'auth.subject-disabled' });
  });

  it('resolves usernames and account ids for a registry with one call', async () => {
    const erin = await createUser('erin');
    const frank = await createUser('frank');
    const gina = await createUser('gina');
    expect((await post(`/v1/admin/accounts/${gina}/disable`, {}, admin)).status).toBe(200);
    const resolverFor = (apiKey: string) => {
      const credentials = new ServiceCredentialClient({ authUrl, apiKey });
      return new AccountResolverClient({ authUrl, authorization: () => credentials.authorization() });
    };
    const missingId = 'acc_00000000-0000-4000-8000-000000000000';

    const resolved = await resolverFor(REGISTRY_KEY).resolve([
      'erin',
      frank,
      'gina',
      'nobody',
      'registry',
      missingId,
    ]);
    expect(resolved.ids).toEqual(
      new Map([
        ['erin', erin],
        [frank, frank],
      ]),
    );
    expect(resolved.unknown).toEqual(['gina', 'nobody', 'registry', missingId]);

    await expect(resolverFor(SERVICE_KEY).resolve(['erin'])).rejects.toMatchObject({
      name: 'AccountResolverError',
      failure: 'refused',
      status: 403,
      code: 'auth.forbidden',
    });
  });

  it('rotates keys while tokens are in use without rejecting a valid token', async () => {
    const verifierUrl = await startVerifier('verifier-rotation');
    await createUser('carol');
    const firstKid = splitJwt(await login('carol')).header.kid;
    const inUse: string[] = [await login('carol')];
    const failures: string[] = [];
    const verifyAll = async () => {
      for (const token of inUse) {
        const res = await whoami(verifierUrl, token);
        if (res.status !== 200)
          failures.push(`${splitJwt(token).header.kid}: ${res.status} ${String(res.body['code'])}`);
      }
    };

    execFileSync(process.execPath, [keyScript(), '--dir', keysDir, '--rotate']);
    expect(readdirSync(keysDir)).toHaveLength(2);

    // Keep issuing and verifying every token issued so far until the new key signs.
    await eventually(
      async () => {
        inUse.push(await login('carol'));
        await verifyAll();
        expect(splitJwt(inUse[inUse.length - 1]).header.kid).not.toBe(firstKid);
      },
      { description: 'the new key signs', timeoutMs: 30_000, intervalMs: 100 },
    );
    inUse.push(await login('carol'));
    await verifyAll();
    expect(failures).toEqual([]);
    expect(new Set(inUse.map((t) => splitJwt(t).header.kid)).size).toBe(2);
  });
});
