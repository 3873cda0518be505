/**
 * Recording an m2m room from the web app (issue 18; whole platform: CASH, kms-lite, the packager with a
 * recording folder, Kafka; headless Chromium with a fake camera). A group room's streams go to the packager
 * only while recorded, as recording-only streams; the packager copies H.264 and kms-lite never transcodes, so
 * the page's publisher must offer H.264 first in m2m too, or its recording would have no video. Alice
 * records her m2m room (bob watching over WebRTC, as in any group room), stops after two segments, and plays
 * the recording from her page: video frames decoded. Screenshots: .infra/test-artifacts/web/m2m-recording/.
 */
import { randomBytes } from 'node:crypto';
import { eventually } from '@hoot/testing';
import type { Page } from 'playwright-core';
import {
  WebBrowser,
  createConference,
  cspViolations,
  enterRoom,
  expectGrowing,
  framesDecodedFrom,
  joinByAddress,
  myTile,
  peerConnections,
  tileOf,
  watchPeerConnections,
} from './support/browser';
import { framesAbove, recordingFrames, videoCodecOrder } from './support/hls-page';
import { apiToken, startWebPlatform, type WebPlatform } from './support/web-platform';

const CONFERENCE_ID = `rec-${randomBytes(3).toString('hex')}`;
/** Frames a video must have decoded to count as playing (a second and more of 30 fps video). */
const PLAYING = 45;

interface RecordingListBody {
  recordings: {
    recordingId: string;
    stoppedAt?: string;
    streams: {
      streamId: string;
      participantId: string;
      stream: string;
      state: string;
      playbackUrl: string;
    }[];
  }[];
}

describe('recording an m2m room in the web app (whole platform, headless Chromium)', () => {
  let platform: WebPlatform;
  let browser: WebBrowser;
  const pages: Record<string, Page> = {};
  let aliceId = '';

  beforeAll(async () => {
    platform = await startWebPlatform({ recording: true });
    browser = await WebBrowser.launch('m2m-recording');
  });

  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
  });

  it('alice publishes in an m2m room offering H.264 first; bob watches her over WebRTC', async () => {
    const alice = (pages['alice'] = await browser.signIn(
      platform.registries.c1.url,
      platform.users['alice'],
    ));
    await watchPeerConnections(alice);
    await createConference(alice, { id: CONFERENCE_ID, type: 'm2m', allowed: ['bob'] });
    await alice.getByTestId('open-room').click();
    await enterRoom(alice);
    const [publish] = await eventually(
      async () => {
        const pcs = await peerConnections(alice);
        expect(pcs.filter((pc) => pc.localSdp.includes('m=video'))).toHaveLength(1);
        return pcs;
      },
      { timeoutMs: 30_000, description: "alice's publish offer" },
    );
    expect(videoCodecOrder(publish.localSdp)[0]).toBe('H264');
    aliceId = (await myTile(alice).getAttribute('data-participant-id')) ?? '';

    const bob = (pages['bob'] = await browser.signIn(platform.registries.c2.url, platform.users['bob']));
    await watchPeerConnections(bob);
    await joinByAddress(bob, `hoot.mx://${CONFERENCE_ID}@${platform.mixers.c1}`);
    await enterRoom(bob, { mic: false, camera: false });
    // A group room is no broadcast: bob receives alice's H.264 over WebRTC (kms-lite forwards it as sent).
    await eventually(
      async () => expect(await tileOf(bob, platform.users['alice'].displayName).count()).toBe(1),
      { timeoutMs: 60_000, description: "alice's tile on bob's page" },
    );
    await expectGrowing(() => framesDecodedFrom(bob, aliceId), "bob decodes alice's tile over WebRTC");
    expect(await tileOf(bob, platform.users['alice'].displayName).getAttribute('data-hls')).not.toBe('true');
    expect((await peerConnections(bob)).length).toBeGreaterThan(0);
  });

  it('alice records two segments of her camera, stops, and plays the recording: video frames decoded', async () => {
    const { alice } = pages;
    await alice.getByTestId('record-toggle').click();
    const token = await apiToken(platform.registries.c1.url, 'alice', platform.users['alice'].password);
    const list = async (): Promise<RecordingListBody> => {
      const res = await fetch(`${platform.registries.c1.url}/v1/conferences/${CONFERENCE_ID}/recordings`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(res.status).toBe(200);
      return (await res.json()) as RecordingListBody;
    };
    // Segments start at keyframes: a camera whose video never reached the packager records none.
    const recorded = await eventually(
      async () => {
        const [recording] = (await list()).recordings;
        const stream = recording?.streams.find((s) => s.participantId === aliceId && s.stream === 'camera');
        expect(stream).toBeDefined();
        const playlist = await (await fetch(stream!.playbackUrl)).text();
        expect(playlist.match(/#EXTINF/g)?.length ?? 0).toBeGreaterThanOrEqual(2);
        return { recordingId: recording.recordingId, streamId: stream!.streamId };
      },
      { timeoutMs: 60_000, intervalMs: 1_000, description: "two segments of alice's camera recorded" },
    );
    await alice.getByTestId('record-toggle').click();
    await eventually(
      async () => {
        const recording = (await list()).recordings.find((r) => r.recordingId === recorded.recordingId);
        expect(recording?.stoppedAt).toBeDefined();
        const stream = recording!.streams.find((s) => s.streamId === recorded.streamId);
        expect(stream?.state).toBe('complete');
        const playlist = await (await fetch(stream!.playbackUrl)).text();
        expect(playlist).toContain('#EXT-X-ENDLIST');
      },
      { timeoutMs: 60_000, intervalMs: 1_000, description: 'the recording complete as VOD' },
    );

    const play = alice.locator(`[data-testid="recording-play"][data-stream-id="${recorded.streamId}"]`);
    await eventually(
      async () => {
        await alice.getByTestId('recordings-refresh').click();
        expect(await play.getAttribute('data-state')).toBe('complete');
      },
      { timeoutMs: 30_000, description: "the recording in alice's list" },
    );
    await play.click();
    await framesAbove(() => recordingFrames(alice), PLAYING, 'alice plays the recording');
    expect(await cspViolations(alice)).toEqual([]);
    await browser.shot(alice, 'alice-plays-recording');
  });
});
