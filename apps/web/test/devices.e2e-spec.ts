/**
 * Switching camera and microphone mid-call in the web app (Chromium with fake cameras): in an m2m room
 * bob, approved to speak and muted, opens the device settings and picks another camera; alice keeps
 * decoding his video, bob's page keeps its one publish connection with the same SDP (no renegotiation,
 * no new publish), his sender now sends the chosen camera and his microphone is still muted; the choice is
 * picked again on his next pre-join screen. In a p2p call the SDK opens that remembered camera, and the
 * same switch goes over the direct connection. Screenshots: .infra/test-artifacts/web/devices/.
 *
 * Three fake cameras, not two: Chromium's fake devices cycle through pixel formats (fake_device_0 I420,
 * fake_device_1 Y16, fake_device_2 MJPEG), and WebRTC encodes no frame of the Y16 (depth) camera, so
 * the switches go between fake_device_0 and fake_device_2.
 */
import { randomBytes } from 'node:crypto';
import { eventually } from '@hoot/testing';
import type { Page } from 'playwright-core';
import {
  WebBrowser,
  createConference,
  enterRoom,
  expectGrowing,
  framesDecodedFrom,
  joinByAddress,
  myTile,
  peerConnections,
  tileOf,
  watchPeerConnections,
} from './support/browser';
import { startWebPlatform, type WebPlatform } from './support/web-platform';

const ROOM_ID = `devices-${randomBytes(3).toString('hex')}`;
const CALL_ID = `devcall-${randomBytes(3).toString('hex')}`;

describe('switching camera and microphone mid-call (whole platform, headless Chromium, fake cameras)', () => {
  let platform: WebPlatform;
  let browser: WebBrowser;
  let alice: Page;
  let bob: Page;
  /** The camera bob picked in the m2m room (remembered for his next join). */
  let remembered = '';

  const name = (username: string) => platform.users[username].displayName;
  const url = () => platform.registries.c1.url;

  beforeAll(async () => {
    platform = await startWebPlatform();
    browser = await WebBrowser.launch('devices', { cameras: 3 });
    alice = await browser.signIn(url(), platform.users['alice']);
    bob = await browser.signIn(url(), platform.users['bob']);
  });

  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
  });

  /** The one connection of bob's page that sends (his publish, or the call), as it is now. */
  const sendingConnection = async (page: Page) => {
    const sending = (await peerConnections(page)).filter((pc) => pc.sending.length > 0);
    expect(sending).toHaveLength(1);
    return sending[0];
  };

  /** Opens the device settings and picks the camera of this label; returns its deviceId. */
  const pickCamera = async (page: Page, label: string): Promise<string> => {
    if ((await page.getByTestId('device-settings').getAttribute('hidden')) !== null)
      await page.getByTestId('toggle-devices').click();
    const select = page.getByTestId('device-camera');
    const options = select.locator('option');
    await eventually(async () => expect(await options.count()).toBe(3), {
      timeoutMs: 15_000,
      description: 'the fake cameras listed',
    });
    const other = (await options.filter({ hasText: label }).getAttribute('value')) ?? '';
    expect(other).not.toBe('');
    expect(await select.inputValue()).not.toBe(other);
    await select.selectOption(other);
    await eventually(
      async () => {
        expect(await page.getByTestId('device-settings').getAttribute('data-video')).toBe(other);
        expect(await page.getByTestId('device-settings').getAttribute('data-switching')).toBe('false');
      },
      { timeoutMs: 20_000, description: 'the camera switched' },
    );
    return other;
  };

  it('m2m: bob switches camera; alice keeps decoding him, no renegotiation, mute kept, choice remembered', async () => {
    const address = await createConference(alice, { id: ROOM_ID, type: 'm2m', allowed: ['bob'] });
    await alice.getByTestId('open-room').click();
    await enterRoom(alice);
    await eventually(async () => expect(await myTile(alice).getAttribute('data-role')).toBe('publisher'), {
      timeoutMs: 30_000,
      description: 'alice in her room',
    });
    await watchPeerConnections(bob);
    await joinByAddress(bob, address);
    await enterRoom(bob, { mic: false });
    await bob.getByTestId('raise-hand').click();
    const bobId = (await myTile(bob).getAttribute('data-participant-id')) ?? '';
    const request = alice.locator(`[data-testid="publish-request"][data-participant-id="${bobId}"]`);
    await request.getByTestId('approve').click();
    await eventually(
      async () => expect(await tileOf(alice, name('bob')).getAttribute('data-role')).toBe('publisher'),
      { timeoutMs: 30_000, description: 'bob a publisher at alice' },
    );
    await expectGrowing(() => framesDecodedFrom(alice, bobId), "alice decodes bob's first camera");
    const before = await sendingConnection(bob);
    expect(before.sending.map((s) => [s.kind, s.enabled])).toEqual([
      ['audio', false],
      ['video', true],
    ]);
    const pcsBefore = (await peerConnections(bob)).length;

    const chosen = await pickCamera(bob, 'fake_device_2');
    expect(chosen).not.toBe(before.sending[1].deviceId);

    // Alice keeps decoding bob's video after the switch.
    await expectGrowing(() => framesDecodedFrom(alice, bobId), "alice decodes bob's second camera");
    // Bob's page: the same publish connection (no new one, the same local SDP: nothing renegotiated),
    // its video sender now sends the chosen camera, and his microphone is still muted.
    const after = await sendingConnection(bob);
    expect(after.index).toBe(before.index);
    expect(after.localSdp).toBe(before.localSdp);
    expect(after.connectionState).toBe('connected');
    expect(after.sending).toEqual([
      { kind: 'audio', deviceId: before.sending[0].deviceId, enabled: false, readyState: 'live' },
      { kind: 'video', deviceId: chosen, enabled: true, readyState: 'live' },
    ]);
    expect(await peerConnections(bob)).toHaveLength(pcsBefore);
    expect(await myTile(bob).getAttribute('data-muted')).toBe('true');
    // His own preview shows the new camera.
    expect(
      await myTile(bob)
        .locator('video')
        .evaluate(
          (v: HTMLVideoElement) =>
            (v.srcObject as MediaStream | null)?.getVideoTracks()[0]?.getSettings().deviceId,
        ),
    ).toBe(chosen);
    await browser.shot(bob, 'bob-device-settings-open');
    await browser.shot(alice, 'alice-sees-bob-second-camera');

    // The choice is kept for the next join: picked again on the pre-join screen.
    await bob.getByTestId('leave').click();
    await bob.getByTestId('confirm-yes').click();
    await bob.getByTestId('screen-home').waitFor();
    await joinByAddress(bob, address);
    await bob.getByTestId('prejoin').waitFor();
    await eventually(
      async () => {
        expect(await bob.getByTestId('prejoin-camera').inputValue()).toBe(chosen);
        expect(
          await bob.getByTestId('prejoin-video').evaluate((v: HTMLVideoElement) => v.videoWidth),
        ).toBeGreaterThan(0);
      },
      { timeoutMs: 20_000, description: 'the pre-join screen picks his camera again and previews it' },
    );
    await browser.shot(bob, 'bob-prejoin-remembers-camera');
    await bob.getByTestId('brand').click();
    await bob.getByTestId('screen-home').waitFor();
    await alice.getByTestId('leave').click();
    await alice.getByTestId('confirm-yes').click();
    await alice.getByTestId('screen-home').waitFor();
    remembered = chosen;
  });

  it('p2p: bob joins with the remembered camera and switches in the call over the direct connection, no new offer', async () => {
    const address = await createConference(alice, { id: CALL_ID, type: 'p2p', allowed: ['bob'] });
    await alice.getByTestId('open-room').click();
    await enterRoom(alice);
    await eventually(async () => expect(await myTile(alice).getAttribute('data-role')).toBe('publisher'), {
      timeoutMs: 30_000,
      description: 'alice in her call',
    });
    const pcsBefore = (await peerConnections(bob)).length;
    await joinByAddress(bob, address);
    await enterRoom(bob);
    const bobId = (await myTile(bob).getAttribute('data-participant-id')) ?? '';
    await expectGrowing(() => framesDecodedFrom(alice, bobId), 'alice decodes bob in the call');
    const call = async () => {
      const created = (await peerConnections(bob)).filter((pc) => pc.index >= pcsBefore);
      expect(created).toHaveLength(1);
      return created[0];
    };
    // He joined with the camera he picked in the room: the SDK opened the remembered device.
    const before = await call();
    expect(remembered).not.toBe('');
    expect(before.sending.find((s) => s.kind === 'video')?.deviceId).toBe(remembered);

    const chosen = await pickCamera(bob, 'fake_device_0');
    expect(chosen).not.toBe(remembered);

    await expectGrowing(
      () => framesDecodedFrom(alice, bobId),
      "alice decodes bob's other camera in the call",
    );
    const after = await call();
    expect(after.index).toBe(before.index);
    expect(after.localSdp).toBe(before.localSdp);
    expect(after.sending.find((s) => s.kind === 'video')).toEqual({
      kind: 'video',
      deviceId: chosen,
      enabled: true,
      readyState: 'live',
    });
    await browser.shot(bob, 'bob-call-device-settings');
    await browser.shot(alice, 'alice-call-after-bob-switched');
  });
});
