/**
 * The web app end to end: built with apps/web/build.mjs and served by real registry processes; auth,
 * reg-c1-1 and reg-c2-1, and per cloud a CASH with kms-lite on its WebRTC engine (werift), all on
 * loopback; headless Chromium with fake camera and microphone, one browser context per person.
 *
 * alice signs in at reg-c1-1's page and creates an m2m conference; bob signs in at reg-c2-1's page and
 * joins its address; he raises his hand and alice approves; both pages show each other's tile and decode
 * growing video from the other. carol opens a registry join link (ticket in the fragment, no sign-in)
 * and alice kicks her; dave, not invited, is told so. Screenshots go to .infra/test-artifacts/web/.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startKmsLite, type KmsLiteProcess } from '@hoot/media/testing';
import {
  REGISTRY_FAST_TUNABLES,
  eventually,
  freePort,
  infraPath,
  integrationInfra,
  mongoUriFor,
  startAuthService,
  startCashProcess,
  startRegistryProcess,
  workspaceRoot,
  type RunningAuthService,
  type RunningCash,
  type RunningRegistry,
} from '@hoot/testing';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

const prefix = `webe2e${Date.now().toString(36)}`;
const ISSUER = 'https://auth.web-e2e.test';
const REGISTRIES = [
  { registryId: 'reg-c1-1', latitude: 50, longitude: 8 },
  { registryId: 'reg-c2-1', latitude: 40, longitude: -74 },
];
const CONFERENCE_ID = `standup-${randomBytes(3).toString('hex')}`;
const CALL_ID = `call-${randomBytes(3).toString('hex')}`;
const SHOTS = infraPath('test-artifacts', 'web');
const WEB_ROOT = infraPath('web-e2e', prefix);
/** Passwords of the people of this run (alice is the auth service's bootstrap admin: she creates the others). */
const PASSWORDS: Record<string, string> = Object.fromEntries(
  ['alice', 'bob', 'carol', 'dave'].map((u) => [u, `pw-${u}-${randomBytes(8).toString('hex')}`]),
);
/** Display names (alice is the bootstrap admin: the auth service names her Administrator). */
const NAMES: Record<string, string> = {
  alice: 'Administrator',
  bob: 'Bob Builder',
  carol: 'Carol Danvers',
  dave: 'Dave Null',
};

/** Flags of the kms-lite browser spec, plus autoplay without a gesture (remote tiles play with sound). */
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  '--autoplay-policy=no-user-gesture-required',
];

function chromiumPath(): string {
  try {
    return execFileSync('bash', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('Debian chromium is not installed: run scripts/infra/chromium.sh first');
  }
}

describe('the hoot web app in headless Chromium (whole platform)', () => {
  const infra = integrationInfra();
  let auth: RunningAuthService;
  const registries = new Map<string, RunningRegistry>();
  const kms: KmsLiteProcess[] = [];
  const cash: RunningCash[] = [];
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const pages: Record<string, Page> = {};
  let address = '';

  const urlOf = (registryId: string) => registries.get(registryId)!.url;
  /** Step times of the run, next to the screenshots (for diagnosing slow steps). */
  const mark = (what: string) =>
    appendFileSync(join(SHOTS, 'timeline.log'), `${new Date().toISOString()} ${what}\n`);
  const shot = (page: Page, name: string) =>
    page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  const frames = (page: Page) =>
    page.evaluate(() =>
      (
        window as unknown as { hootDebug: { inboundVideoFramesDecoded(): Promise<number> } }
      ).hootDebug.inboundVideoFramesDecoded(),
    );
  const audioPackets = (page: Page) =>
    page.evaluate(() =>
      (
        window as unknown as { hootDebug: { inboundAudioPacketsReceived(): Promise<number> } }
      ).hootDebug.inboundAudioPacketsReceived(),
    );
  const tile = (page: Page, participantIdOrMe: { me: true } | { name: string }) =>
    'me' in participantIdOrMe
      ? page.locator('[data-testid="tile"][data-me="true"]')
      : page.locator('[data-testid="tile"]', {
          has: page.locator('[data-testid="tile-name"]', { hasText: participantIdOrMe.name }),
        });

  /** A token through the registry's sign-in route, as the page gets it. */
  async function signInApi(registryId: string, username: string): Promise<string> {
    const res = await fetch(`${urlOf(registryId)}/v1/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'password', username, password: PASSWORDS[username] }),
    });
    if (!res.ok) throw new Error(`sign-in of ${username}: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { access_token: string }).access_token;
  }

  async function newPage(who: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    contexts.push(context);
    const page = await context.newPage();
    // The page's console and errors, for diagnosis next to the screenshots.
    const log = join(SHOTS, `console-${who}.log`);
    writeFileSync(log, '');
    page.on('console', (m) => appendFileSync(log, `${new Date().toISOString()} ${m.type()} ${m.text()}\n`));
    page.on('pageerror', (e) => appendFileSync(log, `${new Date().toISOString()} pageerror ${e.message}\n`));
    pages[who] = page;
    return page;
  }

  async function signInPage(who: string, registryId: string): Promise<Page> {
    const page = await newPage(who);
    await page.goto(`${urlOf(registryId)}/`);
    await page.getByTestId('signin-username').fill(who);
    await page.getByTestId('signin-password').fill(PASSWORDS[who]);
    await page.getByTestId('signin-submit').click();
    await page.getByTestId('screen-home').waitFor();
    return page;
  }

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    writeFileSync(join(SHOTS, 'timeline.log'), '');
    execFileSync(process.execPath, [join(workspaceRoot(), 'apps/web/build.mjs'), '--outdir', WEB_ROOT], {
      stdio: 'pipe',
    });
    // The auth service takes its environment from ours: alice becomes its bootstrap admin, so her token
    // may create the other accounts with passwords this spec knows (to type them into the page).
    process.env['AUTH_BOOTSTRAP_ADMIN_USERNAME'] = 'alice';
    process.env['AUTH_BOOTSTRAP_ADMIN_PASSWORD'] = PASSWORDS['alice'];
    try {
      auth = await startAuthService({
        mongoUri: mongoUriFor(`${prefix}_auth`),
        kafkaBrokers: infra.kafkaBrokers,
        revocationsTopic: `${prefix}.auth.revocations`,
        issuer: ISSUER,
        serviceAccounts: ['cash', ...REGISTRIES.map((r) => r.registryId)],
      });
    } finally {
      delete process.env['AUTH_BOOTSTRAP_ADMIN_USERNAME'];
      delete process.env['AUTH_BOOTSTRAP_ADMIN_PASSWORD'];
    }
    const ports = await Promise.all(REGISTRIES.map(() => freePort()));
    const peers = ports.map((port) => `http://127.0.0.1:${port}`);
    const webhookSigningKey = randomBytes(32).toString('hex');
    await Promise.all(
      REGISTRIES.map(async (spec, i) => {
        registries.set(
          spec.registryId,
          await startRegistryProcess({
            ...spec,
            port: ports[i],
            peers,
            authUrl: auth.url,
            issuer: ISSUER,
            apiKey: auth.keyOf(spec.registryId),
            mongoUri: mongoUriFor(`${prefix}_${spec.registryId.replace(/-/g, '_')}`),
            kafkaBrokers: infra.kafkaBrokers,
            webhookSigningKey,
            env: { ...REGISTRY_FAST_TUNABLES, WEB_ROOT },
          }),
        );
      }),
    );
    for (const [coremxId, cloud] of [
      ['coremx-1', 'c1'],
      ['coremx-2', 'c2'],
    ]) {
      const media = await startKmsLite({ engine: 'werift' });
      kms.push(media);
      const order = cloud === 'c1' ? ['reg-c1-1', 'reg-c2-1'] : ['reg-c2-1', 'reg-c1-1'];
      cash.push(
        await startCashProcess({
          coremxId,
          mixerAddress: `${coremxId}.${cloud}.hoot.mx`,
          kmsUrl: media.url,
          kafkaBrokers: infra.kafkaBrokers,
          authUrl: auth.url,
          issuer: ISSUER,
          revocationsTopic: auth.revocationsTopic,
          apiKey: auth.keyOf('cash'),
          registryUrls: order.map(urlOf),
        }),
      );
    }
    const aliceToken = await signInApi('reg-c1-1', 'alice');
    for (const user of ['bob', 'carol', 'dave']) {
      const res = await fetch(`${auth.url}/v1/admin/accounts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${aliceToken}` },
        body: JSON.stringify({ username: user, displayName: NAMES[user], password: PASSWORDS[user] }),
      });
      if (res.status !== 201) throw new Error(`creating ${user}: ${res.status} ${await res.text()}`);
    }
    for (const registryId of ['reg-c1-1', 'reg-c2-1']) {
      await eventually(
        async () => {
          const res = await fetch(`${urlOf(registryId)}/v1/coremx`, {
            headers: { authorization: `Bearer ${aliceToken}` },
          });
          const body = (await res.json()) as { coremx: { coremxId: string; liveness: string }[] };
          const seen = body.coremx.map((c) => `${c.coremxId}:${c.liveness}`).sort();
          if (seen.join() !== 'coremx-1:alive,coremx-2:alive') throw new Error(`${registryId} sees ${seen}`);
        },
        { timeoutMs: 30_000, description: `both CoreMX alive at ${registryId}` },
      );
    }
    browser = await chromium.launch({ executablePath: chromiumPath(), headless: true, args: CHROMIUM_FLAGS });
  });

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await Promise.all(cash.map((c) => c.stop()));
    await Promise.all(kms.map((k) => k.stop()));
    await Promise.all([...registries.values()].map((r) => r.stop()));
    await auth?.stop();
    rmSync(WEB_ROOT, { recursive: true, force: true });
  });

  it('serves the app with its CSP, and a wrong password is told on the page', async () => {
    const res = await fetch(`${urlOf('reg-c1-1')}/join/${CONFERENCE_ID}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    const page = await newPage('stranger');
    await page.goto(`${urlOf('reg-c1-1')}/`);
    await page.getByTestId('signin-username').fill('alice');
    await page.getByTestId('signin-password').fill('not-her-password');
    await page.getByTestId('signin-submit').click();
    const problem = page.getByTestId('signin-error');
    await problem.waitFor();
    expect(await problem.getAttribute('data-code')).toBe('auth.invalid-credentials');
    await shot(page, '00-sign-in-refused');
    await page.close();
  });

  it('alice creates an m2m conference at cloud 1 and opens its room', async () => {
    const alice = await signInPage('alice', 'reg-c1-1');
    await expect(alice.getByTestId('header-username').textContent()).resolves.toBe('alice');
    await eventually(
      async () =>
        expect(await alice.getByTestId('header-registry').getAttribute('data-registry-id')).toBe('reg-c1-1'),
      {
        description: 'registry shown in the header',
      },
    );
    await shot(alice, '01-alice-home');
    await alice.getByTestId('create-id').fill(CONFERENCE_ID);
    await alice.getByTestId('create-type').selectOption('m2m');
    await alice.getByTestId('create-allowed').fill('bob, carol');
    await alice.getByTestId('create-submit').click();
    const created = alice.getByTestId('created-address');
    await created.waitFor();
    address = (await created.textContent()) ?? '';
    expect(address).toBe(`hoot.mx://${CONFERENCE_ID}@coremx-1.c1.hoot.mx`);
    await alice.getByTestId('copy-address').click();
    await eventually(
      async () =>
        expect(
          await alice
            .locator(`[data-testid="conference-item"][data-conference-id="${CONFERENCE_ID}"]`)
            .count(),
        ).toBe(1),
      {
        description: 'the conference in my list',
      },
    );
    await shot(alice, '02-alice-created');
    await alice.getByTestId('open-room').click();
    const me = tile(alice, { me: true });
    await eventually(
      async () => {
        expect(await me.getAttribute('data-role')).toBe('publisher');
        expect(await me.getAttribute('data-owner')).toBe('true');
        expect(await alice.getByTestId('room-status').getAttribute('data-state')).toBe('live');
      },
      { timeoutMs: 30_000, description: "alice's own tile, owner and publisher" },
    );
  });

  it('bob joins through cloud 2, raises his hand, alice approves: each decodes the other', async () => {
    const bob = await signInPage('bob', 'reg-c2-1');
    // reg-c2-1 learns the conference from coremx-1's topic.
    const bobToken = await signInApi('reg-c2-1', 'bob');
    await eventually(
      async () => {
        const res = await fetch(`${urlOf('reg-c2-1')}/v1/conferences/${CONFERENCE_ID}`, {
          headers: { authorization: `Bearer ${bobToken}` },
        });
        expect(res.status).toBe(200);
      },
      { timeoutMs: 30_000, description: 'the conference known at reg-c2-1' },
    );
    await bob.getByTestId('join-address').fill(address);
    await bob.getByTestId('join-submit').click();
    await bob.getByTestId('screen-room').waitFor();
    const alice = pages['alice'];
    await eventually(
      async () => {
        expect(await tile(bob, { me: true }).getAttribute('data-role')).toBe('viewer');
        expect(await tile(bob, { name: NAMES['alice'] }).getAttribute('data-owner')).toBe('true');
        expect(await tile(alice, { name: NAMES['bob'] }).getAttribute('data-role')).toBe('viewer');
      },
      { timeoutMs: 30_000, description: 'both see each other, bob as a viewer' },
    );
    // bob (a viewer) receives alice's camera.
    await eventually(async () => expect(await frames(bob)).toBeGreaterThan(0), {
      timeoutMs: 60_000,
      intervalMs: 250,
      description: 'bob decodes alice',
    });
    await shot(bob, '03-bob-viewer');

    await bob.getByTestId('raise-hand').click();
    const request = alice.locator(`[data-testid="publish-request"]`, { hasText: NAMES['bob'] });
    await request.waitFor({ timeout: 15_000 });
    await shot(alice, '04-alice-publish-request');
    await request.getByTestId('approve').click();
    await eventually(
      async () => {
        expect(await tile(bob, { me: true }).getAttribute('data-role')).toBe('publisher');
        expect(await tile(alice, { name: NAMES['bob'] }).getAttribute('data-role')).toBe('publisher');
        expect(await alice.getByTestId('publish-request').count()).toBe(0);
      },
      { timeoutMs: 20_000, description: 'bob is a publisher on both pages' },
    );

    // alice now receives bob's camera; both keep decoding.
    const start = await eventually(
      async () => {
        const [a, b] = await Promise.all([frames(alice), frames(bob)]);
        expect(a).toBeGreaterThan(0);
        expect(b).toBeGreaterThan(0);
        expect(await audioPackets(alice)).toBeGreaterThan(0);
        return { a, b };
      },
      { timeoutMs: 60_000, intervalMs: 250, description: 'first frames of the other on both pages' },
    );
    await eventually(
      async () => {
        expect(await frames(alice)).toBeGreaterThan(start.a);
        expect(await frames(bob)).toBeGreaterThan(start.b);
      },
      { timeoutMs: 30_000, intervalMs: 250, description: 'frames still growing on both pages' },
    );
    await shot(alice, '05-alice-room-two-publishers');
    await shot(bob, '06-bob-room-two-publishers');

    // Chat goes through the room object to everyone.
    await bob.getByTestId('chat-input').fill('hello from cloud 2');
    await bob.getByTestId('chat-send').click();
    await alice
      .locator('[data-testid="chat-message"]', { hasText: 'hello from cloud 2' })
      .waitFor({ timeout: 15_000 });
    expect(await alice.locator('[data-testid="chat-message"]', { hasText: NAMES['bob'] }).count()).toBe(1);
  });

  it('carol opens a registry join link without signing in; alice kicks her', async () => {
    const carolToken = await signInApi('reg-c2-1', 'carol');
    const res = await fetch(`${urlOf('reg-c2-1')}/v1/join`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${carolToken}` },
      body: JSON.stringify({ address }),
    });
    expect(res.status).toBe(200);
    const { webUrl } = (await res.json()) as { webUrl: string };
    expect(webUrl.startsWith(`${urlOf('reg-c2-1')}/join/${CONFERENCE_ID}#ticket=`)).toBe(true);
    const carol = await newPage('carol');
    mark('carol opens the join link');
    await carol.goto(webUrl);
    await carol.getByTestId('screen-room').waitFor();
    // The ticket does not stay in the address bar.
    expect(carol.url()).not.toContain('ticket=');
    const alice = pages['alice'];
    const carolOnAlice = tile(alice, { name: NAMES['carol'] });
    await eventually(
      async () => {
        expect(await tile(carol, { me: true }).getAttribute('data-role')).toBe('viewer');
        expect(await carolOnAlice.getAttribute('data-role')).toBe('viewer');
      },
      { timeoutMs: 30_000, description: 'carol in the room on both pages' },
    );
    mark('carol in the room on both pages');
    await eventually(async () => expect(await frames(carol)).toBeGreaterThan(0), {
      timeoutMs: 60_000,
      intervalMs: 250,
      description: 'carol decodes',
    });
    mark('carol decodes');
    await shot(carol, '07-carol-direct-link');
    await carolOnAlice.hover();
    await carolOnAlice.getByTestId('kick').click();
    mark('alice clicked kick');
    const banner = carol.getByTestId('room-banner');
    await eventually(async () => expect(await banner.getAttribute('data-code')).toBe('room.kicked'), {
      timeoutMs: 15_000,
      description: 'carol told she was removed',
    });
    mark('carol told she was removed');
    await eventually(async () => expect(await carolOnAlice.count()).toBe(0), {
      description: 'carol gone from alice',
    });
    await shot(carol, '08-carol-kicked');
  });

  it('dave, who is not invited, is told so', async () => {
    const dave = await signInPage('dave', 'reg-c1-1');
    await dave.getByTestId('join-address').fill(address);
    await dave.getByTestId('join-submit').click();
    const banner = dave.getByTestId('room-banner');
    await eventually(
      async () => expect(await banner.getAttribute('data-code')).toBe('conference.not-entitled'),
      { timeoutMs: 30_000, description: 'not entitled' },
    );
    await shot(dave, '09-dave-not-entitled');
  });

  it('bob leaves and his tile goes away at alice', async () => {
    const bob = pages['bob'];
    await bob.getByTestId('leave').click();
    await bob.getByTestId('screen-home').waitFor();
    await eventually(async () => expect(await tile(pages['alice'], { name: NAMES['bob'] }).count()).toBe(0), {
      description: 'bob gone from alice',
    });
    await shot(pages['alice'], '10-alice-after-bob-left');
  });

  it('a p2p call: alice calls, bob (the callee) offers, both decode each other peer to peer', async () => {
    const alice = pages['alice'];
    const bob = pages['bob'];
    await alice.getByTestId('leave').click();
    await alice.getByTestId('screen-home').waitFor();
    await alice.getByTestId('create-id').fill(CALL_ID);
    await alice.getByTestId('create-type').selectOption('p2p');
    expect(await alice.getByTestId('create-type-help').textContent()).toContain('One-to-one call');
    await alice.getByTestId('create-allowed').fill('bob');
    await alice.getByTestId('create-submit').click();
    const callAddress = (await alice.getByTestId('created-address').textContent()) ?? '';
    expect(callAddress).toBe(`hoot.mx://${CALL_ID}@coremx-1.c1.hoot.mx`);
    await alice.getByTestId('open-room').click();
    await eventually(
      async () => expect(await tile(alice, { me: true }).getAttribute('data-role')).toBe('publisher'),
      {
        timeoutMs: 30_000,
        description: 'alice in her call',
      },
    );
    const bobToken = await signInApi('reg-c2-1', 'bob');
    await eventually(
      async () => {
        const res = await fetch(`${urlOf('reg-c2-1')}/v1/conferences/${CALL_ID}`, {
          headers: { authorization: `Bearer ${bobToken}` },
        });
        expect(res.status).toBe(200);
      },
      { timeoutMs: 30_000, description: 'the call known at reg-c2-1' },
    );
    await bob.getByTestId('join-address').fill(callAddress);
    await bob.getByTestId('join-submit').click();
    await eventually(
      async () => {
        expect(await tile(bob, { me: true }).getAttribute('data-role')).toBe('publisher');
        expect(await tile(alice, { name: NAMES['bob'] }).count()).toBe(1);
        expect(await tile(bob, { name: NAMES['alice'] }).count()).toBe(1);
      },
      { timeoutMs: 30_000, description: 'both in the call' },
    );
    const start = await eventually(
      async () => {
        const [a, b] = await Promise.all([frames(alice), frames(bob)]);
        expect(a).toBeGreaterThan(0);
        expect(b).toBeGreaterThan(0);
        return { a, b };
      },
      { timeoutMs: 60_000, intervalMs: 250, description: 'first frames of the call on both sides' },
    );
    await eventually(
      async () => {
        expect(await frames(alice)).toBeGreaterThan(start.a);
        expect(await frames(bob)).toBeGreaterThan(start.b);
      },
      { timeoutMs: 30_000, intervalMs: 250, description: 'call frames growing on both sides' },
    );
    await shot(bob, '11-bob-p2p-call');
    // Either side may end a call: bob hangs up, alice is told it ended.
    await bob.getByTestId('end-room').click();
    await eventually(
      async () => expect(await alice.getByTestId('room-banner').getAttribute('data-code')).toBe('room.ended'),
      { timeoutMs: 15_000, description: 'alice told the call ended' },
    );
    await shot(alice, '12-alice-call-ended');
  });
});
