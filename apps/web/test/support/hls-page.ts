/**
 * The web app's LL-HLS and recording hooks (apps/web/src/debug.ts, `window.hootDebug`) as the p2m spec reads
 * them, and a frame poll: frames counted by the page's video elements (`getVideoPlaybackQuality`).
 */
import { eventually } from '@hoot/testing';
import type { Page } from 'playwright-core';

/** One LL-HLS stream a page plays (`HlsStreamAccess`). */
export interface HlsAccess {
  publisherId: string;
  stream?: 'screen';
  streamId: string;
  playlistUrl: string;
  expiresAt: string;
}

interface HlsDebug {
  hlsFramesDecodedFrom(participantId: string): number;
  recordingFramesDecoded(): number;
  hlsAccesses(): HlsAccess[];
}

const debug = (page: Page) => ({
  framesFrom: (participantId: string): Promise<number> =>
    page.evaluate(
      (id) => (globalThis as unknown as { hootDebug: HlsDebug }).hootDebug.hlsFramesDecodedFrom(id),
      participantId,
    ),
  recordingFrames: (): Promise<number> =>
    page.evaluate(() =>
      (globalThis as unknown as { hootDebug: HlsDebug }).hootDebug.recordingFramesDecoded(),
    ),
  accesses: (): Promise<HlsAccess[]> =>
    page.evaluate(() => (globalThis as unknown as { hootDebug: HlsDebug }).hootDebug.hlsAccesses()),
});

/** Video frames a page's tile of `participantId` decoded from its LL-HLS stream. */
export const hlsFramesFrom = (page: Page, participantId: string): Promise<number> =>
  debug(page).framesFrom(participantId);

/** Video frames the page's recording player decoded. */
export const recordingFrames = (page: Page): Promise<number> => debug(page).recordingFrames();

/** The LL-HLS streams a page plays. */
export const hlsAccesses = (page: Page): Promise<HlsAccess[]> => debug(page).accesses();

/** Polls `read` until it is above `n` (a video decoding for real, not a first frame); returns the reading. */
export function framesAbove(read: () => Promise<number>, n: number, description: string): Promise<number> {
  return eventually(
    async () => {
      const frames = await read();
      expect(frames).toBeGreaterThan(n);
      return frames;
    },
    { timeoutMs: 90_000, intervalMs: 500, description },
  );
}

/** A GET of the packager as a stranger would make it: status, content type and problem code. */
export async function fetchAsStranger(url: string): Promise<{ status: number; type: string; code?: string }> {
  const res = await fetch(url);
  const type = res.headers.get('content-type') ?? '';
  const body = type.includes('json') ? ((await res.json()) as { code?: string }) : undefined;
  if (!body) await res.arrayBuffer();
  return { status: res.status, type, ...(body?.code ? { code: body.code } : {}) };
}

/** The payload types of an SDP's video m-line, in the order offered, with their codec names. */
export function videoCodecOrder(sdp: string): string[] {
  const lines = sdp.split(/\r?\n/);
  const mline = lines.find((l) => l.startsWith('m=video'));
  if (!mline) return [];
  const rtpmap = new Map(
    lines
      .map((l) => /^a=rtpmap:(\d+) ([^/]+)\//.exec(l))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[1], m[2]]),
  );
  return mline
    .split(' ')
    .slice(3)
    .map((pt) => rtpmap.get(pt) ?? pt);
}
