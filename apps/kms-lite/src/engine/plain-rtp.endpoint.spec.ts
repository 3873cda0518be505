import { KurentoError } from '../protocol/kurento-error';
import type { MediaKind, RtpCodecInfo, RtpEndpointOptions } from './media-engine';
import { asksForKeyframe, PlainRtpEndpoint } from './plain-rtp.endpoint';
import type { RtpSocket, RtpSocketFactory, RtpSocketHandlers, RtpTarget } from './rtp-socket';
import { PassThroughElement } from './forwarding-element';

/** Sockets that record what is sent and let a test play the peer. */
class RecordingSockets implements RtpSocketFactory {
  readonly sent: { port: number; packet: Buffer; target: RtpTarget }[] = [];
  readonly handlers: RtpSocketHandlers[] = [];
  closed = 0;
  private next = 50000;

  async open(handlers: RtpSocketHandlers): Promise<RtpSocket> {
    const port = this.next;
    this.next += 2;
    this.handlers.push(handlers);
    return {
      port,
      send: (packet, target) => this.sent.push({ port, packet, target }),
      close: async () => {
        this.closed += 1;
      },
    };
  }
}

/** What a packager (ffmpeg-style) offers: it receives H.264 and Opus on its own ports. */
const PACKAGER_OFFER = [
  'v=0',
  'o=- 0 0 IN IP4 127.0.0.1',
  's=packager',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'm=audio 47000 RTP/AVP 111',
  'a=rtpmap:111 opus/48000/2',
  'a=recvonly',
  'm=video 47002 RTP/AVP 100',
  'a=rtpmap:100 H264/90000',
  'a=fmtp:100 packetization-mode=1;profile-level-id=42e01f',
  'a=recvonly',
].join('\r\n');

const H264: RtpCodecInfo = {
  mimeType: 'video/h264',
  clockRate: 90000,
  parameters: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f',
};
const VP8: RtpCodecInfo = { mimeType: 'video/vp8', clockRate: 90000, parameters: '' };
const OPUS: RtpCodecInfo = { mimeType: 'audio/opus', clockRate: 48000, channels: 2, parameters: '' };

function rtp(options: { pt: number; seq: number; ssrc: number; extension?: boolean }): Buffer {
  const extension = options.extension
    ? Buffer.from([0xbe, 0xde, 0x00, 0x01, 0x10, 0xaa, 0x00, 0x00])
    : Buffer.alloc(0);
  const header = Buffer.alloc(12);
  header[0] = 0x80 | (options.extension ? 0x10 : 0);
  header[1] = 0x80 | options.pt;
  header.writeUInt16BE(options.seq, 2);
  header.writeUInt32BE(1234, 4);
  header.writeUInt32BE(options.ssrc, 8);
  return Buffer.concat([header, extension, Buffer.from('payload')]);
}

describe('PlainRtpEndpoint (kms-lite RtpEndpoint)', () => {
  let sockets: RecordingSockets;
  let flows: string[];
  let states: string[];
  let endpoint: PlainRtpEndpoint;

  beforeEach(() => {
    sockets = new RecordingSockets();
    flows = [];
    states = [];
    const signals: RtpEndpointOptions['signals'] = {
      mediaFlowIn: (kind: MediaKind, flowing) => flows.push(`in:${kind}:${flowing}`),
      mediaFlowOut: (kind: MediaKind, flowing) => flows.push(`out:${kind}:${flowing}`),
      connectionState: (state) => states.push(`connection:${state}`),
      mediaState: (state) => states.push(`media:${state}`),
    };
    endpoint = new PlainRtpEndpoint({ id: 'rtp', signals }, { sockets, address: '10.1.2.3' });
  });

  afterEach(() => endpoint.close());

  it('answers a packager offer with plain RTP/AVP on its own ports, sending only, with the offered payload types', async () => {
    const answer = await endpoint.processOffer(PACKAGER_OFFER);
    expect(answer).toMatch(/^v=0\r\n/);
    expect(answer).toContain('c=IN IP4 10.1.2.3');
    expect(answer).toContain('m=audio 50000 RTP/AVP 111\r\na=rtcp:50001\r\na=rtpmap:111 opus/48000/2');
    expect(answer).toContain('m=video 50002 RTP/AVP 100\r\na=rtcp:50003\r\na=rtpmap:100 H264/90000');
    expect(answer).toContain('a=fmtp:100 packetization-mode=1;profile-level-id=42e01f');
    expect(answer.match(/^a=sendonly$/gm)).toHaveLength(2);
    expect(answer).toMatch(/^a=ssrc:\d+ cname:\w+$/m);
    expect(answer).not.toMatch(/ice-|fingerprint|setup:|rtcp-fb/);
    expect(endpoint.negotiatedKinds()).toEqual({ recv: [], send: ['audio', 'video'] });
    expect(states).toEqual(['connection:CONNECTED', 'media:CONNECTED']);
  });

  it('sends media of a connected source to the address and port of the remote SDP, rewritten to the negotiated payload type and its SSRC, without header extensions', async () => {
    const answer = await endpoint.processOffer(PACKAGER_OFFER);
    const ourVideoSsrc = Number(/m=video[\s\S]*a=ssrc:(\d+)/.exec(answer)![1]);
    const source = new PassThroughElement('publisher');
    source.linkTo(endpoint, ['audio', 'video']);
    const original = rtp({ pt: 106, seq: 7, ssrc: 42, extension: true });
    source.deliver('video', original, H264);
    source.deliver('audio', rtp({ pt: 111, seq: 9, ssrc: 43 }), OPUS);

    expect(sockets.sent.map((s) => [s.port, s.target])).toEqual([
      [50002, { address: '127.0.0.1', port: 47002 }],
      [50000, { address: '127.0.0.1', port: 47000 }],
    ]);
    const video = sockets.sent[0].packet;
    expect(video[1]).toBe(0x80 | 100);
    expect(video.readUInt32BE(8)).toBe(ourVideoSsrc);
    expect(video.readUInt16BE(2)).toBe(7);
    expect(video[0] & 0x10).toBe(0);
    expect(video.subarray(12).toString()).toBe('payload');
    expect(original[1]).toBe(0x80 | 106); // the source's packet (shared with other sinks) is untouched
    expect(flows).toEqual(['out:video:true', 'out:audio:true']);
    expect(endpoint.rtpStats()).toEqual(
      expect.arrayContaining([expect.objectContaining({ direction: 'out', kind: 'video', packets: 1 })]),
    );
  });

  it('drops a codec the peer did not negotiate instead of mislabelling it (no transcoding)', async () => {
    await endpoint.processOffer(PACKAGER_OFFER);
    endpoint.deliver('video', rtp({ pt: 96, seq: 1, ssrc: 42 }), VP8);
    expect(sockets.sent).toEqual([]);
  });

  it('keeps sequence numbers continuous when the source changes', async () => {
    await endpoint.processOffer(PACKAGER_OFFER);
    endpoint.deliver('video', rtp({ pt: 106, seq: 100, ssrc: 1 }), H264);
    endpoint.deliver('video', rtp({ pt: 106, seq: 101, ssrc: 1 }), H264);
    endpoint.deliver('video', rtp({ pt: 106, seq: 5000, ssrc: 2 }), H264);
    endpoint.deliver('video', rtp({ pt: 106, seq: 5001, ssrc: 2 }), H264);
    expect(sockets.sent.map((s) => s.packet.readUInt16BE(2))).toEqual([100, 101, 102, 103]);
  });

  it('relays a PLI from the peer to its sources as a keyframe request', async () => {
    await endpoint.processOffer(PACKAGER_OFFER);
    const source = new PassThroughElement('publisher');
    const asked = jest.spyOn(source, 'requestKeyframe');
    source.linkTo(endpoint, ['video']);
    asked.mockClear();
    const pli = Buffer.from([0x81, 206, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 2]);
    sockets.handlers[1].rtcp(pli);
    expect(asked).toHaveBeenCalledTimes(1);
  });

  it('rejects sections it cannot carry with port 0 and fails an offer with none it can (40205)', async () => {
    const offer = PACKAGER_OFFER.replace('m=audio 47000 RTP/AVP 111', 'm=audio 47000 RTP/AVP 0').replace(
      'a=rtpmap:111 opus/48000/2',
      'a=rtpmap:0 PCMU/8000',
    );
    const answer = await endpoint.processOffer(offer);
    expect(answer).toContain('m=audio 0 RTP/AVP 0');
    expect(endpoint.negotiatedKinds().send).toEqual(['video']);

    const other = new PlainRtpEndpoint(
      {
        id: 'rtp2',
        signals: {
          mediaFlowIn: jest.fn(),
          mediaFlowOut: jest.fn(),
          connectionState: jest.fn(),
          mediaState: jest.fn(),
        },
      },
      { sockets, address: '10.1.2.3' },
    );
    const h264Mode0 = PACKAGER_OFFER.replace('packetization-mode=1', 'packetization-mode=0').replace(
      'RTP/AVP 111',
      'RTP/SAVPF 111',
    );
    await expect(other.processOffer(h264Mode0)).rejects.toMatchObject({ code: 40205 });
  });

  it('generates an offer (Opus; VP8 then H.264) and sends to the answerer once its answer is processed', async () => {
    const offer = await endpoint.generateOffer({ audio: true, video: true });
    expect(offer).toContain('m=audio 50000 RTP/AVPF 96');
    expect(offer).toContain('m=video 50002 RTP/AVPF 96 97');
    expect(offer).toContain(
      'a=fmtp:97 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f',
    );
    await expect(endpoint.generateOffer({ audio: true, video: true })).rejects.toMatchObject({ code: 40208 });
    const answer = [
      'v=0',
      'o=- 1 1 IN IP4 192.0.2.9',
      's=-',
      't=0 0',
      'm=audio 0 RTP/AVPF 96',
      'c=IN IP4 192.0.2.9',
      'm=video 6000 RTP/AVPF 97',
      'c=IN IP4 192.0.2.9',
      'a=recvonly',
    ].join('\r\n');
    const local = await endpoint.processAnswer(answer);
    expect(local).toContain('m=audio 0 RTP/AVPF');
    expect(local).toContain('m=video 50002 RTP/AVPF 97');
    expect(sockets.closed).toBe(1);
    endpoint.deliver('video', rtp({ pt: 106, seq: 1, ssrc: 42 }), H264);
    expect(sockets.sent.map((s) => [s.target, s.packet[1] & 0x7f])).toEqual([
      [{ address: '192.0.2.9', port: 6000 }, 97],
    ]);
    await expect(endpoint.processAnswer(answer)).rejects.toMatchObject({ code: 40210 });
  });

  it("answers Kurento's SDP errors: answer without offer (40209), offer after negotiation (40208), unparsable (40201)", async () => {
    await expect(endpoint.processAnswer(PACKAGER_OFFER)).rejects.toMatchObject({ code: 40209 });
    await expect(endpoint.processOffer('hello')).rejects.toBeInstanceOf(KurentoError);
    await expect(endpoint.processOffer('hello')).rejects.toMatchObject({ code: 40201 });
    await endpoint.processOffer(PACKAGER_OFFER);
    await expect(endpoint.processOffer(PACKAGER_OFFER)).rejects.toMatchObject({ code: 40208 });
  });

  it('forwards RTP from the peer to its sinks with the codec of its payload type', async () => {
    await endpoint.processOffer(PACKAGER_OFFER.replace(/a=recvonly/g, 'a=sendrecv'));
    const sink = new PassThroughElement('sink');
    const delivered = jest.spyOn(sink, 'deliver');
    endpoint.linkTo(sink, ['video']);
    sockets.handlers[1].rtp(rtp({ pt: 100, seq: 3, ssrc: 9 }));
    expect(delivered).toHaveBeenCalledWith(
      'video',
      expect.any(Buffer),
      expect.objectContaining({ mimeType: 'video/h264' }),
    );
    expect(flows).toEqual(['in:video:true']);
  });
});

describe('asksForKeyframe', () => {
  it('finds a PLI or FIR in a compound RTCP packet, and nothing in a receiver report', () => {
    const rr = Buffer.from([0x80, 201, 0x00, 0x01, 0, 0, 0, 1]);
    const pli = Buffer.from([0x81, 206, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 2]);
    const fir = Buffer.from([0x84, 206, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 2]);
    expect(asksForKeyframe(rr)).toBe(false);
    expect(asksForKeyframe(Buffer.concat([rr, pli]))).toBe(true);
    expect(asksForKeyframe(fir)).toBe(true);
  });
});
