/**
 * p2m over LL-HLS and recording in the web app (issue 18; whole platform: CASH driving its CoreMX's
 * packager, kms-lite, Kafka; headless Chromium with a fake camera). Alice creates a p2m room and
 * broadcasts: her offer puts H.264 first. Bob (cloud 2's page) and carol join as viewers: neither makes a
 * single RTCPeerConnection, both tiles play her over LL-HLS (`data-hls="true"`) and decode frames. The
 * playlist answers 403 problem+json without a token and with a valid token of another conference or
 * stream. Alice records: everyone sees "Recording", the recording grows past two segments, she stops, the
 * conference's recordings list (the registry) has a complete VOD playlist, and bob plays it from the page.
 * Screenshots and console logs: .infra/test-artifacts/web/p2m-hls/.
 */
import { randomBytes } from 'node:crypto';
import { signViewerToken } from '@hoot/auth-kit';
import { eventually, mediaHealth } from '@hoot/testing';
import type { Page } from 'playwright-core';
import {
  WebBrowser,
  createConference,
  cspViolations,
  enterRoom,
  joinByAddress,
  myTile,
  peerConnections,
  tileOf,
  watchPeerConnections,
} from './support/browser';
import {
  fetchAsStranger,
  framesAbove,
  hlsAccesses,
  hlsFramesFrom,
  recordingFrames,
  videoCodecOrder,
  type HlsAccess,
} from './support/hls-page';
import { apiToken, startWebPlatform, type WebPlatform } from './support/web-platform';

const CONFERENCE_ID = `live-${randomBytes(3).toString('hex')}`;
/** Frames a video must have decoded to count as playing (a second and more of 30 fps video). */
const PLAYING = 45;

interface RecordingListBody {
  recordings: {
    recordingId: string;
    stoppedAt?: string;
    streams: { streamId: string; participantId: string; state: string; playbackUrl: string }[];
  }[];
}

describe('p2m over LL-HLS and recording in the web app (whole platform, headless Chromium)', () => {
  let platform: WebPlatform;
  let browser: WebBrowser;
  const pages: Record<string, Page> = {};
  let aliceId = '';
  let live: HlsAccess;

  const name = (username: string) => platform.users[username].displayName;

  beforeAll(async () => {
    platform = await startWebPlatform({ recording: true });
    browser = await WebBrowser.launch('p2m-hls');
  });

  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
  });

  it('alice broadcasts in a p2m room, asking for H.264 first', async () => {
    const alice = (pages['alice'] = await browser.signIn(
      platform.registries.c1.url,
      platform.users['alice'],
    ));
    await watchPeerConnections(alice);
    await createConference(alice, { id: CONFERENCE_ID, type: 'p2m', allowed: ['bob', 'carol'] });
    await alice.getByTestId('open-room').click();
    await enterRoom(alice);
    await eventually(async () => expect(await myTile(alice).getAttribute('data-role')).toBe('publisher'), {
      timeoutMs: 30_000,
      description: 'alice publishes',
    });
    aliceId = (await myTile(alice).getAttribute('data-participant-id')) ?? '';
    const [publish] = await eventually(
      async () => {
        const pcs = await peerConnections(alice);
        expect(pcs.filter((pc) => pc.localSdp.includes('m=video'))).toHaveLength(1);
        return pcs;
      },
      { timeoutMs: 30_000, description: "alice's publish offer" },
    );
    // Her browser offers H.264 before VP8/VP9 (what the packager remuxes without transcoding).
    expect(videoCodecOrder(publish.localSdp)[0]).toBe('H264');
    // The creator is offered recording.
    expect(await alice.getByTestId('record-toggle').textContent()).toBe('Record');
    expect(await alice.getByTestId('recording-indicator').isHidden()).toBe(true);
  });

  it('bob and carol, viewers, play her over LL-HLS: frames decoded, no RTCPeerConnection at all', async () => {
    const address = `hoot.mx://${CONFERENCE_ID}@${platform.mixers.c1}`;
    for (const [who, registry] of [
      ['bob', platform.registries.c2.url],
      ['carol', platform.registries.c1.url],
    ] as const) {
      const page = (pages[who] = await browser.signIn(registry, platform.users[who]));
      await watchPeerConnections(page);
      await joinByAddress(page, address);
      await enterRoom(page, { mic: false, camera: false });
    }
    for (const who of ['bob', 'carol']) {
      const page = pages[who];
      await eventually(
        async () => {
          expect(await myTile(page).getAttribute('data-role')).toBe('viewer');
          const tile = tileOf(page, name('alice'));
          expect(await tile.getAttribute('data-hls')).toBe('true');
          expect(await tile.locator('video[data-hls="true"]').count()).toBe(1);
        },
        { timeoutMs: 60_000, description: `${who} plays alice over HLS` },
      );
    }
    for (const who of ['bob', 'carol']) {
      // The page's own Content-Security-Policy must let it reach the packager (a block is named in the failure).
      const read = async () => {
        expect(await cspViolations(pages[who])).toEqual([]);
        return hlsFramesFrom(pages[who], aliceId);
      };
      await framesAbove(read, PLAYING, `${who} decodes alice over HLS`);
    }
    for (const who of ['bob', 'carol']) {
      expect(await peerConnections(pages[who])).toEqual([]);
      expect((await mediaHealth(pages[who])).links).toEqual([]);
    }
    const [access] = await hlsAccesses(pages['bob']);
    expect(access).toMatchObject({ publisherId: aliceId, playlistUrl: expect.stringContaining('token=') });
    live = access;
    for (const who of ['alice', 'bob', 'carol']) await browser.shot(pages[who], `${who}-live`);
  });

  it('the live playlist refuses anyone without a token for it: 403 problem+json', async () => {
    const url = new URL(live.playlistUrl);
    const packager = platform.packagers.find((p) => url.href.startsWith(p.url));
    expect(packager).toBeDefined();
    const exp = Math.floor(Date.now() / 1000) + 300;
    const withToken = (token: string | undefined) => {
      const other = new URL(url);
      if (token === undefined) other.searchParams.delete('token');
      else other.searchParams.set('token', token);
      return other.href;
    };
    // Valid signatures, for the wrong conference or the wrong stream.
    const otherConference = signViewerToken(packager!.viewerTokenKey, {
      conferenceId: `other-${CONFERENCE_ID}`,
      streamId: live.streamId,
      exp,
    });
    const otherStream = signViewerToken(packager!.viewerTokenKey, {
      conferenceId: CONFERENCE_ID,
      streamId: `${live.streamId}x`,
      exp,
    });
    for (const [token, code] of [
      [undefined, 'hls.token-missing'],
      [otherConference, 'hls.token-wrong-stream'],
      [otherStream, 'hls.token-wrong-stream'],
    ] as const) {
      expect(await fetchAsStranger(withToken(token))).toEqual({
        status: 403,
        type: expect.stringContaining('application/problem+json'),
        code,
      });
    }
    // The viewer's own token is let in (the refusals are about the token, not the URL).
    expect((await fetchAsStranger(live.playlistUrl)).status).toBe(200);
  });

  it('alice records: everyone sees it; stopped after two segments, the VOD recording plays on bob’s page', async () => {
    const { alice, bob, carol } = pages;
    await alice.getByTestId('record-toggle').click();
    await eventually(
      async () => {
        // A refusal would be a toast on alice's page: named in the failure.
        const refused = await alice
          .locator('[data-testid="toast"]')
          .evaluateAll((toasts) =>
            toasts.map((t) => t.getAttribute('data-code')).filter((code) => code !== 'recording-started'),
          );
        for (const page of [alice, bob, carol])
          expect({ on: await page.getByTestId('recording-indicator').isVisible(), refused }).toEqual({
            on: true,
            refused: [],
          });
        expect(await alice.getByTestId('record-toggle').getAttribute('data-recording')).toBe('true');
      },
      { timeoutMs: 30_000, description: 'Recording on every page' },
    );
    expect(await bob.getByTestId('record-toggle').count()).toBe(0);
    expect(await carol.getByTestId('record-toggle').count()).toBe(0);
    await browser.shot(bob, 'bob-sees-recording');

    const token = await apiToken(platform.registries.c1.url, 'alice', platform.users['alice'].password);
    const list = async (): Promise<RecordingListBody> => {
      const res = await fetch(`${platform.registries.c1.url}/v1/conferences/${CONFERENCE_ID}/recordings`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(res.status).toBe(200);
      return (await res.json()) as RecordingListBody;
    };
    const recorded = await eventually(
      async () => {
        const [recording] = (await list()).recordings;
        const stream = recording?.streams.find((s) => s.participantId === aliceId);
        expect(stream).toBeDefined();
        const playlist = await (await fetch(stream!.playbackUrl)).text();
        expect(playlist.match(/#EXTINF/g)?.length ?? 0).toBeGreaterThanOrEqual(2);
        return { recordingId: recording.recordingId, streamId: stream!.streamId };
      },
      { timeoutMs: 60_000, intervalMs: 1_000, description: 'two segments recorded' },
    );

    await alice.getByTestId('record-toggle').click();
    await eventually(
      async () => {
        for (const page of [alice, bob, carol])
          expect(await page.getByTestId('recording-indicator').isHidden()).toBe(true);
      },
      { timeoutMs: 30_000, description: 'Recording gone from every page' },
    );
    const vod = await eventually(
      async () => {
        const recording = (await list()).recordings.find((r) => r.recordingId === recorded.recordingId);
        expect(recording?.stoppedAt).toBeDefined();
        const stream = recording!.streams.find((s) => s.streamId === recorded.streamId);
        expect(stream?.state).toBe('complete');
        const playlist = await (await fetch(stream!.playbackUrl)).text();
        expect(playlist).toContain('#EXT-X-PLAYLIST-TYPE:VOD');
        expect(playlist).toContain('#EXT-X-ENDLIST');
        return stream!;
      },
      { timeoutMs: 60_000, intervalMs: 1_000, description: 'the recording complete as VOD' },
    );
    // Without the token the recording is refused like the live stream.
    const bare = new URL(vod.playbackUrl);
    bare.searchParams.delete('token');
    expect(await fetchAsStranger(bare.href)).toMatchObject({ status: 403, code: 'hls.token-missing' });

    // Bob, a viewer, lists the conference's recordings on his page and plays it.
    const play = bob.locator(`[data-testid="recording-play"][data-stream-id="${recorded.streamId}"]`);
    await eventually(
      async () => {
        await bob.getByTestId('recordings-refresh').click();
        expect(await play.getAttribute('data-state')).toBe('complete');
      },
      { timeoutMs: 30_000, description: "the recording in bob's list" },
    );
    await play.click();
    await framesAbove(() => recordingFrames(bob), PLAYING, 'bob plays the recording');
    expect(await cspViolations(bob)).toEqual([]);
    await browser.shot(bob, 'bob-plays-recording');
  });
});
