/**
 * The p2m media path of issue 18 through the media port against a real kms-lite process (werift
 * engine): a werift peer publishes Opus and H.264 to a WebRtcEndpoint, which is connected to an
 * RtpEndpoint whose remote SDP points at real UDP sockets here (a packager's). The RTP must arrive
 * there as plain RTP with the payload types of that SDP — and H.264 must also reach a WebRTC
 * subscriber unchanged (no transcoding).
 */
import { createSocket, type Socket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { eventually } from '@hoot/testing';
import { MediaStreamTrack, RTCPeerConnection, RtpHeader, RtpPacket, useH264, useOPUS, useVP8 } from 'werift';
import { KurentoMediaPort, type MediaEndpointRef } from '../src';
import { startKmsLite, type KmsLiteProcess } from '../src/testing';

let kms: KmsLiteProcess;
let port: KurentoMediaPort;
const peers: RTCPeerConnection[] = [];
const sockets: Socket[] = [];
const timers: ReturnType<typeof setInterval>[] = [];

beforeAll(async () => {
  kms = await startKmsLite({ engine: 'werift' });
  port = await KurentoMediaPort.connect({ url: kms.url });
});

afterAll(async () => {
  timers.forEach(clearInterval);
  await Promise.all(peers.map((peer) => peer.close()));
  sockets.forEach((socket) => socket.close());
  await port?.close();
  await kms?.stop();
});

/** A UDP socket on loopback that keeps what it receives. */
async function receiver(): Promise<{ port: number; packets: Buffer[] }> {
  const socket = createSocket('udp4');
  sockets.push(socket);
  const packets: Buffer[] = [];
  socket.on('message', (packet) => packets.push(packet));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { port: (socket.address() as AddressInfo).port, packets };
}

/** Trickles ICE both ways between a werift peer and an endpoint, and negotiates with the peer's offer. */
async function negotiate(peer: RTCPeerConnection, endpoint: MediaEndpointRef): Promise<string> {
  port.onIceCandidate(endpoint, (candidate) => void peer.addIceCandidate(candidate));
  peer.onIceCandidate.subscribe((candidate) => {
    const json = candidate?.toJSON();
    if (!json?.candidate) return;
    void port.addIceCandidate(endpoint, {
      candidate: json.candidate,
      sdpMid: json.sdpMid ?? '0',
      sdpMLineIndex: json.sdpMLineIndex ?? 0,
    });
  });
  await peer.setLocalDescription(await peer.createOffer());
  const answer = await port.processOffer(endpoint, peer.localDescription!.sdp);
  await peer.setRemoteDescription({ type: 'answer', sdp: answer });
  await port.gatherCandidates(endpoint);
  return answer;
}

/** A publisher sending Opus and H.264 (a keyframe's NAL header, 42e01f, packetization-mode=1). */
async function h264Publisher(endpoint: MediaEndpointRef): Promise<void> {
  const peer = new RTCPeerConnection({ codecs: { audio: [useOPUS()], video: [useH264()] } });
  peers.push(peer);
  const audio = new MediaStreamTrack({ kind: 'audio' });
  const video = new MediaStreamTrack({ kind: 'video' });
  peer.addTransceiver(audio, { direction: 'sendonly' });
  peer.addTransceiver(video, { direction: 'sendonly' });
  const answer = await negotiate(peer, endpoint);
  expect(answer).toMatch(/a=rtpmap:\d+ H264\/90000/i);
  let seq = 1;
  timers.push(
    setInterval(() => {
      seq += 1;
      audio.writeRtp(
        new RtpPacket(
          new RtpHeader({ payloadType: 111, sequenceNumber: seq, timestamp: seq * 960, marker: true }),
          Buffer.alloc(40, 1),
        ),
      );
      video.writeRtp(
        new RtpPacket(
          new RtpHeader({ payloadType: 102, sequenceNumber: seq, timestamp: seq * 3000, marker: true }),
          Buffer.concat([Buffer.from([0x65, 0x88, 0x84]), Buffer.alloc(200, 7)]),
        ),
      );
    }, 20),
  );
}

describe('RtpEndpoint: a publisher’s WebRTC media leaves kms-lite as plain RTP', () => {
  it('sends the H.264 and Opus of a connected publisher to the ports of the packager’s SDP with its payload types', async () => {
    const pipeline = await port.createPipeline('p2m-room');
    const publisher = await port.createEndpoint(pipeline, { kind: 'publish' });
    const rtp = await port.createRtpEndpoint(pipeline);
    const audioIn = await receiver();
    const videoIn = await receiver();
    const offer = [
      'v=0',
      'o=- 0 0 IN IP4 127.0.0.1',
      's=packager',
      'c=IN IP4 127.0.0.1',
      't=0 0',
      `m=audio ${audioIn.port} RTP/AVP 97`,
      'a=rtpmap:97 opus/48000/2',
      'a=recvonly',
      `m=video ${videoIn.port} RTP/AVP 100`,
      'a=rtpmap:100 H264/90000',
      'a=fmtp:100 packetization-mode=1;profile-level-id=42e01f',
      'a=recvonly',
      '',
    ].join('\r\n');
    const answer = await port.processRtpOffer(rtp, offer);
    expect(answer).toMatch(/^m=audio \d+ RTP\/AVP 97$/m);
    expect(answer).toMatch(/^m=video \d+ RTP\/AVP 100$/m);
    expect(answer).not.toMatch(/ice-ufrag|fingerprint/);
    const videoSsrc = Number(/m=video[\s\S]*?a=ssrc:(\d+)/.exec(answer)![1]);
    await port.connectRtp(publisher, rtp);
    await h264Publisher(publisher);

    await eventually(
      () => {
        expect(videoIn.packets.length).toBeGreaterThan(5);
        expect(audioIn.packets.length).toBeGreaterThan(5);
      },
      { timeoutMs: 30_000, description: 'plain RTP at the packager’s sockets' },
    );
    const video = videoIn.packets[videoIn.packets.length - 1];
    expect(video[0] >> 6).toBe(2); // RTP version 2, plain (not SRTP-wrapped in anything)
    expect(video[1] & 0x7f).toBe(100);
    expect(video.readUInt32BE(8)).toBe(videoSsrc);
    expect(video[12]).toBe(0x65); // the publisher's H.264 NAL unit, untouched
    expect(audioIn.packets.every((p) => (p[1] & 0x7f) === 97)).toBe(true);
    await port.release(rtp);
    await port.release(pipeline);
  });

  it('forwards H.264 unchanged to a WebRTC subscriber that offered VP8 and H.264', async () => {
    const pipeline = await port.createPipeline('h264-room');
    const publisher = await port.createEndpoint(pipeline, { kind: 'publish' });
    const subscriber = await port.createEndpoint(pipeline, { kind: 'subscribe' });
    await port.connect(publisher, subscriber);
    const viewer = new RTCPeerConnection({ codecs: { audio: [useOPUS()], video: [useVP8(), useH264()] } });
    peers.push(viewer);
    viewer.addTransceiver('audio', { direction: 'recvonly' });
    const videoTransceiver = viewer.addTransceiver('video', { direction: 'recvonly' });
    const received: RtpPacket[] = [];
    videoTransceiver.onTrack.subscribe((track) =>
      track.onReceiveRtp.subscribe((packet) => received.push(packet)),
    );
    const answer = await negotiate(viewer, subscriber);
    const h264Pt = Number(/a=rtpmap:(\d+) H264\/90000/i.exec(answer)![1]);
    await h264Publisher(publisher);
    await eventually(() => expect(received.length).toBeGreaterThan(5), {
      timeoutMs: 30_000,
      description: 'H.264 at the WebRTC subscriber',
    });
    const packet = received[received.length - 1];
    expect(packet.header.payloadType).toBe(h264Pt);
    expect(packet.payload[0]).toBe(0x65);
    await port.release(pipeline);
  });
});
