import { writeFileSync } from 'node:fs';
import { HootClient, type FetchLike } from '@hoot/sdk';
import { CliHarness, sampleConference } from './testing/cli-harness';
import { fakeFetch, refusal } from './cli.runner.fixture';

describe('hoot (in-process, fake client)', () => {
  describe('conferences', () => {
    it('create sends type, allowed, public and settings and shows the conference', async () => {
      const h = new CliHarness();
      await h.login();
      const { code, stdout } = await h.run(
        'conferences',
        'create',
        '--id',
        'standup',
        '--type',
        'm2m',
        '--allow',
        'bob,carol',
        '--allow',
        'dave',
        '--public',
        '--max-participants',
        '8',
      );
      expect(code).toBe(0);
      expect(h.clients[0].calls[0]).toEqual({
        method: 'createConference',
        args: [
          {
            id: 'standup',
            type: 'm2m',
            allowed: ['bob', 'carol', 'dave'],
            public: true,
            settings: { maxParticipants: 8 },
          },
        ],
      });
      expect(stdout).toContain('Conference standup created.\n');
      expect(stdout).toMatch(/^address: +hoot\.mx:\/\/standup@coremx-1\.c1\.hoot\.mx$/m);
    });

    it('create without options sends an empty allowed list; -o json has created and the conference', async () => {
      const h = new CliHarness();
      await h.login();
      h.answers.createConference = () => ({ conference: sampleConference(), created: false });
      const { stdout } = await h.run('conferences', 'create', '--type', 'p2p', '-o', 'json');
      expect(h.clients[0].calls[0].args).toEqual([{ type: 'p2p', allowed: [] }]);
      expect(JSON.parse(stdout)).toEqual({ created: false, conference: sampleConference() });
    });

    it('list prints a table and hints at the next page', async () => {
      const h = new CliHarness();
      await h.login();
      h.answers.listConferences = () => ({
        items: [
          sampleConference(),
          sampleConference({ id: 'retro', type: 'p2m', status: 'active', participants: 12 }),
        ],
        next: 'retro',
      });
      const { code, stdout, stderr } = await h.run('conferences', 'list', '--limit', '2');
      expect(code).toBe(0);
      expect(h.clients[0].calls[0].args).toEqual([{ limit: 2, after: undefined }]);
      expect(stdout.split('\n')).toEqual([
        'ID        TYPE   STATUS     PARTICIPANTS   COREMX     CREATED                    ADDRESS',
        'standup   m2m    reserved              0   coremx-1   2026-11-23T10:00:00.000Z   hoot.mx://standup@coremx-1.c1.hoot.mx',
        'retro     p2m    active               12   coremx-1   2026-11-23T10:00:00.000Z   hoot.mx://standup@coremx-1.c1.hoot.mx',
        '',
      ]);
      expect(stderr).toContain('more: hoot conferences list --after retro (or --all)');
    });

    it('list --all follows every page; -o json gives items and next null', async () => {
      const h = new CliHarness();
      await h.login();
      h.answers.listConferences = (o) =>
        o?.after === undefined
          ? { items: [sampleConference({ id: 'a-1' })], next: 'a-1' }
          : { items: [sampleConference({ id: 'b-2' })], next: null };
      const { stdout } = await h.run('conferences', 'list', '--all', '-o', 'json');
      expect(h.clients[0].calls.map((c) => c.args[0])).toEqual([
        { limit: undefined, after: undefined },
        { limit: undefined, after: 'a-1' },
      ]);
      const parsed = JSON.parse(stdout);
      expect(parsed.items.map((c: { id: string }) => c.id)).toEqual(['a-1', 'b-2']);
      expect(parsed.next).toBeNull();
    });

    it('show prints the fields; -o json the conference as is', async () => {
      const h = new CliHarness();
      await h.login();
      const table = await h.run('conferences', 'show', 'standup');
      expect(table.stdout).toMatch(/^status: +reserved$/m);
      expect(table.stdout).toMatch(/^allowed: +acc-bob$/m);
      const json = await h.run('conferences', 'show', 'standup', '-o', 'json');
      expect(JSON.parse(json.stdout)).toEqual(sampleConference());
    });

    it('show names people by the usernames the registry gives, and keeps an id it could not name', async () => {
      const h = new CliHarness();
      await h.login();
      h.answers.getConference = () =>
        sampleConference({
          allowed: ['acc-bob', 'acc-gone'],
          usernames: { 'acc-alice': 'alice', 'acc-bob': 'bob' },
        });
      const table = await h.run('conferences', 'show', 'standup');
      expect(table.stdout).toMatch(/^owner: +alice$/m);
      expect(table.stdout).toMatch(/^allowed: +bob, acc-gone$/m);
    });

    it('show of an unknown conference is exit 1 with the server code', async () => {
      const h = new CliHarness();
      await h.login();
      h.answers.getConference = () => {
        throw refusal(404, 'conference.not-found', 'no conference nope');
      };
      const { code, stderr, stdout } = await h.run('conferences', 'show', 'nope');
      expect(code).toBe(1);
      expect(stderr).toBe('error: conference.not-found: no conference nope\n');
      expect(stdout).toBe('');
    });

    it('end ends it', async () => {
      const h = new CliHarness();
      await h.login();
      const { stdout } = await h.run('conferences', 'end', 'standup');
      expect(h.clients[0].calls).toEqual([{ method: 'endConference', args: ['standup'] }]);
      expect(stdout).toBe('Conference standup ended.\n');
    });

    it('a rate limit shows Retry-After, and a 401 suggests signing in again', async () => {
      const h = new CliHarness();
      await h.login();
      h.answers.createConference = () => {
        throw refusal(429, 'conference.rate-limited', 'too many creations', 7_000);
      };
      const limited = await h.run('conferences', 'create', '--type', 'm2m');
      expect(limited.stderr).toBe('error: conference.rate-limited: too many creations (retry after 7 s)\n');
      h.answers.getConference = () => {
        throw refusal(401, 'token.expired', 'the token expired');
      };
      const expired = await h.run('conferences', 'show', 'x');
      expect(expired).toMatchObject({
        code: 1,
        stderr: 'error: token.expired: the token expired\nhint: sign in again: hoot login\n',
      });
    });
  });

  describe('join-url', () => {
    it('prints the web URL for an address', async () => {
      const h = new CliHarness();
      await h.login();
      const { code, stdout } = await h.run('join-url', 'hoot.mx://standup@coremx-1.c1.hoot.mx');
      expect(code).toBe(0);
      expect(h.clients[0].calls).toEqual([
        { method: 'join', args: ['hoot.mx://standup@coremx-1.c1.hoot.mx'] },
      ]);
      expect(stdout).toMatch(/^https:\/\/hoot\.example\/join\/standup#ticket=\S+\n$/);
    });

    it('looks a bare id up first; -o json prints the whole answer', async () => {
      const h = new CliHarness();
      await h.login();
      const { stdout } = await h.run('join-url', 'standup', '-o', 'json');
      expect(h.clients[0].calls.map((c) => c.method)).toEqual(['getConference', 'join']);
      expect(JSON.parse(stdout)).toMatchObject({
        conferenceId: 'standup',
        ticket: 'eyJ.ticket',
        role: 'publisher',
      });
    });
  });
});

describe('hoot with the real HootClient over a fake fetch', () => {
  const realClient = (fetch: FetchLike) => (o: { registryUrls: string[]; token?: string }) =>
    new HootClient({ ...o, fetch, timeoutMs: 500, backoff: { initialMs: 1, maxMs: 1 } });

  it('a registry that does not answer is exit 3', async () => {
    const h = new CliHarness({ createClient: realClient(fakeFetch({})) });
    writeFileSync(
      `${h.configDir}/credentials.json`,
      JSON.stringify({
        username: 'a',
        registryUrls: ['http://dead:1'],
        accessToken: 't',
        expiresAt: '2030-01-01T00:00:00Z',
      }),
    );
    const { code, stderr } = await h.run('conferences', 'list');
    expect(code).toBe(3);
    expect(stderr).toMatch(/^error: sdk\.registry-unavailable: GET \/v1\/conferences: no registry answered/);
  });

  it("the registry's problem+json is exit 1 with its code, and the token is sent", async () => {
    const seen: { url: string; init: unknown }[] = [];
    const fetch = fakeFetch(
      {
        'GET http://r1:1/v1/conferences/x': [
          404,
          { code: 'conference.not-found', detail: 'no such conference' },
        ],
      },
      seen,
    );
    const h = new CliHarness({ createClient: realClient(fetch) });
    writeFileSync(
      `${h.configDir}/credentials.json`,
      JSON.stringify({
        username: 'a',
        registryUrls: ['http://r1:1'],
        accessToken: 'tok',
        expiresAt: '2030-01-01T00:00:00Z',
      }),
    );
    expect(await h.run('conferences', 'show', 'x')).toMatchObject({
      code: 1,
      stderr: 'error: conference.not-found: no such conference\n',
    });
    expect(seen[0].init).toMatchObject({ headers: expect.objectContaining({ authorization: 'Bearer tok' }) });
  });
});
