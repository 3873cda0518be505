/**
 * kms-lite end to end in real headless Chromium (Debian's `chromium`, see scripts/infra/chromium.sh) with
 * fake camera and microphone: page A publishes through a WebRtcEndpoint, page B receives through another
 * endpoint connected to it, and B's getStats must show decoded video frames and audio packets growing.
 * Signaling is this spec: it relays SDP and candidates between the pages and kms-lite via kurento-client.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  callKurento,
  closeKurento,
  connectKurento,
  kurentoIceCandidate,
  type KurentoHandle,
} from '@hoot/media';
import { startKmsLite, type KmsLiteProcess } from '@hoot/media/testing';
import { CHROMIUM_TEST_FLAGS, chromiumPath, eventually } from '@hoot/testing';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

interface InboundStats {
  audio?: { packetsReceived: number; framesDecoded: number; mimeType?: string };
  video?: { packetsReceived: number; framesDecoded: number; mimeType?: string };
}

type Candidate = { candidate: string; sdpMid: string; sdpMLineIndex: number };

let kms: KmsLiteProcess;
let kurento: KurentoHandle;
let pageServer: Server;
let pageUrl: string;
let context: BrowserContext;
let userDataDir: string;

beforeAll(async () => {
  const executablePath = chromiumPath();
  kms = await startKmsLite({ engine: 'werift' });
  kurento = await connectKurento(kms.url);
  const html = readFileSync(join(__dirname, 'e2e-page/index.html'));
  pageServer = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(html));
  await new Promise<void>((resolve) => pageServer.listen(0, '127.0.0.1', resolve));
  pageUrl = `http://127.0.0.1:${(pageServer.address() as AddressInfo).port}/`;
  userDataDir = mkdtempSync(join(tmpdir(), 'hoot-chromium-'));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    args: [...CHROMIUM_TEST_FLAGS],
  });
});

afterAll(async () => {
  await context?.close();
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  await new Promise((resolve) => (pageServer ? pageServer.close(resolve) : resolve(undefined)));
  if (kurento) closeKurento(kurento);
  await kms?.stop();
});

/** Negotiates one page with one endpoint: offer from the page, answer and trickled candidates both ways. */
async function negotiate(page: Page, endpoint: KurentoHandle, offer: string): Promise<string[]> {
  // Kurento's connection events in order, and how many had come when processOffer answered.
  const seen: string[] = [];
  endpoint.on('IceComponentStateChanged', (e: { state: string }) => seen.push(`ice:${e.state}`));
  endpoint.on('ConnectionStateChanged', (e: { newState: string }) => seen.push(`connection:${e.newState}`));
  endpoint.on(
    'NewCandidatePairSelected',
    (e: { candidatePair: { localCandidate: string; remoteCandidate: string } }) =>
      seen.push(`pair:${e.candidatePair.localCandidate}|${e.candidatePair.remoteCandidate}`),
  );
  endpoint.on('IceCandidateFound', (event: { candidate: Candidate }) => {
    const { candidate, sdpMid, sdpMLineIndex } = event.candidate;
    void page.evaluate(
      (c) => (globalThis as unknown as { addCandidate(c: Candidate): Promise<void> }).addCandidate(c),
      {
        candidate,
        sdpMid,
        sdpMLineIndex,
      },
    );
  });
  const answer = await callKurento<string>(endpoint, 'processOffer', offer);
  seen.push('processOffer answered');
  await page.evaluate(
    (sdp) => (globalThis as unknown as { applyAnswer(s: string): Promise<void> }).applyAnswer(sdp),
    answer,
  );
  await callKurento(endpoint, 'gatherCandidates');
  const local = await page.evaluate(() =>
    (globalThis as unknown as { localCandidates(): Promise<Candidate[]> }).localCandidates(),
  );
  // An mDNS candidate (Chrome's default when it hides local addresses) is answered at once and dropped.
  await callKurento(
    endpoint,
    'addIceCandidate',
    kurentoIceCandidate({
      candidate: 'candidate:9 1 udp 2122260223 4f1c7d0e-3b1a-4a51-9d9e-2b8f1f0c3a11.local 50002 typ host',
      sdpMid: '0',
      sdpMLineIndex: 0,
    }),
  );
  for (const candidate of local)
    await callKurento(endpoint, 'addIceCandidate', kurentoIceCandidate(candidate));
  return seen;
}

type KurentoStats = Record<
  string,
  {
    type: string;
    mediaType: string;
    packetsReceived?: number;
    bytesReceived?: number;
    packetsSent?: number;
    bytesSent?: number;
  }
>;

/** Sums a counter over an endpoint's Kurento `getStats` entries of one type and media type. */
async function kurentoCounter(
  endpoint: KurentoHandle,
  type: 'inboundrtp' | 'outboundrtp',
  mediaType: 'VIDEO' | 'AUDIO',
  field: 'packetsReceived' | 'bytesReceived' | 'packetsSent' | 'bytesSent',
): Promise<number> {
  const stats = await callKurento<KurentoStats>(endpoint, 'getStats', mediaType);
  return Object.values(stats)
    .filter((s) => s.type === type && s.mediaType === mediaType)
    .reduce((sum, s) => sum + (s[field] ?? 0), 0);
}

async function inbound(page: Page): Promise<InboundStats> {
  return page.evaluate(() =>
    (globalThis as unknown as { inboundStats(): Promise<InboundStats> }).inboundStats(),
  );
}

async function publishAndReceive(media: { audio: boolean; video: boolean; videoCodec?: 'h264' }) {
  const pipeline = await callKurento<KurentoHandle>(kurento, 'create', 'MediaPipeline');
  const publisher = await callKurento<KurentoHandle>(pipeline, 'create', 'WebRtcEndpoint');
  const subscriber = await callKurento<KurentoHandle>(pipeline, 'create', 'WebRtcEndpoint');
  await callKurento(publisher, 'connect', subscriber);
  const pageA = await context.newPage();
  const pageB = await context.newPage();
  await Promise.all([pageA.goto(pageUrl), pageB.goto(pageUrl)]);
  const offerA = await pageA.evaluate(
    (m) => (globalThis as unknown as { publisherOffer(m: object): Promise<string> }).publisherOffer(m),
    media,
  );
  const publisherEvents = await negotiate(pageA, publisher, offerA);
  const offerB = await pageB.evaluate(
    (m) => (globalThis as unknown as { subscriberOffer(m: object): Promise<string> }).subscriberOffer(m),
    media,
  );
  await negotiate(pageB, subscriber, offerB);
  return {
    pageB,
    publisher,
    subscriber,
    publisherEvents,
    async close() {
      await pageA.close();
      await pageB.close();
      await callKurento(pipeline, 'release');
    },
  };
}

describe('kms-lite in headless Chromium', () => {
  it('forwards camera and microphone from one page to another: B decodes frames and receives audio', async () => {
    const session = await publishAndReceive({ audio: true, video: true });
    try {
      const first = await eventually(
        async () => {
          const stats = await inbound(session.pageB);
          expect(stats.video?.framesDecoded).toBeGreaterThan(0);
          expect(stats.audio?.packetsReceived).toBeGreaterThan(0);
          return stats;
        },
        {
          timeoutMs: 60_000,
          intervalMs: 250,
          description: 'first decoded frames and audio packets on page B',
        },
      );
      await eventually(
        async () => {
          const stats = await inbound(session.pageB);
          expect(stats.video!.framesDecoded).toBeGreaterThan(first.video!.framesDecoded);
          expect(stats.audio!.packetsReceived).toBeGreaterThan(first.audio!.packetsReceived);
        },
        {
          timeoutMs: 30_000,
          intervalMs: 250,
          description: 'frames and audio packets still growing on page B',
        },
      );

      // Kurento's getStats: what the publisher's endpoint received and what the subscriber's sent.
      expect(await kurentoCounter(session.publisher, 'inboundrtp', 'VIDEO', 'bytesReceived')).toBeGreaterThan(
        0,
      );
      expect(
        await kurentoCounter(session.publisher, 'inboundrtp', 'AUDIO', 'packetsReceived'),
      ).toBeGreaterThan(0);
      expect(await kurentoCounter(session.subscriber, 'outboundrtp', 'VIDEO', 'packetsSent')).toBeGreaterThan(
        0,
      );
      expect(await kurentoCounter(session.subscriber, 'inboundrtp', 'VIDEO', 'packetsReceived')).toBe(0);

      // No connection, selected pair or READY before any candidate was exchanged; the pair is never empty.
      const events = session.publisherEvents;
      const answered = events.indexOf('processOffer answered');
      expect(
        events.slice(0, answered).filter((e) => /^(ice:(CONNECTED|READY)|pair:|connection:)/.test(e)),
      ).toEqual([]);
      const pairs = events.filter((e) => e.startsWith('pair:'));
      expect(pairs.length).toBeGreaterThan(0);
      for (const pair of pairs) expect(pair).toMatch(/^pair:candidate:\S.*\|candidate:\S/);
    } finally {
      await session.close();
    }
  });

  it('honours an audio-only publication: B receives growing audio and no video', async () => {
    const session = await publishAndReceive({ audio: true, video: false });
    try {
      const first = await eventually(
        async () => {
          const stats = await inbound(session.pageB);
          expect(stats.audio?.packetsReceived).toBeGreaterThan(0);
          return stats;
        },
        { timeoutMs: 60_000, intervalMs: 250, description: 'first audio packets on page B' },
      );
      await eventually(
        async () => {
          const stats = await inbound(session.pageB);
          expect(stats.audio!.packetsReceived).toBeGreaterThan(first.audio!.packetsReceived);
          expect(stats.video).toBeUndefined();
        },
        { timeoutMs: 30_000, intervalMs: 250, description: 'audio packets growing on page B' },
      );
    } finally {
      await session.close();
    }
  });
  it('passes an H.264-only publication through unchanged: B decodes H.264 frames', async () => {
    const session = await publishAndReceive({ audio: true, video: true, videoCodec: 'h264' });
    try {
      const first = await eventually(
        async () => {
          const stats = await inbound(session.pageB);
          expect(stats.video?.framesDecoded).toBeGreaterThan(0);
          return stats;
        },
        { timeoutMs: 60_000, intervalMs: 250, description: 'first decoded H.264 frames on page B' },
      );
      expect(first.video?.mimeType).toBe('video/H264');
      await eventually(
        async () => {
          const stats = await inbound(session.pageB);
          expect(stats.video!.framesDecoded).toBeGreaterThan(first.video!.framesDecoded);
        },
        { timeoutMs: 30_000, intervalMs: 250, description: 'H.264 frames still growing on page B' },
      );
    } finally {
      await session.close();
    }
  });
});
