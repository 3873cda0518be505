import { RTCPeerConnection, useVP8 } from 'werift';
import type { EndpointSignals, EngineEndpoint } from './media-engine';
import { CHROMIUM_OFFERS } from './testing/chromium-offers';
import { unusableCandidate, WeriftEngine } from './werift.engine';

const HOST = 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host generation 0';
const MDNS = 'candidate:2 1 udp 2122260223 4f1c7d0e-3b1a-4a51-9d9e-2b8f1f0c3a11.local 50002 typ host';

describe('unusableCandidate', () => {
  it.each([
    [MDNS, true],
    [MDNS.replace('.local', '.LOCAL.'), true],
    ['', true],
    ['   ', true],
    [HOST, false],
    ['candidate:3 1 udp 1686052607 203.0.113.7 61000 typ srflx raddr 10.0.0.2 rport 50000', false],
    ['candidate:4 1 tcp 1518280447 192.168.1.4 9 typ host tcptype active', false],
  ])('%s → %s', (candidate, unusable) => {
    expect(unusableCandidate(candidate)).toBe(unusable);
  });
});

describe('WeriftEndpoint', () => {
  const engine = new WeriftEngine({ minPort: 41000, maxPort: 41100 });
  const events: string[] = [];
  const signals: EndpointSignals = {
    iceCandidate: () => events.push('candidate'),
    iceGatheringDone: () => events.push('gathering-done'),
    iceComponentState: (state) => events.push(`ice:${state}`),
    candidatePairSelected: (pair) => events.push(`pair:${pair.localCandidate}|${pair.remoteCandidate}`),
    connectionState: (state) => events.push(`connection:${state}`),
    mediaFlowIn: () => undefined,
    mediaFlowOut: () => undefined,
    mediaState: () => undefined,
    error: () => undefined,
  };
  let browser: RTCPeerConnection;
  let endpoint: EngineEndpoint;

  beforeEach(async () => {
    events.length = 0;
    browser = new RTCPeerConnection({ codecs: { video: [useVP8()] } });
    browser.addTransceiver('video', { direction: 'sendonly' });
    const offer = await browser.createOffer();
    await browser.setLocalDescription(offer);
    endpoint = engine.createWebRtcEndpoint({ id: 'ep', direction: 'recvonly', signals });
    await endpoint.processOffer(browser.localDescription!.sdp);
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    await endpoint.close();
    await browser.close();
  });

  afterAll(() => engine.close());

  it('reports no connection, pair or READY while only the offer was processed', () => {
    expect(events.filter((e) => /^(ice:(CONNECTED|READY)|pair:|connection:)/.test(e))).toEqual([]);
  });

  it('answers addIceCandidate at once: an mDNS candidate is never handed to ICE, a slow one never waited for', async () => {
    const add = jest
      .spyOn(RTCPeerConnection.prototype, 'addIceCandidate')
      .mockImplementation(() => new Promise<void>(() => undefined));
    await endpoint.addIceCandidate({ candidate: MDNS, sdpMid: '0', sdpMLineIndex: 0 });
    expect(add).not.toHaveBeenCalled();
    // werift never settles this one: the call still answers, and the next candidate is not stuck behind it.
    await endpoint.addIceCandidate({ candidate: HOST, sdpMid: '0', sdpMLineIndex: 0 });
    await endpoint.addIceCandidate({
      candidate: HOST.replace('50000', '50001'),
      sdpMid: '0',
      sdpMLineIndex: 0,
    });
    expect(add.mock.calls.length).toBeGreaterThanOrEqual(1);
  });

  it('counts nothing before media arrives (getStats of an idle endpoint is empty)', () => {
    expect(endpoint.rtpStats()).toEqual([]);
  });
});

describe('WeriftEndpoint codec negotiation with Chromium offers', () => {
  const engine = new WeriftEngine({ minPort: 41101, maxPort: 41200 });
  const signals: EndpointSignals = {
    iceCandidate: () => undefined,
    iceGatheringDone: () => undefined,
    iceComponentState: () => undefined,
    candidatePairSelected: () => undefined,
    connectionState: () => undefined,
    mediaFlowIn: () => undefined,
    mediaFlowOut: () => undefined,
    mediaState: () => undefined,
    error: () => undefined,
  };
  const endpoints: EngineEndpoint[] = [];

  async function answer(offer: string): Promise<{ sdp: string; video: string[]; audio: string[] }> {
    const endpoint = engine.createWebRtcEndpoint({
      id: `ep${endpoints.length}`,
      direction: 'recvonly',
      signals,
    });
    endpoints.push(endpoint);
    const sdp = await endpoint.processOffer(offer);
    const formats = (kind: string) =>
      new RegExp(`^m=${kind} \\d+ \\S+ (.*)$`, 'm').exec(sdp)?.[1].split(' ') ?? [];
    return { sdp, video: formats('video'), audio: formats('audio') };
  }

  afterAll(async () => {
    await Promise.all(endpoints.map((e) => e.close()));
    await engine.close();
  });

  it('answers an H.264-only offer with H.264 packetization-mode=1 in the Baseline profiles only', async () => {
    const { sdp, video, audio } = await answer(CHROMIUM_OFFERS.h264Only);
    expect(video).toEqual(['102', '106']);
    expect(sdp).toContain('a=rtpmap:106 H264/90000');
    expect(sdp).toContain(
      'a=fmtp:106 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f',
    );
    expect(sdp).not.toMatch(/packetization-mode=0|profile-level-id=4d|profile-level-id=64/);
    expect(sdp).toMatch(/^m=video [1-9]\d* /m);
    expect(sdp).toMatch(/^a=recvonly$/m);
    expect(audio).toEqual(['111']);
  });

  it('answers a VP8 + H.264 offer with both, VP8 first as offered, and neither VP9, AV1 nor the other H.264 formats', async () => {
    const { video } = await answer(CHROMIUM_OFFERS.vp8AndH264);
    expect(video).toEqual(['96', '102', '106']);
  });

  it('answers a VP8-only offer with VP8 alone, as before', async () => {
    const { sdp, video } = await answer(CHROMIUM_OFFERS.vp8Only);
    expect(video).toEqual(['96']);
    expect(sdp).not.toContain('H264');
  });
});
