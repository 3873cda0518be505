import { createSocket, type Socket } from 'node:dgram';
import { eventually } from '@hoot/testing';
import { startHarness, type Harness } from '../testing/packager-harness';
import { buildPli, parseRtcpTarget } from './keyframe-requester';

/** An answer shaped like kms-lite's / Kurento's RtpEndpoint answer to the packager's recvonly offer. */
const answer = (videoPort: number, extraVideo: string[] = [], session = 'c=IN IP4 127.0.0.1') =>
  [
    'v=0',
    'o=- 3000000001 3000000001 IN IP4 127.0.0.1',
    's=Kurento Media Server',
    session,
    't=0 0',
    `m=audio 40010 RTP/AVP 111`,
    'a=rtcp:40011',
    'a=rtpmap:111 opus/48000/2',
    'a=sendonly',
    'a=ssrc:111111 cname:abc',
    `m=video ${videoPort} RTP/AVP 96`,
    ...extraVideo,
    'a=rtpmap:96 H264/90000',
    'a=fmtp:96 packetization-mode=1',
    'a=sendonly',
    'a=ssrc:2864434397 cname:abc',
    '',
  ].join('\r\n');

/** Every RTCP packet of a compound one: [payload type, FMT/count, media SSRC of a feedback packet]. */
function rtcpPackets(buffer: Buffer): [number, number, number | undefined][] {
  const out: [number, number, number | undefined][] = [];
  let offset = 0;
  while (offset + 4 <= buffer.length) {
    expect(buffer[offset] >> 6).toBe(2); // version 2
    const length = (buffer.readUInt16BE(offset + 2) + 1) * 4;
    const type = buffer[offset + 1];
    out.push([type, buffer[offset] & 0x1f, type === 206 ? buffer.readUInt32BE(offset + 8) : undefined]);
    offset += length;
  }
  expect(offset).toBe(buffer.length);
  return out;
}

describe('parseRtcpTarget', () => {
  it('takes the video section’s a=rtcp port, its address, and the SSRC it sends', () => {
    expect(parseRtcpTarget(answer(40000, ['a=rtcp:40001']))).toEqual({
      address: '127.0.0.1',
      port: 40001,
      mediaSsrc: 2864434397,
    });
    expect(
      parseRtcpTarget(answer(40000, ['c=IN IP4 10.1.2.3', 'a=rtcp:40555 IN IP4 10.9.9.9'])),
    ).toMatchObject({
      address: '10.9.9.9',
      port: 40555,
    });
  });

  it('falls back to the RTP port + 1 and the session address; no video section or port 0 gives nothing', () => {
    expect(parseRtcpTarget(answer(40020, ['c=IN IP4 10.1.2.3']))).toMatchObject({
      address: '10.1.2.3',
      port: 40021,
    });
    expect(parseRtcpTarget(answer(40020))).toMatchObject({ address: '127.0.0.1', port: 40021 });
    expect(parseRtcpTarget(answer(0))).toBeUndefined();
    expect(parseRtcpTarget(answer(40020, [], 'c=IN IP4 0.0.0.0'))).toBeUndefined();
    expect(parseRtcpTarget('v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 4000 RTP/AVP 111\r\n')).toBeUndefined();
  });

  it('names media SSRC 0 when the answer announces none', () => {
    const noSsrc = answer(40000).replace('a=ssrc:2864434397 cname:abc\r\n', '');
    expect(parseRtcpTarget(noSsrc)?.mediaSsrc).toBe(0);
  });
});

describe('buildPli', () => {
  it('is an empty receiver report followed by a PSFB PLI naming both SSRCs', () => {
    const packet = buildPli(0x01020304, 0xaabbccdd);
    expect(rtcpPackets(packet)).toEqual([
      [201, 0, undefined],
      [206, 1, 0xaabbccdd],
    ]);
    expect(packet.readUInt32BE(4)).toBe(0x01020304);
    expect(packet.readUInt32BE(12)).toBe(0x01020304);
  });
});

describe('POST /v1/streams/{id}/rtp-answer', () => {
  let h: Harness;
  let rtcp: Socket;
  const received: Buffer[] = [];

  beforeAll(async () => {
    h = await startHarness({ keyframeRequestMs: 100 });
    rtcp = createSocket('udp4');
    rtcp.on('message', (packet) => received.push(packet));
    await new Promise<void>((resolve) => rtcp.bind(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    rtcp.close();
    await h.app.stop();
  });

  const start = async (kinds?: string[]) => {
    const res = await h.control('/v1/streams', {
      method: 'POST',
      body: JSON.stringify({
        conferenceId: 'standup',
        stage: 'dev',
        userId: 'alice',
        ...(kinds && { kinds }),
      }),
    });
    return ((await res.json()) as { streamId: string }).streamId;
  };
  const post = (streamId: string, body: unknown) =>
    h.control(`/v1/streams/${streamId}/rtp-answer`, { method: 'POST', body: JSON.stringify(body) });

  it('sends the RtpEndpoint’s RTCP port a PLI at once and then periodically, until the stream ends', async () => {
    const streamId = await start();
    const port = rtcp.address().port;
    const res = await post(streamId, { sdpAnswer: answer(port - 1) });
    expect(res.status).toBe(204);
    await eventually(() => expect(received.length).toBeGreaterThanOrEqual(3), {
      timeoutMs: 10_000,
      intervalMs: 50,
      description: 'three PLIs',
    });
    for (const packet of received) expect(rtcpPackets(packet).at(-1)).toEqual([206, 1, 2864434397]);
    const stream = h.app.registry.get(streamId);
    expect(stream?.keyframes?.running).toBe(true);
    expect((await h.control(`/v1/streams/${streamId}`, { method: 'DELETE' })).status).toBe(200);
    expect(stream?.keyframes?.running).toBe(false);
  });

  it('accepts an audio-only stream’s answer without asking for anything, and refuses a bad body with 400', async () => {
    const audio = await start(['audio']);
    expect((await post(audio, { sdpAnswer: answer(40000) })).status).toBe(204);
    expect(h.app.registry.get(audio)?.keyframes).toBeUndefined();
    const video = await start(['video']);
    for (const body of [
      {},
      { sdpAnswer: 'nope' },
      { sdpAnswer: answer(0) },
      { sdpAnswer: answer(4000), x: 1 },
    ]) {
      const res = await post(video, body);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ code: 'request.invalid' });
    }
    expect((await h.control(`/v1/streams/${video}/rtp-answer`)).status).toBe(405);
    expect((await post('no-such-stream', { sdpAnswer: answer(4000) })).status).toBe(404);
  });
});
