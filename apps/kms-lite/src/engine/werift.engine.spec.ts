import { RTCPeerConnection, useVP8 } from 'werift';
import type { EndpointSignals, EngineEndpoint } from './media-engine';
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
