/**
 * The audio-only room and the call in the web app, across both clouds: in an a2m room alice (owner, at
 * reg-c1-1's page) and bob (approved, at reg-c2-1's page) hear each other and no video is sent or received;
 * in a p2p call both decode each other over their direct connection, and when alice (the caller) hangs up
 * bob is told (the callee has no End, only Leave).
 * Screenshots: .infra/test-artifacts/web/a2m-p2p/.
 */
import { randomBytes } from 'node:crypto';
import { eventually } from '@hoot/testing';
import type { Page } from 'playwright-core';
import {
  WebBrowser,
  audioPackets,
  bannerCode,
  createConference,
  enterRoom,
  expectGrowing,
  framesDecoded,
  framesDecodedFrom,
  joinByAddress,
  myTile,
  tileOf,
} from './support/browser';
import { conferenceKnownAt, startWebPlatform, type WebPlatform } from './support/web-platform';

const ROOM_ID = `audio-${randomBytes(3).toString('hex')}`;
const CALL_ID = `call-${randomBytes(3).toString('hex')}`;

describe('an a2m room and a p2p call in the web app (whole platform, headless Chromium)', () => {
  let platform: WebPlatform;
  let browser: WebBrowser;
  let alice: Page;
  let bob: Page;

  const name = (username: string) => platform.users[username].displayName;
  const url = (cloud: 'c1' | 'c2') => platform.registries[cloud].url;

  beforeAll(async () => {
    platform = await startWebPlatform();
    browser = await WebBrowser.launch('a2m-p2p');
    alice = await browser.signIn(url('c1'), platform.users['alice']);
    bob = await browser.signIn(url('c2'), platform.users['bob']);
  });

  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
  });

  it('a2m: audio flows both ways and no video is published or received', async () => {
    await alice.getByTestId('create-type').selectOption('a2m');
    expect(await alice.getByTestId('create-type-help').textContent()).toContain('Audio');
    const address = await createConference(alice, { id: ROOM_ID, type: 'a2m', allowed: ['bob'] });
    expect(address).toBe(`hoot.mx://${ROOM_ID}@${platform.mixers.c1}`);
    await alice.getByTestId('open-room').click();
    await enterRoom(alice);
    await eventually(
      async () => {
        expect(await myTile(alice).getAttribute('data-role')).toBe('publisher');
        expect(await alice.getByTestId('room-status').getAttribute('data-state')).toBe('live');
      },
      { timeoutMs: 30_000, description: 'alice in her audio room' },
    );
    await conferenceKnownAt(url('c2'), platform.users['bob'], ROOM_ID);
    await joinByAddress(bob, address);
    await enterRoom(bob);
    await eventually(async () => expect(await myTile(bob).getAttribute('data-role')).toBe('viewer'), {
      timeoutMs: 30_000,
      description: 'bob a viewer',
    });
    await expectGrowing(() => audioPackets(bob), "bob receives alice's audio");

    await bob.getByTestId('raise-hand').click();
    const request = alice.locator('[data-testid="publish-request"]', { hasText: name('bob') });
    await request.waitFor({ timeout: 15_000 });
    await request.getByTestId('approve').click();
    await eventually(
      async () => expect(await tileOf(alice, name('bob')).getAttribute('data-role')).toBe('publisher'),
      { timeoutMs: 20_000, description: 'bob a publisher at alice' },
    );
    await expectGrowing(() => audioPackets(alice), "alice receives bob's audio");
    await expectGrowing(() => audioPackets(bob), "bob still receives alice's audio");

    // No tile shows video, and neither side has decoded a single video frame while audio flowed.
    for (const page of [alice, bob]) {
      expect(await page.locator('[data-testid="tile"]').count()).toBe(2);
      expect(await page.locator('[data-testid="tile"][data-video="false"]').count()).toBe(2);
      expect(await framesDecoded(page)).toBe(0);
      // Audio only: no screen share offered to the speakers.
      expect(await page.getByTestId('share-screen').count()).toBe(0);
    }
    const bobId = (await myTile(bob).getAttribute('data-participant-id')) ?? '';
    const aliceId = (await myTile(alice).getAttribute('data-participant-id')) ?? '';
    expect(await framesDecodedFrom(alice, bobId)).toBe(0);
    expect(await framesDecodedFrom(bob, aliceId)).toBe(0);
    await browser.shot(alice, 'alice-a2m');
    await browser.shot(bob, 'bob-a2m');

    await bob.getByTestId('leave').click();
    await bob.getByTestId('confirm-yes').click();
    await bob.getByTestId('screen-home').waitFor();
    await alice.getByTestId('leave').click();
    await alice.getByTestId('confirm-yes').click();
    await alice.getByTestId('screen-home').waitFor();
  });

  it('p2p: alice calls bob, both decode each other peer to peer, alice hangs up and bob is told', async () => {
    await alice.getByTestId('create-type').selectOption('p2p');
    expect(await alice.getByTestId('create-type-help').textContent()).toContain('One-to-one call');
    const address = await createConference(alice, { id: CALL_ID, type: 'p2p', allowed: ['bob'] });
    expect(address).toBe(`hoot.mx://${CALL_ID}@${platform.mixers.c1}`);
    await alice.getByTestId('open-room').click();
    await enterRoom(alice);
    await eventually(async () => expect(await myTile(alice).getAttribute('data-role')).toBe('publisher'), {
      timeoutMs: 30_000,
      description: 'alice in her call',
    });
    await conferenceKnownAt(url('c2'), platform.users['bob'], CALL_ID);
    await joinByAddress(bob, address);
    await enterRoom(bob);
    await eventually(
      async () => {
        expect(await myTile(bob).getAttribute('data-role')).toBe('publisher');
        expect(await tileOf(alice, name('bob')).count()).toBe(1);
        expect(await tileOf(bob, name('alice')).count()).toBe(1);
      },
      { timeoutMs: 30_000, description: 'both in the call' },
    );
    const bobId = (await myTile(bob).getAttribute('data-participant-id')) ?? '';
    const aliceId = (await myTile(alice).getAttribute('data-participant-id')) ?? '';
    await expectGrowing(() => framesDecodedFrom(alice, bobId), "alice decodes bob's tile");
    await expectGrowing(() => framesDecodedFrom(bob, aliceId), "bob decodes alice's tile");
    await expectGrowing(() => framesDecoded(alice), 'alice decodes the call');
    await expectGrowing(() => framesDecoded(bob), 'bob decodes the call');
    // A call's media goes peer to peer on one connection: no screen share offered (not built for calls).
    for (const page of [alice, bob]) expect(await page.getByTestId('share-screen').count()).toBe(0);
    await browser.shot(alice, 'alice-p2p-call');
    await browser.shot(bob, 'bob-p2p-call');

    // Only the caller ends a call for good (the callee may only leave): alice hangs up, bob is told.
    expect(await bob.getByTestId('end-room').count()).toBe(0);
    await alice.getByTestId('end-room').click();
    await alice.getByTestId('confirm-yes').click();
    await eventually(async () => expect(await bannerCode(bob)).toBe('room.ended'), {
      timeoutMs: 15_000,
      description: 'bob told the call ended',
    });
    await browser.shot(bob, 'bob-call-ended');
  });
});
