/**
 * What bench/hls/glass-to-glass.bench.ts drives: headless Chromium (Debian's, the web specs' flags) with the
 * stamp script (stamp-page.js) in every page, the web app's sign-in and rooms, and the statistics.
 * Only libs and Node: benchmarks import nothing from apps/ (the web app runs as the platform serves it).
 */
import { appendFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { WEB_CHROMIUM_FLAGS, chromiumPath, eventually, infraPath, workspaceRoot } from '@hoot/testing';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { percentile, round } from '../bench-cli';

export const STAMP_SCRIPT = join(workspaceRoot(), 'bench/hls/stamp-page.js');

/** Each page's console (`console-<who>.log`) and the screenshots of a phase without frames. */
export const ARTIFACTS = infraPath('test-artifacts', 'bench-glass-to-glass');

export type Role = 'publisher' | 'viewer';

/** One Chromium for the run; a context (own storage, own renderer) per page. */
export class StampBrowser {
  private readonly contexts: BrowserContext[] = [];

  private constructor(
    private readonly browser: Browser,
    private readonly bypassCSP: boolean,
  ) {}

  /** `bypassCSP`: pages ignore the registry's Content-Security-Policy (a workaround flag, off by default). */
  static async launch(options: { bypassCSP?: boolean } = {}): Promise<StampBrowser> {
    rmSync(ARTIFACTS, { recursive: true, force: true });
    mkdirSync(ARTIFACTS, { recursive: true });
    const browser = await chromium.launch({
      executablePath: chromiumPath(),
      headless: true,
      args: [...WEB_CHROMIUM_FLAGS],
    });
    return new StampBrowser(browser, options.bypassCSP ?? false);
  }

  /** A page whose every document runs the stamp script; a publisher's `getUserMedia` is the stamped canvas. */
  async newPage(role: Role, who: string): Promise<Page> {
    const context = await this.browser.newContext({
      viewport: { width: 1280, height: 860 },
      bypassCSP: this.bypassCSP,
    });
    this.contexts.push(context);
    context.setDefaultTimeout(60_000);
    await context.addInitScript(`window.__stampRole = ${JSON.stringify(role)};`);
    await context.addInitScript({ path: STAMP_SCRIPT });
    const page = await context.newPage();
    const log = join(ARTIFACTS, `console-${who}.log`);
    page.on('console', (m) => appendFileSync(log, `${new Date().toISOString()} ${m.type()} ${m.text()}\n`));
    page.on('pageerror', (e) => appendFileSync(log, `${new Date().toISOString()} pageerror ${e.message}\n`));
    return page;
  }

  /** Closes a page's context (the person leaves: the app's socket and connections go with it). */
  async closePage(page: Page): Promise<void> {
    const context = page.context();
    this.contexts.splice(this.contexts.indexOf(context), 1);
    await context.close().catch(() => undefined);
  }

  async close(): Promise<void> {
    for (const context of this.contexts.splice(0)) await context.close().catch(() => undefined);
    await this.browser.close().catch(() => undefined);
  }
}

/** Signs in at a registry's page (waits for the home screen). */
export async function signIn(
  page: Page,
  registryUrl: string,
  user: { username: string; password: string },
): Promise<void> {
  await page.goto(`${registryUrl}/`);
  await page.getByTestId('signin-username').fill(user.username);
  await page.getByTestId('signin-password').fill(user.password);
  await page.getByTestId('signin-submit').click();
  await page.getByTestId('screen-home').waitFor();
}

/** A token through the registry's sign-in route. */
export async function apiToken(registryUrl: string, username: string, password: string): Promise<string> {
  const res = await fetch(`${registryUrl}/v1/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'password', username, password }),
  });
  if (!res.ok) throw new Error(`sign-in of ${username}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

/** Waits until the registry lists every CoreMX of the platform as alive. */
export async function coremxAlive(registryUrl: string, token: string, coremxIds: string[]): Promise<void> {
  const expected = coremxIds
    .map((id) => `${id}:alive`)
    .sort()
    .join();
  await eventually(
    async () => {
      const res = await fetch(`${registryUrl}/v1/coremx`, { headers: { authorization: `Bearer ${token}` } });
      const body = (await res.json()) as { coremx: { coremxId: string; liveness: string }[] };
      const seen = body.coremx
        .map((c) => `${c.coremxId}:${c.liveness}`)
        .sort()
        .join();
      if (seen !== expected) throw new Error(`the registry sees ${seen}`);
    },
    { timeoutMs: 30_000, description: 'every CoreMX alive at the registry' },
  );
}

/** What a viewer page read: [receivedAt, delayMs] per frame with a readable stamp, and counters. */
export interface PageSamples {
  samples: [number, number][];
  /** [shownAt, bufferAheadMs, playbackRate] per frame of an element with a buffer (HLS). */
  ahead: [number, number, number][];
  frames: number;
  unreadable: number;
  drawn: number;
}

/** Starts reading the stamp of the video element `selector` finds (followed if the app replaces it). */
export const watchVideo = (page: Page, selector: string): Promise<void> =>
  page.evaluate((s) => (globalThis as unknown as StampGlobal).__stamp.watch(s), selector);

export const pageSamples = (page: Page, since = 0): Promise<PageSamples> =>
  page.evaluate((t) => (globalThis as unknown as StampGlobal).__stamp.samples(t), since);

interface StampGlobal {
  __stamp: { watch(selector: string): void; samples(since: number): PageSamples };
}

/** Waits for a viewer's first readable frame: [shownAt, delayMs], or `undefined` if none came in time. */
export async function firstStamp(page: Page, timeoutMs: number): Promise<[number, number] | undefined> {
  try {
    return await eventually(
      async () => {
        const { samples } = await pageSamples(page);
        if (samples.length === 0) throw new Error('no readable frame yet');
        return samples[0];
      },
      { timeoutMs, intervalMs: 100, description: 'first readable stamp' },
    );
  } catch {
    return undefined;
  }
}

/**
 * In a blank page with the stamp script: the stamped canvas through a loopback RTCPeerConnection (H.264
 * preferred, `maxBitrate` capped) into `video#loop`, followed by the stamp reader. Answers the codec used.
 */
export const loopbackStamp = (page: Page, maxBitrate: number): Promise<string> =>
  page.evaluate(async (bitrate) => {
    const g = globalThis as any; // eslint-disable-line @typescript-eslint/no-explicit-any
    const track = g.__stamp.publisher.videoTrack();
    const pc1 = new g.RTCPeerConnection();
    const pc2 = new g.RTCPeerConnection();
    pc1.onicecandidate = (e: { candidate: unknown }) => e.candidate && pc2.addIceCandidate(e.candidate);
    pc2.onicecandidate = (e: { candidate: unknown }) => e.candidate && pc1.addIceCandidate(e.candidate);
    const tx = pc1.addTransceiver(track, { direction: 'sendonly' });
    const h264 = g.RTCRtpSender.getCapabilities('video').codecs.filter(
      (c: { mimeType: string }) => c.mimeType === 'video/H264',
    );
    if (h264.length > 0) tx.setCodecPreferences(h264);
    const video = g.document.createElement('video');
    video.id = 'loop';
    video.muted = true;
    video.autoplay = true;
    video.playsInline = true;
    g.document.body.append(video);
    pc2.ontrack = (e: { track: unknown }) => (video.srcObject = new g.MediaStream([e.track]));
    await pc1.setLocalDescription();
    await pc2.setRemoteDescription(pc1.localDescription);
    await pc2.setLocalDescription();
    await pc1.setRemoteDescription(pc2.localDescription);
    const params = tx.sender.getParameters();
    params.encodings[0].maxBitrate = bitrate;
    await tx.sender.setParameters(params);
    g.__stamp.watch('video#loop');
    for (let i = 0; i < 100; i += 1) {
      const stats = await pc1.getStats();
      for (const s of stats.values())
        if (s.type === 'codec' && s.mimeType?.startsWith('video/')) return s.mimeType as string;
      await new Promise((r) => setTimeout(r, 100));
    }
    return 'unknown';
  }, maxBitrate);

export interface Stats {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  min: number;
  max: number;
  mean: number;
}

export function stats(delays: number[]): Stats | undefined {
  if (delays.length === 0) return undefined;
  const sorted = [...delays].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    min: sorted[0],
    max: sorted[sorted.length - 1],
    mean: round(sorted.reduce((a, b) => a + b, 0) / sorted.length, 1),
  };
}

/**
 * Clicks the room banner's "Try again" whenever it shows (a viewer's signaling lost under load) and
 * counts the clicks; `stop()` ends it.
 */
export function retryWhenOffline(page: Page): { clicks(): number; stop(): void } {
  let clicks = 0;
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    const retry = page.getByTestId('banner-retry');
    void retry
      .isVisible()
      .then(async (visible) => {
        if (!visible) return;
        clicks += 1;
        await retry.click({ timeout: 5000 });
      })
      .catch(() => undefined)
      .finally(() => (busy = false));
  }, 1000);
  return { clicks: () => clicks, stop: () => clearInterval(timer) };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
