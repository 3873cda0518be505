import type { Locator, Page } from 'playwright-core';
import { CHROMIUM_TEST_FLAGS } from './chromium';

/**
 * The web app's page, as the browser specs drive it (apps/web on loopback, and through the cluster's
 * NodePorts): the screens' test ids, tiles, and the `window.hootDebug` counters. Types only from
 * playwright-core: nothing here starts a browser.
 */

/** The browser specs' flags, plus autoplay without a gesture (remote tiles play with sound). */
export const WEB_CHROMIUM_FLAGS: readonly string[] = [
  ...CHROMIUM_TEST_FLAGS,
  '--autoplay-policy=no-user-gesture-required',
];

/** What the app puts on `window.hootDebug` (apps/web/src/debug.ts). */
interface HootDebug {
  inboundVideoFramesDecoded(): Promise<number>;
  inboundAudioPacketsReceived(): Promise<number>;
  inboundVideoFramesDecodedFrom(participantId: string): number;
  screenFramesDecodedFrom(participantId: string): number;
  mediaLinks(): MediaLinkState[];
  mediaRecoveries(): { resubscribed: number; republished: number; publishRetries: number };
}

/** One media connection as the SDK's health check last saw it (`MediaLinkReport` in @hoot/sdk). */
export interface MediaLinkState {
  kind: 'publish' | 'subscribe' | 'p2p';
  participantId: string;
  /** A shared screen's connection rather than a camera's. */
  stream?: 'screen';
  connectionState: string;
  counters: Record<string, number>;
  answered: boolean;
  idleMs: number;
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

/**
 * The pre-join screen of a room (after `open-room` or `joinByAddress`): optionally turns the microphone or
 * camera off, then joins.
 */
export async function enterRoom(
  page: Page,
  options: { mic?: boolean; camera?: boolean } = {},
): Promise<void> {
  const join = page.getByTestId('prejoin-join');
  await join.waitFor();
  if (options.mic === false) await page.getByTestId('prejoin-toggle-mic').click();
  if (options.camera === false) await page.getByTestId('prejoin-toggle-camera').click();
  await join.click();
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
  page.evaluate(() =>
    (globalThis as unknown as { hootDebug: HootDebug }).hootDebug.inboundVideoFramesDecoded(),
  );

/** `hootDebug.mediaLinks()` and `mediaRecoveries()`: what the SDK's media health check sees and did. */
export const mediaHealth = (
  page: Page,
): Promise<{
  links: ReturnType<HootDebug['mediaLinks']>;
  recoveries: ReturnType<HootDebug['mediaRecoveries']>;
}> =>
  page.evaluate(() => {
    const debug = (globalThis as unknown as { hootDebug: HootDebug }).hootDebug;
    return { links: debug.mediaLinks(), recoveries: debug.mediaRecoveries() };
  });

/** `hootDebug.inboundAudioPacketsReceived()`: audio packets over all receiving connections. */
export const audioPackets = (page: Page): Promise<number> =>
  page.evaluate(() =>
    (globalThis as unknown as { hootDebug: HootDebug }).hootDebug.inboundAudioPacketsReceived(),
  );

/** `hootDebug.inboundVideoFramesDecodedFrom(id)`: video frames decoded in one participant's tile. */
export const framesDecodedFrom = (page: Page, participantId: string): Promise<number> =>
  page.evaluate(
    (id) => (globalThis as unknown as { hootDebug: HootDebug }).hootDebug.inboundVideoFramesDecodedFrom(id),
    participantId,
  );

/** `hootDebug.screenFramesDecodedFrom(id)`: video frames decoded on the stage from one participant's screen. */
export const screenFramesFrom = (page: Page, participantId: string): Promise<number> =>
  page.evaluate(
    (id) => (globalThis as unknown as { hootDebug: HootDebug }).hootDebug.screenFramesDecodedFrom(id),
    participantId,
  );

/** One `RTCPeerConnection` of a page (`peerConnections`), with what its senders send. */
export interface PeerConnectionState {
  /** Its place in the order the page created them (0 first). */
  index: number;
  connectionState: string;
  /** The local SDP as last set: unchanged when nothing was renegotiated. */
  localSdp: string;
  /** Senders with a track: its kind, the device it comes from, whether it is enabled (not muted). */
  sending: { kind: string; deviceId: string; enabled: boolean; readyState: string }[];
}

/** The few browser shapes the two helpers below use (libs/testing compiles without the DOM library). */
interface BrowserTrack {
  kind: string;
  enabled: boolean;
  readyState: string;
  getSettings(): { deviceId?: string };
}
interface BrowserPeerConnection {
  connectionState: string;
  localDescription: { sdp: string } | null;
  getSenders(): { track: BrowserTrack | null }[];
}
type PeerConnectionClass = new (...args: unknown[]) => BrowserPeerConnection;

/**
 * Records every `RTCPeerConnection` the page creates from now on (the app never reloads between screens;
 * the SDK looks the constructor up when it connects). Call before joining a room.
 */
export const watchPeerConnections = (page: Page): Promise<void> =>
  page.evaluate(() => {
    const g = globalThis as unknown as {
      RTCPeerConnection: PeerConnectionClass;
      __hootPeerConnections?: BrowserPeerConnection[];
    };
    if (g.__hootPeerConnections) return;
    const created: BrowserPeerConnection[] = (g.__hootPeerConnections = []);
    const Original = g.RTCPeerConnection;
    g.RTCPeerConnection = class extends Original {
      constructor(...args: unknown[]) {
        super(...args);
        created.push(this);
      }
    };
  });

/** The connections the page created since `watchPeerConnections`, in order. */
export const peerConnections = (page: Page): Promise<PeerConnectionState[]> =>
  page.evaluate(() =>
    (
      (globalThis as unknown as { __hootPeerConnections?: BrowserPeerConnection[] }).__hootPeerConnections ??
      []
    ).map((pc, index) => ({
      index,
      connectionState: pc.connectionState,
      localSdp: pc.localDescription?.sdp ?? '',
      sending: pc
        .getSenders()
        .map((s) => s.track)
        .filter((t): t is BrowserTrack => t !== null)
        .map((t) => ({
          kind: t.kind,
          deviceId: t.getSettings().deviceId ?? '',
          enabled: t.enabled,
          readyState: t.readyState,
        })),
    })),
  );
