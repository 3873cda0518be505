import { MediaError, MediaErrorCode } from '../lib/media-error.exception';
import type { MediaIceCandidate } from '../lib/media.port';
import { FakeMediaPort } from './fake-media.port';

const OFFER = [
  'v=0',
  'o=- 1 1 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111 0',
  'a=mid:a0',
  'a=sendrecv',
  'm=video 9 UDP/TLS/RTP/SAVPF 96',
  'a=mid:v1',
  'a=sendonly',
  '',
].join('\r\n');

async function room(port = new FakeMediaPort()) {
  const pipeline = await port.createPipeline('standup');
  const publisher = await port.createEndpoint(pipeline, { kind: 'publish' });
  const subscriber = await port.createEndpoint(pipeline, { kind: 'subscribe', audioOnly: true });
  return { port, pipeline, publisher, subscriber };
}

describe('FakeMediaPort', () => {
  it('answers each offered section with its first format and the mirrored direction', async () => {
    const { port, publisher } = await room();
    const answer = await port.processOffer(publisher, OFFER);
    expect(answer).toContain('m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n');
    expect(answer).toContain('m=video 9 UDP/TLS/RTP/SAVPF 96\r\n');
    expect(answer.match(/^a=\w+only$/gm)).toEqual(['a=recvonly', 'a=recvonly']);
    expect(port.endpointState(publisher)).toMatchObject({ offer: OFFER, answer });
    await expect(port.processOffer(publisher, OFFER)).rejects.toMatchObject({
      code: MediaErrorCode.SdpRejected,
      kurentoCode: 40208,
    });
  });

  it('gathers one candidate per section, after the offer only, and records the participant’s', async () => {
    const { port, publisher } = await room();
    await expect(port.gatherCandidates(publisher)).rejects.toMatchObject({
      code: MediaErrorCode.ServerError,
    });
    await port.processOffer(publisher, OFFER);
    await port.gatherCandidates(publisher);
    const found: MediaIceCandidate[] = [];
    port.onIceCandidate(publisher, (candidate) => found.push(candidate));
    expect(found.map((c) => [c.sdpMid, c.sdpMLineIndex])).toEqual([
      ['a0', 0],
      ['v1', 1],
    ]);
    const remote = {
      candidate: 'candidate:9 1 udp 1 10.0.0.9 5000 typ host',
      sdpMid: 'a0',
      sdpMLineIndex: 0,
    };
    await port.addIceCandidate(publisher, remote);
    await port.addIceCandidate(publisher, { candidate: '', sdpMid: 'a0', sdpMLineIndex: 0 });
    expect(port.endpointState(publisher).remoteCandidates).toEqual([remote]);
  });

  it('connects publish to subscribe (audio only when either side is), one source per sink', async () => {
    const { port, pipeline, publisher, subscriber } = await room();
    const other = await port.createEndpoint(pipeline, { kind: 'publish' });
    await port.connect(publisher, subscriber);
    await port.connect(other, subscriber);
    expect(port.connections()).toEqual([{ sourceId: other.id, sinkId: subscriber.id, mediaType: 'AUDIO' }]);
    await expect(port.connect(subscriber, publisher)).rejects.toMatchObject({
      code: MediaErrorCode.InvalidArgument,
    });
  });

  it('releases a pipeline with its endpoints and links, idempotently', async () => {
    const { port, pipeline, publisher, subscriber } = await room();
    await port.connect(publisher, subscriber);
    await port.release(pipeline);
    await port.release(pipeline);
    expect(port.pipelines()).toEqual([]);
    expect(port.connections()).toEqual([]);
    await expect(port.processOffer(publisher, OFFER)).rejects.toMatchObject({
      code: MediaErrorCode.ObjectGone,
    });
    expect((await port.serverInfo()).pipelines).toBe(0);
  });

  it('fails the next call of an operation as told, then works again', async () => {
    const port = new FakeMediaPort();
    port.failNext(
      'createPipeline',
      new MediaError(MediaErrorCode.Overloaded, 'full', { kurentoCode: 40009 }),
    );
    await expect(port.createPipeline('a')).rejects.toMatchObject({ code: MediaErrorCode.Overloaded });
    await expect(port.createPipeline('a')).resolves.toMatchObject({ roomId: 'a' });
  });

  it('acts like a restart: old objects gone on the server, health says so until renewed', async () => {
    const { port, pipeline, publisher } = await room();
    port.restart();
    await expect(port.processOffer(publisher, OFFER)).rejects.toMatchObject({
      code: MediaErrorCode.ObjectGone,
      kurentoCode: 40101,
    });
    expect(await port.health()).toEqual({
      status: 'up',
      serverId: 'fake-kms-2',
      latencyMs: 1,
      sessionLost: true,
      lostPipelineIds: [pipeline.id],
    });
    await port.renew();
    expect(await port.health()).toMatchObject({ sessionLost: false, lostPipelineIds: [] });
    await expect(port.createEndpoint(pipeline, { kind: 'publish' })).rejects.toMatchObject({
      code: MediaErrorCode.ObjectGone,
    });
    expect(port.generation).toBe(1);
  });

  it('is unavailable when told, or once closed, and refuses bad input before anything else', async () => {
    const port = new FakeMediaPort();
    await expect(port.createPipeline('')).rejects.toMatchObject({ code: MediaErrorCode.InvalidArgument });
    expect(port.calls).toEqual([]);
    port.setAvailable(false);
    await expect(port.createPipeline('a')).rejects.toMatchObject({ code: MediaErrorCode.Unavailable });
    expect(await port.health()).toMatchObject({ status: 'down', renewRequired: false });
    port.setAvailable(true);
    await port.close();
    await expect(port.serverInfo()).rejects.toMatchObject({ code: MediaErrorCode.Unavailable });
  });
  describe('RtpEndpoint', () => {
    const PACKAGER_OFFER =
      'v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=packager\r\nt=0 0\r\nm=video 47002 RTP/AVP 100\r\na=recvonly\r\n';

    it("creates one in a pipeline, answers a receiver's offer with plain RTP sending, once", async () => {
      const { port, pipeline } = await room();
      const rtp = await port.createRtpEndpoint(pipeline);
      expect(rtp).toMatchObject({ type: 'rtp-endpoint', pipelineId: pipeline.id, roomId: 'standup' });
      const answer = await port.processRtpOffer(rtp, PACKAGER_OFFER);
      expect(answer).toMatch(/^m=video \d+ RTP\/AVP 100$/m);
      expect(answer).toContain('a=sendonly');
      expect(port.rtpEndpointState(rtp)).toMatchObject({ remote: PACKAGER_OFFER, local: answer });
      await expect(port.processRtpOffer(rtp, PACKAGER_OFFER)).rejects.toMatchObject({ kurentoCode: 40208 });
      expect(port.pipelines()[0].endpoints).toHaveLength(2); // WebRtcEndpoints only, as before
    });

    it('generates an offer and takes the answer; an answer without an offer is 40209', async () => {
      const { port, pipeline } = await room();
      const rtp = await port.createRtpEndpoint(pipeline);
      await expect(port.processRtpAnswer(rtp, PACKAGER_OFFER)).rejects.toMatchObject({ kurentoCode: 40209 });
      const offer = await port.generateRtpOffer(rtp, { audio: false });
      expect(offer).toMatch(/^m=video \d+ RTP\/AVPF /m);
      expect(offer).not.toContain('m=audio');
      expect(await port.processRtpAnswer(rtp, PACKAGER_OFFER)).toBe(offer);
      expect(port.rtpEndpointState(rtp).remote).toBe(PACKAGER_OFFER);
    });

    it('connects a publisher to it (audio only for an audio-only publisher), and releases it with its link or with the pipeline', async () => {
      const { port, pipeline, publisher, subscriber } = await room();
      const rtp = await port.createRtpEndpoint(pipeline);
      await port.connectRtp(publisher, rtp);
      expect(port.connections()).toContainEqual({ sourceId: publisher.id, sinkId: rtp.id, mediaType: 'ALL' });
      await expect(port.connectRtp(subscriber, rtp)).rejects.toMatchObject({
        code: MediaErrorCode.InvalidArgument,
      });
      await port.release(rtp);
      await port.release(rtp);
      expect(port.connections().some((c) => c.sinkId === rtp.id)).toBe(false);
      await expect(port.processRtpOffer(rtp, PACKAGER_OFFER)).rejects.toMatchObject({
        code: MediaErrorCode.ObjectGone,
      });
      const second = await port.createRtpEndpoint(pipeline);
      await port.connectRtp(publisher, second);
      await port.release(pipeline);
      expect(port.connections()).toEqual([]);
      await expect(port.connectRtp(publisher, second)).rejects.toMatchObject({
        code: MediaErrorCode.ObjectGone,
      });
      expect(port.calls.map((c) => c.operation)).toEqual(
        expect.arrayContaining(['createRtpEndpoint', 'connectRtp', 'release']),
      );
    });

    it('fails RtpEndpoint operations as told and refuses bad SDP before anything else', async () => {
      const { port, pipeline } = await room();
      port.failNext(
        'createRtpEndpoint',
        new MediaError(MediaErrorCode.Overloaded, 'full', { operation: 'createRtpEndpoint' }),
      );
      await expect(port.createRtpEndpoint(pipeline)).rejects.toMatchObject({
        code: MediaErrorCode.Overloaded,
      });
      const rtp = await port.createRtpEndpoint(pipeline);
      const calls = port.calls.length;
      await expect(port.processRtpOffer(rtp, 'nope')).rejects.toMatchObject({
        code: MediaErrorCode.InvalidArgument,
      });
      await expect(port.generateRtpOffer(rtp, { audio: false, video: false })).rejects.toMatchObject({
        code: MediaErrorCode.InvalidArgument,
      });
      expect(port.calls.length).toBe(calls);
    });
  });
});
