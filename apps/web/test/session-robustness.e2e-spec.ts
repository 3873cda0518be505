/**
 * Sessions that survive real browsers (issue 17, "Session robustness"), in the web app across both clouds:
 * - alice's browser trickles mDNS `.local` host candidates (some late) and one malformed candidate beside
 *   its real ones: she stays in the room, media flows both ways, and CASH logs the skipped candidate with
 *   her participant id and the room;
 * - alice (owner) reloads mid-call and is back as owner and publisher, bob's page shows one alice, and she
 *   approves carol's raised hand; bob (promoted earlier) reloads and still publishes;
 * - bob opening the room in a second window replaces his first one, which says so (issue 17 item 2);
 * - chat keeps display names after reloads and after a kick (never `acc_…` ids);
 * - removing someone asks first and Cancel removes nobody;
 * - in a p2p call the callee has no "End for all", and an `end` forged on the callee's own socket is refused
 *   while the call goes on;
 * - a join that fails (network) offers "Try again"; the retried publish fails once inside the browser
 *   (setRemoteDescription throws): the page says it in our words, never the browser's, and media flows.
 * Screenshots: .infra/test-artifacts/web/session-robustness/.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually } from '@hoot/testing';
import type { Page } from 'playwright-core';
import {
  WebBrowser,
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
import {
  RAW_BROWSER_TEXT,
  chatAuthors,
  hooks,
  installPageHooks,
  type PageHooks,
} from './session-robustness.fixture';

const ROOM_ID = `robust-${randomBytes(3).toString('hex')}`;
const CALL_ID = `rcall-${randomBytes(3).toString('hex')}`;
const RETRY_ID = `retry-${randomBytes(3).toString('hex')}`;

describe('session robustness in the web app (whole platform, headless Chromium)', () => {
  let platform: WebPlatform;
  let browser: WebBrowser;
  const pages: Record<string, Page> = {};
  /** Participant ids, as the tiles carry them. */
  const ids: Record<string, string> = {};
  let address = '';

  const name = (username: string) => platform.users[username].displayName;
  const url = (cloud: 'c1' | 'c2') => platform.registries[cloud].url;

  /** A signed-in page whose every load runs the page hooks (alice's also trickles the extra candidates). */
  async function signIn(username: string, cloud: 'c1' | 'c2', mdns = false): Promise<Page> {
    const page = await browser.signIn(url(cloud), platform.users[username]);
    await page.addInitScript(installPageHooks, { mdns, raw: RAW_BROWSER_TEXT });
    await page.reload();
    await page.getByTestId('screen-home').waitFor();
    return page;
  }

  /** Every page so far never showed a browser's own error text. */
  async function expectNoRawText(): Promise<void> {
    for (const [who, page] of Object.entries(pages)) {
      if (page.isClosed()) continue;
      const body = (await page.locator('body').textContent()) ?? '';
      for (const raw of RAW_BROWSER_TEXT) expect(`${who}: ${body.includes(raw) ? raw : ''}`).toBe(`${who}: `);
      expect({ who, rawSeen: (await hooks(page)).rawSeen }).toEqual({ who, rawSeen: [] });
    }
  }

  beforeAll(async () => {
    platform = await startWebPlatform();
    browser = await WebBrowser.launch('session-robustness');
  });

  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
  });

  it('mDNS and malformed candidates: alice stays in, media flows both ways, CASH logs the skipped one with her id and the room', async () => {
    const alice = (pages['alice'] = await signIn('alice', 'c1', true));
    address = await createConference(alice, { id: ROOM_ID, type: 'm2m', allowed: ['bob', 'carol'] });
    await alice.getByTestId('open-room').click();
    await enterRoom(alice);
    await eventually(
      async () => {
        expect(await myTile(alice).getAttribute('data-role')).toBe('publisher');
        expect(await myTile(alice).getAttribute('data-owner')).toBe('true');
      },
      { timeoutMs: 30_000, description: 'alice owner and publisher' },
    );
    ids['alice'] = (await myTile(alice).getAttribute('data-participant-id')) ?? '';

    const bob = (pages['bob'] = await signIn('bob', 'c2'));
    await conferenceKnownAt(url('c2'), platform.users['bob'], ROOM_ID);
    await joinByAddress(bob, address);
    await enterRoom(bob);
    await eventually(async () => expect(await myTile(bob).getAttribute('data-role')).toBe('viewer'), {
      timeoutMs: 30_000,
      description: 'bob a viewer',
    });
    ids['bob'] = (await myTile(bob).getAttribute('data-participant-id')) ?? '';
    await bob.getByTestId('raise-hand').click();
    const request = alice.locator(`[data-testid="publish-request"][data-participant-id="${ids['bob']}"]`);
    await request.waitFor({ timeout: 15_000 });
    await request.getByTestId('approve').click();
    await eventually(
      async () => expect(await tileOf(alice, name('bob')).getAttribute('data-role')).toBe('publisher'),
      { timeoutMs: 20_000, description: 'bob a publisher' },
    );
    await expectGrowing(() => framesDecodedFrom(bob, ids['alice']), "bob decodes alice's tile");
    await expectGrowing(() => framesDecodedFrom(alice, ids['bob']), "alice decodes bob's tile");

    // Her publish and her subscription to bob each trickled the extra candidates, the late ones too.
    await eventually(
      async () => {
        const seen = await hooks(alice);
        expect(seen.malformedSent).toBeGreaterThanOrEqual(2);
        expect(seen.mdnsSent).toBeGreaterThanOrEqual(4);
      },
      { description: "alice's extra candidates sent" },
    );
    // Still in the room, live, nothing told her the media failed; the candidates were answered ok.
    expect(await alice.getByTestId('room-status').getAttribute('data-state')).toBe('live');
    expect(await bannerCode(alice)).toBeNull();
    const seen = await hooks(alice);
    expect(seen.codesSeen).not.toContain('MEDIA_UNAVAILABLE');
    expect(seen.codesSeen).not.toContain('sdk.media-failed');
    expect(seen.errors).toEqual([]);
    await expectGrowing(() => framesDecoded(alice), 'alice keeps decoding');

    // CASH logged each skipped candidate with the room and the participant.
    const skipped = await eventually(
      async () => {
        const lines = readdirSync(platform.logDir)
          .filter((file) => file.startsWith('cash-'))
          .flatMap((file) => readFileSync(join(platform.logDir, file), 'utf8').split('\n'))
          .filter((line) => line.includes('ICE candidate skipped'))
          .map((line) => JSON.parse(line) as Record<string, unknown>)
          .filter((entry) => entry['roomId'] === ROOM_ID && entry['participantId'] === ids['alice']);
        expect(lines.length).toBeGreaterThanOrEqual(1);
        return lines;
      },
      { timeoutMs: 15_000, description: 'the skipped candidate in the CASH log' },
    );
    expect(skipped[0]).toMatchObject({
      level: 40,
      roomId: ROOM_ID,
      participantId: ids['alice'],
      err: { code: 'MEDIA_INVALID_ARGUMENT' },
      msg: 'ICE candidate skipped (the session goes on without it)',
    });
    // The mDNS ones were answered at once by the media server (kms-lite drops them): none timed out.
    expect(skipped.filter((entry) => (entry['candidate'] as { mdns?: boolean }).mdns)).toEqual([]);

    // Chat before anyone reloads.
    await alice.getByTestId('chat-input').fill('alice before the reload');
    await alice.getByTestId('chat-send').click();
    await bob.getByTestId('chat-input').fill('bob before the reload');
    await bob.getByTestId('chat-send').click();
    await eventually(async () => expect(await chatAuthors(alice)).toEqual([name('alice'), name('bob')]), {
      description: 'both lines at alice',
    });
    await browser.shot(alice, 'alice-mdns-candidates-live');
    await browser.shot(bob, 'bob-decodes-alice');
    await expectNoRawText();
  });

  it('alice (owner) reloads: back as owner and publisher, one alice at bob, she approves carol; bob reloads and still publishes', async () => {
    const [alice, bob] = [pages['alice'], pages['bob']];
    await alice.reload();
    await enterRoom(alice);
    await eventually(
      async () => {
        expect(await myTile(alice).getAttribute('data-role')).toBe('publisher');
        expect(await myTile(alice).getAttribute('data-owner')).toBe('true');
        expect(await tileOf(bob, name('alice')).count()).toBe(1);
        expect(await tileOf(bob, name('alice')).getAttribute('data-owner')).toBe('true');
        expect(await tileOf(bob, name('alice')).getAttribute('data-role')).toBe('publisher');
        expect(await myTile(bob).getAttribute('data-owner')).toBe('false');
        expect(await bob.getByTestId('tile').count()).toBe(2);
      },
      { timeoutMs: 30_000, description: 'alice back as the owner, once, on both pages' },
    );
    ids['alice'] = (await myTile(alice).getAttribute('data-participant-id')) ?? '';
    await expectGrowing(() => framesDecodedFrom(bob, ids['alice']), "bob decodes alice's tile again");
    await expectGrowing(() => framesDecodedFrom(alice, ids['bob']), "alice decodes bob's tile again");
    // The history she gets after the reload names its authors.
    await eventually(async () => expect(await chatAuthors(alice)).toEqual([name('alice'), name('bob')]), {
      description: 'chat names after her reload',
    });
    expect(await alice.getByTestId('chat-list').textContent()).not.toContain('acc_');
    await browser.shot(alice, 'alice-back-as-owner');
    await browser.shot(bob, 'bob-sees-one-alice');

    // Carol joins as a viewer and raises her hand: the owner who reloaded approves it.
    const carol = (pages['carol'] = await signIn('carol', 'c2'));
    await joinByAddress(carol, address);
    await enterRoom(carol);
    await eventually(async () => expect(await myTile(carol).getAttribute('data-role')).toBe('viewer'), {
      timeoutMs: 30_000,
      description: 'carol a viewer',
    });
    ids['carol'] = (await myTile(carol).getAttribute('data-participant-id')) ?? '';
    await carol.getByTestId('raise-hand').click();
    const request = alice.locator(`[data-testid="publish-request"][data-participant-id="${ids['carol']}"]`);
    await request.waitFor({ timeout: 15_000 });
    await browser.shot(alice, 'alice-carol-asks');
    await request.getByTestId('approve').click();
    await eventually(
      async () => {
        expect(await myTile(carol).getAttribute('data-role')).toBe('publisher');
        expect(await tileOf(bob, name('carol')).getAttribute('data-role')).toBe('publisher');
      },
      { timeoutMs: 20_000, description: 'carol a publisher' },
    );
    await carol.getByTestId('chat-input').fill('carol says hi');
    await carol.getByTestId('chat-send').click();

    // Bob, promoted by alice, reloads: he publishes again, and each page shows him once.
    await bob.reload();
    await enterRoom(bob);
    await eventually(
      async () => {
        expect(await myTile(bob).getAttribute('data-role')).toBe('publisher');
        expect(await tileOf(alice, name('bob')).count()).toBe(1);
        expect(await tileOf(alice, name('bob')).getAttribute('data-role')).toBe('publisher');
        expect(await tileOf(carol, name('bob')).count()).toBe(1);
        expect(await alice.getByTestId('tile').count()).toBe(3);
      },
      { timeoutMs: 30_000, description: 'bob back as a publisher, once' },
    );
    ids['bob'] = (await myTile(bob).getAttribute('data-participant-id')) ?? '';
    await expectGrowing(
      () => framesDecodedFrom(alice, ids['bob']),
      "alice decodes bob's tile after his reload",
    );
    await eventually(
      async () => expect(await chatAuthors(bob)).toEqual([name('alice'), name('bob'), name('carol')]),
      { description: 'chat names after his reload' },
    );
    await browser.shot(bob, 'bob-back-as-publisher');
    await expectNoRawText();
  });

  it('bob opens the room in a second window: it takes his place (once, still a publisher) and the first window says so', async () => {
    const [alice, oldBob] = [pages['alice'], pages['bob']];
    const bob = (pages['bob'] = await signIn('bob', 'c1'));
    await joinByAddress(bob, address);
    await enterRoom(bob);
    await eventually(
      async () => {
        expect(await myTile(bob).getAttribute('data-role')).toBe('publisher');
        expect(await tileOf(alice, name('bob')).count()).toBe(1);
        expect(await alice.getByTestId('tile').count()).toBe(3);
        // The replaced window is out of the room and tells why, in our words.
        expect(await bannerCode(oldBob)).toBe('SESSION_REPLACED');
        expect(await oldBob.getByTestId('room-status').getAttribute('data-state')).toBe('over');
      },
      { timeoutMs: 30_000, description: "bob's second window in his place, the first one told" },
    );
    ids['bob'] = (await myTile(bob).getAttribute('data-participant-id')) ?? '';
    await expectGrowing(() => framesDecodedFrom(alice, ids['bob']), "alice decodes bob's new window");
    await browser.shot(oldBob, 'bob-first-window-replaced');
    pages['bob-replaced'] = oldBob;
    await expectNoRawText();
  });

  it('removing carol asks first: Cancel removes nobody; once removed, her chat line keeps her name', async () => {
    const [alice, bob, carol] = [pages['alice'], pages['bob'], pages['carol']];
    const carolOnAlice = tileOf(alice, name('carol'));
    await carolOnAlice.hover();
    await carolOnAlice.getByTestId('kick').click();
    await alice.getByTestId('confirm').waitFor();
    await browser.shot(alice, 'alice-confirm-remove');
    await alice.getByTestId('confirm-no').click();
    expect(await alice.getByTestId('confirm').count()).toBe(0);
    // Nothing happened: carol is still in, live, on every page (a kick would reach her within this poll).
    await expectGrowing(() => framesDecodedFrom(bob, ids['carol']), 'bob still decodes carol');
    expect(await bannerCode(carol)).toBeNull();
    expect(await myTile(carol).getAttribute('data-role')).toBe('publisher');
    expect(await carolOnAlice.count()).toBe(1);

    await carolOnAlice.hover();
    await carolOnAlice.getByTestId('kick').click();
    await alice.getByTestId('confirm-yes').click();
    await eventually(async () => expect(await bannerCode(carol)).toBe('room.kicked'), {
      timeoutMs: 15_000,
      description: 'carol told she was removed',
    });
    await eventually(
      async () => {
        expect(await tileOf(alice, name('carol')).count()).toBe(0);
        expect(await tileOf(bob, name('carol')).count()).toBe(0);
      },
      { description: 'carol gone' },
    );
    for (const page of [alice, bob]) {
      expect(await chatAuthors(page)).toEqual([name('alice'), name('bob'), name('carol')]);
      expect(await page.getByTestId('chat-list').textContent()).not.toContain('acc_');
    }
    await browser.shot(alice, 'alice-chat-after-kick');
    await browser.shot(carol, 'carol-removed');
    await expectNoRawText();
  });

  it('p2p: the callee has no "End for all" and an end forged on her socket is refused; the call goes on', async () => {
    const carol = pages['carol'];
    await carol.getByTestId('banner-home').click();
    await carol.getByTestId('screen-home').waitFor();
    const callAddress = await createConference(carol, { id: CALL_ID, type: 'p2p', allowed: ['bob'] });
    await carol.getByTestId('open-room').click();
    await enterRoom(carol);
    // Bob takes the call in a second window (his other page stays in the group room).
    const bobCall = (pages['bob-call'] = await signIn('bob', 'c1'));
    await conferenceKnownAt(url('c1'), platform.users['bob'], CALL_ID);
    await joinByAddress(bobCall, callAddress);
    await enterRoom(bobCall);
    await eventually(
      async () => {
        expect(await tileOf(carol, name('bob')).count()).toBe(1);
        expect(await tileOf(bobCall, name('carol')).count()).toBe(1);
      },
      { timeoutMs: 30_000, description: 'both in the call' },
    );
    const carolId = (await myTile(carol).getAttribute('data-participant-id')) ?? '';
    const bobId = (await myTile(bobCall).getAttribute('data-participant-id')) ?? '';
    await expectGrowing(() => framesDecodedFrom(bobCall, carolId), 'bob decodes carol');
    expect(await carol.getByTestId('end-room').count()).toBe(1);
    expect(await bobCall.getByTestId('end-room').count()).toBe(0);

    // Bob's page sends `end` on its own signaling socket anyway: CASH refuses it with a code.
    const sent = await bobCall.evaluate(() => {
      const open = (window as unknown as { __e2eSockets: WebSocket[] }).__e2eSockets.filter(
        (s) => s.readyState === WebSocket.OPEN,
      );
      for (const socket of open) socket.send(JSON.stringify({ type: 'end', id: 'forged-end' }));
      return open.length;
    });
    expect(sent).toBe(1);
    await eventually(
      async () =>
        expect((await hooks(bobCall)).errors).toContainEqual({ re: 'forged-end', code: 'NOT_CREATOR' }),
      { description: "CASH's refusal on bob's socket" },
    );
    // The call goes on for both.
    await expectGrowing(() => framesDecodedFrom(carol, bobId), 'carol still decodes bob');
    await expectGrowing(() => framesDecodedFrom(bobCall, carolId), 'bob still decodes carol');
    expect(await bannerCode(carol)).toBeNull();
    expect(await bannerCode(bobCall)).toBeNull();
    await browser.shot(bobCall, 'bob-callee-no-end');
    await expectNoRawText();

    await carol.getByTestId('end-room').click();
    await carol.getByTestId('confirm-yes').click();
    await eventually(async () => expect(await bannerCode(bobCall)).toBe('room.ended'), {
      timeoutMs: 15_000,
      description: 'bob told the call ended',
    });
    await bobCall.close();
  });

  it('"Try again" after a failed join; the retried publish fails once in the browser: our words only, then media flows', async () => {
    const [alice, bob] = [pages['alice'], pages['bob']];
    for (const page of [alice, bob]) {
      await page.getByTestId('leave').click();
      await page.getByTestId('confirm-yes').click();
      await page.getByTestId('screen-home').waitFor();
    }
    const retryAddress = await createConference(alice, { id: RETRY_ID, type: 'm2m', allowed: ['bob'] });
    // The network drops every join request of her page.
    let refused = 0;
    await alice.route('**/v1/join', (route) => {
      refused++;
      return route.abort('internetdisconnected');
    });
    await alice.getByTestId('open-room').click();
    await enterRoom(alice);
    const retry = alice.getByTestId('banner-retry');
    await retry.waitFor({ timeout: 30_000 });
    expect(refused).toBeGreaterThan(0);
    expect(await bannerCode(alice)).not.toBe('web.unexpected');
    await browser.shot(alice, 'alice-join-failed-try-again');

    // The network is back; the browser will refuse the media server's answer once.
    await alice.unroute('**/v1/join');
    await alice.evaluate(() => {
      (window as unknown as { __e2e: PageHooks }).__e2e.failNextAnswer = true;
    });
    await retry.click();
    await enterRoom(alice);
    await eventually(
      async () => {
        const seen = await hooks(alice);
        expect(seen.failedAnswers).toBe(1);
        expect(seen.codesSeen).toContain('sdk.media-failed');
      },
      { timeoutMs: 30_000, description: 'the failed answer told in our words' },
    );
    await browser.shot(alice, 'alice-media-problem-our-words');
    await eventually(
      async () => {
        expect(await myTile(alice).getAttribute('data-role')).toBe('publisher');
        expect(await alice.getByTestId('room-status').getAttribute('data-state')).toBe('live');
      },
      { timeoutMs: 30_000, description: 'alice in the room' },
    );
    ids['alice'] = (await myTile(alice).getAttribute('data-participant-id')) ?? '';

    // Her publish was tried again by itself: bob, joining, decodes her.
    await conferenceKnownAt(url('c2'), platform.users['bob'], RETRY_ID);
    await joinByAddress(bob, retryAddress);
    await enterRoom(bob);
    await expectGrowing(() => framesDecodedFrom(bob, ids['alice']), 'bob decodes alice after her retry');
    await browser.shot(bob, 'bob-decodes-alice-after-retry');
    await browser.shot(alice, 'alice-after-retry');
    await expectNoRawText();
  });
});
