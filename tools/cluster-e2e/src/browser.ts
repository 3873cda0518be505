/**
 * Headless Chromium on the host (Debian's `chromium`, fake camera and microphone) against the web app the
 * registries serve through their NodePorts: one context per person, the page's `window.hootDebug`
 * counters, an in-page sampler of decoded video frames and re-joins, numbered screenshots under
 * test-artifacts/cluster/.
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WEB_CHROMIUM_FLAGS, chromiumPath } from '@hoot/testing';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ARTIFACTS } from './cluster';
import type { Person } from './platform';

const CHROMIUM_FLAGS = [...WEB_CHROMIUM_FLAGS];

export {
  createConference,
  enterRoom,
  framesDecoded,
  joinByAddress,
  mediaHealth,
  myTile,
  screenFramesFrom,
  tileOf,
} from '@hoot/testing';

/** What the app puts on `window.hootDebug` (apps/web/src/debug.ts). */
interface HootDebug {
  inboundVideoFramesDecoded(): Promise<number>;
  inboundVideoFramesDecodedFrom(participantId: string): number;
}

/** One sample of the in-page sampler: time, decoded frames, room status. */
export interface FrameSample {
  t: number;
  frames: number;
  state: string;
}

/** What the in-page sampler keeps (window.__clusterE2e). */
interface SamplerState {
  samples: FrameSample[];
  /** Times the room status went to `reconnecting` (a re-join of the SDK). */
  rejoins: number[];
}

export class ClusterBrowser {
  private readonly contexts: BrowserContext[] = [];
  private shots = 0;
  readonly pages = new Map<string, Page>();

  private constructor(private readonly browser: Browser) {}

  /**
   * `origins`: the registries' plain-http NodePort origins. A page there is not a secure context (only
   * https and loopback are), so the browser would offer it no camera or microphone (getUserMedia): the
   * suite tells Chromium to treat exactly these origins as secure, as a TLS Ingress would make them.
   */
  static async launch(origins: string[]): Promise<ClusterBrowser> {
    mkdirSync(ARTIFACTS, { recursive: true });
    const args = [...CHROMIUM_FLAGS];
    const insecure = origins.map((o) => new URL(o).origin).filter((o) => o.startsWith('http:'));
    if (insecure.length > 0) args.push(`--unsafely-treat-insecure-origin-as-secure=${insecure.join(',')}`);
    const browser = await chromium.launch({ executablePath: chromiumPath(), headless: true, args });
    return new ClusterBrowser(browser);
  }

  /** A fresh context for one person; console to console-<who>.log. */
  async newPage(who: string): Promise<Page> {
    const context = await this.browser.newContext({ viewport: { width: 1280, height: 860 } });
    this.contexts.push(context);
    context.setDefaultTimeout(60_000);
    const page = await context.newPage();
    const log = join(ARTIFACTS, `console-${who}.log`);
    writeFileSync(log, '');
    page.on('console', (m) => appendFileSync(log, `${new Date().toISOString()} ${m.type()} ${m.text()}\n`));
    page.on('pageerror', (e) => appendFileSync(log, `${new Date().toISOString()} pageerror ${e.message}\n`));
    this.pages.set(who, page);
    return page;
  }

  /** A page signed in at a registry's web app (waits for the home screen). */
  async signIn(who: string, registryUrl: string, person: Person): Promise<Page> {
    const page = await this.newPage(who);
    await page.goto(`${registryUrl}/`);
    await page.getByTestId('signin-username').fill(person.username);
    await page.getByTestId('signin-password').fill(person.password);
    await page.getByTestId('signin-submit').click();
    await page.getByTestId('screen-home').waitFor();
    return page;
  }

  /** `NN-<step>-<who>.png` of every open page. */
  async shotAll(step: string): Promise<void> {
    this.shots += 1;
    const n = String(this.shots).padStart(2, '0');
    for (const [who, page] of this.pages) {
      if (page.isClosed()) continue;
      await page
        .screenshot({ path: join(ARTIFACTS, `${n}-${step}-${who}.png`), fullPage: true, timeout: 15_000 })
        .catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    for (const context of this.contexts.splice(0)) await context.close().catch(() => undefined);
    await this.browser.close().catch(() => undefined);
  }
}

export const roomState = (page: Page): Promise<string | null> =>
  page.getByTestId('room-status').getAttribute('data-state');

/**
 * Starts sampling in the page every `intervalMs`: decoded frames and the room status, and counts every
 * change of the room status to `reconnecting` (the SDK joining again). Idempotent.
 */
export async function startSampler(page: Page, intervalMs = 200): Promise<void> {
  await page.evaluate((every) => {
    const w = window as unknown as { __clusterE2e?: SamplerState; hootDebug?: HootDebug };
    if (w.__clusterE2e) return;
    const state: SamplerState = { samples: [], rejoins: [] };
    w.__clusterE2e = state;
    let last = '';
    const statusOf = () =>
      document.querySelector('[data-testid="room-status"]')?.getAttribute('data-state') ?? 'none';
    const tick = async () => {
      const status = statusOf();
      if (status === 'reconnecting' && last !== 'reconnecting') state.rejoins.push(Date.now());
      last = status;
      let frames = -1;
      try {
        frames = w.hootDebug ? await w.hootDebug.inboundVideoFramesDecoded() : -1;
      } catch {
        frames = -1;
      }
      state.samples.push({ t: Date.now(), frames, state: status });
      if (state.samples.length > 20_000) state.samples.splice(0, 5_000);
    };
    setInterval(() => void tick(), every);
    // Catch short `reconnecting` phases between two samples.
    new MutationObserver(() => {
      const status = statusOf();
      if (status === 'reconnecting' && last !== 'reconnecting') state.rejoins.push(Date.now());
      last = status;
    }).observe(document.body, { subtree: true, attributes: true, attributeFilter: ['data-state'] });
  }, intervalMs);
}

/** The sampler's state so far. */
export async function readSampler(page: Page): Promise<SamplerState> {
  return page.evaluate(() => {
    const w = window as unknown as { __clusterE2e?: SamplerState };
    return w.__clusterE2e ?? { samples: [], rejoins: [] };
  });
}

/**
 * The longest time in [from, to] without a newly decoded video frame: progress is a sample whose count
 * differs from the previous one and is above 0 (a new connection restarts its count).
 */
export function longestGapMs(samples: FrameSample[], from: number, to: number): number {
  const inWindow = samples.filter((s) => s.t >= from && s.t <= to);
  let lastProgress = from;
  let longest = 0;
  let previous: number | undefined;
  for (const s of inWindow) {
    if (s.frames > 0 && previous !== undefined && s.frames !== previous) {
      longest = Math.max(longest, s.t - lastProgress);
      lastProgress = s.t;
    }
    previous = s.frames;
  }
  return Math.max(longest, (inWindow.at(-1)?.t ?? to) - lastProgress);
}
