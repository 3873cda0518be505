/**
 * Headless Chromium (Debian's `chromium`, see scripts/infra/chromium.sh) with fake camera and microphone
 * for the web app's end-to-end specs: one browser context per person, sign-in, tile queries, the page's
 * `window.hootDebug` counters and numbered screenshots under .infra/test-artifacts/web/<spec>/.
 */
import { appendFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WEB_CHROMIUM_FLAGS, chromiumPath, eventually, infraPath, withFakeCameras } from '@hoot/testing';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { WebUser } from './web-platform';

const CHROMIUM_FLAGS = [...WEB_CHROMIUM_FLAGS];

export {
  audioPackets,
  bannerCode,
  createConference,
  enterRoom,
  framesDecoded,
  framesDecodedFrom,
  joinByAddress,
  myTile,
  peerConnections,
  tileOf,
  watchPeerConnections,
} from '@hoot/testing';

/** One Chromium for a spec file; pages per person, screenshots numbered in the order they are taken. */
export class WebBrowser {
  private readonly contexts: BrowserContext[] = [];
  private shots = 0;

  private constructor(
    private readonly browser: Browser,
    /** .infra/test-artifacts/web/<spec>/ */
    readonly artifacts: string,
  ) {}

  /** Launches Chromium; `spec` names the artifacts folder (emptied first); `cameras`: fake cameras (1). */
  static async launch(spec: string, options: { cameras?: number } = {}): Promise<WebBrowser> {
    const artifacts = infraPath('test-artifacts', 'web', spec);
    rmSync(artifacts, { recursive: true, force: true });
    mkdirSync(artifacts, { recursive: true });
    const browser = await chromium.launch({
      executablePath: chromiumPath(),
      headless: true,
      args: options.cameras ? withFakeCameras(CHROMIUM_FLAGS, options.cameras) : CHROMIUM_FLAGS,
    });
    return new WebBrowser(browser, artifacts);
  }

  /**
   * A fresh browser context (own session storage) for one person; its console goes to console-<who>.log.
   * `viewport` defaults to a laptop's (1280×860); `phone` gives a 390×844 touch screen.
   */
  async newPage(who: string, options: { phone?: boolean } = {}): Promise<Page> {
    const context = await this.browser.newContext({
      viewport: options.phone ? { width: 390, height: 844 } : { width: 1280, height: 860 },
      ...(options.phone ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
    });
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    this.contexts.push(context);
    // Generous waits: the whole platform and several pages decoding video share the machine.
    context.setDefaultTimeout(60_000);
    // What the page's Content-Security-Policy blocks, kept on the page (`cspViolations`) and in its console log.
    await context.addInitScript(() => {
      const blocked: string[] = [];
      (globalThis as unknown as { __hootCspViolations: string[] }).__hootCspViolations = blocked;
      document.addEventListener('securitypolicyviolation', (e) => {
        blocked.push(`${e.effectiveDirective} ${e.blockedURI}`);
      });
    });
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

/** What the page's Content-Security-Policy blocked so far (`directive blocked-URI`), in order. */
export const cspViolations = (page: Page): Promise<string[]> =>
  page.evaluate(() => [
    ...((globalThis as unknown as { __hootCspViolations?: string[] }).__hootCspViolations ?? []),
  ]);

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
