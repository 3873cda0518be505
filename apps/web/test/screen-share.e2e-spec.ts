/**
 * Screen share in the web app (whole platform, headless Chromium): in an m2m room alice shares her
 * screen (the browser's real getDisplayMedia: Chromium's fake screen, granted by the spec flags); bob, a
 * viewer, sees it large above the tiles with her name and decodes it; alice stops and bob's stage goes
 * away. A second share ends from "the browser's own bar" (its track's `ended`), and the stage goes away
 * again. Screenshots: .infra/test-artifacts/web/screen-share/.
 */
import { randomBytes } from 'node:crypto';
import { eventually, mediaHealth, screenFramesFrom } from '@hoot/testing';
import type { Page } from 'playwright-core';
import {
  WebBrowser,
  createConference,
  enterRoom,
  expectGrowing,
  joinByAddress,
  myTile,
  tileOf,
} from './support/browser';
import { startWebPlatform, type WebPlatform } from './support/web-platform';

const CONFERENCE_ID = `demo-${randomBytes(3).toString('hex')}`;

describe('screen share in the web app (whole platform, headless Chromium)', () => {
  let platform: WebPlatform;
  let browser: WebBrowser;
  const pages: Record<string, Page> = {};
  const ids: Record<string, string> = {};

  const name = (username: string) => platform.users[username].displayName;

  beforeAll(async () => {
    platform = await startWebPlatform();
    browser = await WebBrowser.launch('screen-share');
  });

  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
  });

  /** The stage of a page: its shared screens, each with the sharer's participant id and caption. */
  const stageOf = (page: Page) =>
    page.evaluate(() =>
      [...document.querySelectorAll<HTMLElement>('[data-testid="screen-share"]')].map((el) => ({
        participantId: el.getAttribute('data-participant-id'),
        caption: el.querySelector('[data-testid="screen-caption"]')?.textContent ?? '',
        visible: !(document.querySelector('[data-testid="screen-stage"]') as HTMLElement).hidden,
      })),
    );

  it('alice and bob are in an m2m room: she speaks, he watches (and has no Share screen)', async () => {
    const alice = (pages['alice'] = await browser.signIn(
      platform.registries.c1.url,
      platform.users['alice'],
    ));
    const address = await createConference(alice, { id: CONFERENCE_ID, type: 'm2m', allowed: ['bob'] });
    await alice.getByTestId('open-room').click();
    await enterRoom(alice);
    await eventually(async () => expect(await myTile(alice).getAttribute('data-role')).toBe('publisher'), {
      timeoutMs: 30_000,
      description: 'alice publishes',
    });
    ids['alice'] = (await myTile(alice).getAttribute('data-participant-id')) ?? '';

    const bob = (pages['bob'] = await browser.signIn(platform.registries.c1.url, platform.users['bob']));
    await joinByAddress(bob, address);
    await enterRoom(bob, { mic: false, camera: false });
    await eventually(
      async () => {
        expect(await myTile(bob).getAttribute('data-role')).toBe('viewer');
        expect(await tileOf(bob, name('alice')).getAttribute('data-video')).toBe('true');
      },
      { timeoutMs: 60_000, description: "bob a viewer, alice's camera on his page" },
    );
    expect(await bob.getByTestId('share-screen').count()).toBe(0);
    expect(await bob.getByTestId('screen-stage').isHidden()).toBe(true);
    const share = alice.getByTestId('share-screen');
    expect(await share.isEnabled()).toBe(true);
    expect(await share.textContent()).toContain('Share screen');
  });

  it('alice shares her screen: bob sees it large with her name and decodes it; she stops and his stage goes away', async () => {
    const { alice, bob } = pages;
    await alice.getByTestId('share-screen').click();
    await eventually(
      async () => {
        expect(await alice.getByTestId('stop-screen-share').textContent()).toContain('Stop sharing');
        expect(await stageOf(alice)).toEqual([
          { participantId: ids['alice'], caption: 'You are presenting', visible: true },
        ]);
      },
      { timeoutMs: 30_000, description: 'alice presents on her own page' },
    );
    await eventually(
      async () =>
        expect(await stageOf(bob)).toEqual([
          { participantId: ids['alice'], caption: `${name('alice')} is presenting`, visible: true },
        ]),
      { timeoutMs: 30_000, description: "alice's screen on bob's stage" },
    );
    await expectGrowing(() => screenFramesFrom(bob, ids['alice']), "bob decodes alice's screen");
    // Large: the stage is wider than alice's camera tile below it, and shows the screen's own picture.
    const stage = await bob.getByTestId('screen-share').boundingBox();
    const tile = await tileOf(bob, name('alice')).boundingBox();
    expect(stage!.width).toBeGreaterThan(2 * tile!.width);
    expect(stage!.y).toBeLessThan(tile!.y);
    expect(
      await bob.getByTestId('screen-video').evaluate((v: HTMLVideoElement) => [v.videoWidth, v.videoHeight]),
    ).toEqual([1280, 720]);
    // The SDK's health check follows the screen's connection like the others.
    const health = await mediaHealth(bob);
    expect(health.links).toContainEqual(
      expect.objectContaining({
        kind: 'subscribe',
        participantId: ids['alice'],
        stream: 'screen',
        answered: true,
      }),
    );
    await browser.shot(bob, 'bob-sees-alice-screen');
    await browser.shot(alice, 'alice-presenting');

    await alice.getByTestId('stop-screen-share').click();
    await eventually(
      async () => {
        expect(await stageOf(bob)).toEqual([]);
        expect(await bob.getByTestId('screen-stage').isHidden()).toBe(true);
        expect(await alice.getByTestId('share-screen').isEnabled()).toBe(true);
        expect(await stageOf(alice)).toEqual([]);
      },
      { timeoutMs: 30_000, description: 'the stage gone from both pages after alice stops' },
    );
    expect((await mediaHealth(bob)).links.filter((l) => l.stream === 'screen')).toEqual([]);
    // Her camera goes on: bob still receives it.
    expect(await tileOf(bob, name('alice')).getAttribute('data-video')).toBe('true');
    await browser.shot(bob, 'bob-after-alice-stopped');
  });

  it("a share stopped from the browser's own bar (the track ends) is unpublished too", async () => {
    const { alice, bob } = pages;
    await alice.getByTestId('share-screen').click();
    await eventually(async () => expect(await stageOf(bob)).toHaveLength(1), {
      timeoutMs: 30_000,
      description: "alice's second share on bob's stage",
    });
    // What Chromium does when its "Stop sharing" bar is clicked: the capture track stops and fires `ended`.
    await alice.evaluate(() => {
      const video = document.querySelector<HTMLVideoElement>(
        '[data-testid="screen-share"][data-me="true"] video',
      );
      const track = (video?.srcObject as MediaStream).getVideoTracks()[0];
      track.stop();
      track.dispatchEvent(new Event('ended'));
    });
    await eventually(
      async () => {
        expect(await stageOf(bob)).toEqual([]);
        expect(await alice.getByTestId('share-screen').count()).toBe(1);
      },
      { timeoutMs: 30_000, description: 'the share ended on both pages' },
    );
  });
});
