/**
 * Headless Chromium (Debian's `chromium`, see scripts/infra/chromium.sh) with fake camera and microphone
 * for the web app's end-to-end specs: one browser context per person, sign-in, tile queries, the page's
 * `window.hootDebug` counters and numbered screenshots under .infra/test-artifacts/web/<spec>/.
 */
import { appendFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHROMIUM_TEST_FLAGS, chromiumPath, eventually, infraPath } from '@hoot/testing';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import type { WebUser } from './web-platform';

/** The browser specs' flags, plus autoplay without a gesture (remote tiles play with sound). */
const CHROMIUM_FLAGS = [...CHROMIUM_TEST_FLAGS, '--autoplay-policy=no-user-gesture-required'];

/** What the app puts on `window.hootDebug` (apps/web/src/debug.ts). */
interface HootDebug {
  inboundVideoFramesDecoded(): Promise<number>;
  inboundAudioPacketsReceived(): Promise<number>;
  inboundVideoFramesDecodedFrom(participantId: string): number;
}

/** One Chromium for a spec file; pages per person, screenshots numbered in the order they are taken. */
export class WebBrowser {
  private readonly contexts: BrowserContext[] = [];
  private shots = 0;

  private constructor(
    private readonly browser: Browser,
    /** .infra/test-artifacts/web/<spec>/ */
    readonly artifacts: string,
  ) {}

  /** Launches Chromium; `spec` names the artifacts folder (emptied first). */
  static async launch(spec: string): Promise<WebBrowser> {
    const artifacts = infraPath('test-artifacts', 'web', spec);
    rmSync(artifacts, { recursive: true, force: true });
    mkdirSync(artifacts, { recursive: true });
    const browser = await chromium.launch({
      executablePath: chromiumPath(),
      headless: true,
      args: CHROMIUM_FLAGS,
    });
    return new WebBrowser(browser, artifacts);
  }

  /** A fresh browser context (own session storage) for one person; its console goes to console-<who>.log. */
  async newPage(who: string): Promise<Page> {
    const context = await this.browser.newContext({ viewport: { width: 1280, height: 860 } });
    this.contexts.push(context);
    // Generous waits: the whole platform and several pages decoding video share the machine.
    context.setDefaultTimeout(60_000);
    const page = await context.newPage();
    const log = join(this.artifacts, `console-${who}.log`);
    writeFileSync(log, '');
    page.on('console', (m) => appendFileSync(log, `${new Date().toISOString()} ${m.type()} ${m.text()}\n`));
    page.on('pageerror', (e) => appendFileSync(log, `${new Date().toISOString()} pageerror ${e.message}\n`));
    return page;
  }

  /** A new page for the user, signed in at a registry's page (waits for the home screen). */
  async signIn(registryUrl: string, user: WebUser): Promise<Page> {
    const page = await this.newPage(user.username);
    await page.goto(`${registryUrl}/`);
    await page.getByTestId('signin-username').fill(user.username);
    await page.getByTestId('signin-password').fill(user.password);
    await page.getByTestId('signin-submit').click();
    await page.getByTestId('screen-home').waitFor();
    return page;
  }

  /** Saves `NN-name.png` (NN: the running number of this spec's screenshots). */
  async shot(page: Page, name: string): Promise<void> {
    this.shots += 1;
    const file = `${String(this.shots).padStart(2, '0')}-${name}.png`;
    await page.screenshot({ path: join(this.artifacts, file), fullPage: true });
  }

  async close(): Promise<void> {
    for (const context of this.contexts.splice(0)) await context.close().catch(() => undefined);
    await this.browser.close();
  }
}

/** Creates a conference on the home screen and returns its address (stays on the home screen). */
export async function createConference(
  page: Page,
  conference: { id: string; type: 'm2m' | 'a2m' | 'p2m' | 'p2p'; allowed: string[] },
): Promise<string> {
  await page.getByTestId('create-id').fill(conference.id);
  await page.getByTestId('create-type').selectOption(conference.type);
  await page.getByTestId('create-allowed').fill(conference.allowed.join(', '));
  await page.getByTestId('create-submit').click();
  const created = page.getByTestId('created-address');
  await created.waitFor();
  return (await created.textContent()) ?? '';
}

/** Joins by address from the home screen (waits for the room screen). */
export async function joinByAddress(page: Page, address: string): Promise<void> {
  await page.getByTestId('join-address').fill(address);
  await page.getByTestId('join-submit').click();
  await page.getByTestId('screen-room').waitFor();
}

/** Our own tile. */
export const myTile = (page: Page): Locator => page.locator('[data-testid="tile"][data-me="true"]');

/** The tile of whoever shows this display name. */
export const tileOf = (page: Page, displayName: string): Locator =>
  page.locator('[data-testid="tile"]', {
    has: page.locator('[data-testid="tile-name"]', { hasText: displayName }),
  });

/** The room banner's code (`null` while there is none). */
export const bannerCode = (page: Page): Promise<string | null> =>
  page.getByTestId('room-banner').getAttribute('data-code');

/** `hootDebug.inboundVideoFramesDecoded()`: video frames decoded over all receiving connections. */
export const framesDecoded = (page: Page): Promise<number> =>
  page.evaluate(() => (window as unknown as { hootDebug: HootDebug }).hootDebug.inboundVideoFramesDecoded());

/** `hootDebug.inboundAudioPacketsReceived()`: audio packets over all receiving connections. */
export const audioPackets = (page: Page): Promise<number> =>
  page.evaluate(() =>
    (window as unknown as { hootDebug: HootDebug }).hootDebug.inboundAudioPacketsReceived(),
  );

/** `hootDebug.inboundVideoFramesDecodedFrom(id)`: video frames decoded in one participant's tile. */
export const framesDecodedFrom = (page: Page, participantId: string): Promise<number> =>
  page.evaluate(
    (id) => (window as unknown as { hootDebug: HootDebug }).hootDebug.inboundVideoFramesDecodedFrom(id),
    participantId,
  );

/**
 * Waits until a counter of the page is above 0 and then above that first reading: media keeps flowing,
 * not just one burst.
 */
export async function expectGrowing(read: () => Promise<number>, description: string): Promise<void> {
  const first = await eventually(
    async () => {
      const value = await read();
      expect(value).toBeGreaterThan(0);
      return value;
    },
    { timeoutMs: 60_000, intervalMs: 250, description: `${description}: first` },
  );
  await eventually(async () => expect(await read()).toBeGreaterThan(first), {
    timeoutMs: 30_000,
    intervalMs: 250,
    description: `${description}: growing`,
  });
}
