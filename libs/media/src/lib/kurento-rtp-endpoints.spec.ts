import { EventEmitter } from 'node:events';
import type { KurentoHandle } from './kurento-connection';
import { KurentoRtpEndpoints, type KurentoRtpContext } from './kurento-rtp-endpoints';
import { MediaError, MediaErrorCode } from './media-error.exception';
import { MediaRefRegistry } from './media-ref.registry';

const OFFER = 'v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=packager\r\nt=0 0\r\nm=video 47002 RTP/AVP 100\r\n';

function handle(id: string): KurentoHandle {
  return Object.assign(new EventEmitter(), { id }) as unknown as KurentoHandle;
}

function setUp() {
  const registry = new MediaRefRegistry<KurentoHandle, KurentoHandle>();
  const calls: { operation: string; target: string; method: string; args: unknown[] }[] = [];
  const replies = new Map<string, unknown>();
  const released: string[] = [];
  const context: KurentoRtpContext = {
    registry,
    live: () => ({ client: handle('client'), generation: registry.generation }),
    call: async <T>(operation: string, target: KurentoHandle, method: string, args: unknown[]) => {
      calls.push({ operation, target: String(target.id), method, args });
      if (method === 'create') return handle(`${String(target.id)}/r1_kurento.${String(args[0])}`) as T;
      return replies.get(method) as T;
    },
    releaseQuietly: (object) => released.push(String(object.id)),
    reportError: () => undefined,
  };
  const rtp = new KurentoRtpEndpoints(context);
  const pipeline = registry.addPipeline(
    'room-1',
    'p1_kurento.MediaPipeline',
    handle('p1_kurento.MediaPipeline'),
  );
  const publisher = registry.addEndpoint(pipeline, 'p1/e1', handle('p1/e1'), {
    kind: 'publish',
    audioOnly: false,
  });
  const subscriber = registry.addEndpoint(pipeline, 'p1/e2', handle('p1/e2'), {
    kind: 'subscribe',
    audioOnly: false,
  });
  return { registry, rtp, calls, replies, released, pipeline: pipeline.ref, publisher, subscriber };
}

describe('KurentoRtpEndpoints (the RtpEndpoint part of KurentoMediaPort)', () => {
  it("creates Kurento's RtpEndpoint in the room's pipeline and returns a ref of the pipeline's room", async () => {
    const { rtp, calls, pipeline } = setUp();
    const ref = await rtp.create(pipeline);
    expect(calls).toEqual([
      { operation: 'createRtpEndpoint', target: pipeline.id, method: 'create', args: ['RtpEndpoint'] },
    ]);
    expect(ref).toEqual({
      type: 'rtp-endpoint',
      id: `${pipeline.id}/r1_kurento.RtpEndpoint`,
      pipelineId: pipeline.id,
      roomId: 'room-1',
      generation: 0,
    });
    expect(Object.isFrozen(ref)).toBe(true);
  });

  it('negotiates through processOffer, or generateOffer (Kurento OfferOptions) and processAnswer', async () => {
    const { rtp, calls, replies, pipeline } = setUp();
    const ref = await rtp.create(pipeline);
    replies.set('processOffer', 'v=0\r\nanswer');
    expect(await rtp.processOffer(ref, OFFER)).toBe('v=0\r\nanswer');
    replies.set('generateOffer', 'v=0\r\noffer');
    expect(await rtp.generateOffer(ref, { audio: false })).toBe('v=0\r\noffer');
    replies.set('processAnswer', 'v=0\r\nlocal');
    expect(await rtp.processAnswer(ref, OFFER)).toBe('v=0\r\nlocal');
    expect(calls.slice(1).map((c) => [c.target, c.method, c.args])).toEqual([
      [ref.id, 'processOffer', [OFFER]],
      [ref.id, 'generateOffer', [{ offerToReceiveAudio: false, offerToReceiveVideo: true }]],
      [ref.id, 'processAnswer', [OFFER]],
    ]);
  });

  it('connects a publish endpoint to it (AUDIO alone for an audio-only publisher)', async () => {
    const { rtp, calls, registry, pipeline, publisher } = setUp();
    const ref = await rtp.create(pipeline);
    await rtp.connect(publisher.ref, ref);
    const audioOnly = registry.addEndpoint(registry.pipeline(pipeline, 't'), 'p1/e3', handle('p1/e3'), {
      kind: 'publish',
      audioOnly: true,
    });
    await rtp.connect(audioOnly.ref, ref);
    const connects = calls.filter((c) => c.method === 'connect');
    expect(
      connects.map((c) => [
        c.target,
        c.args.map((a) => (typeof a === 'string' ? a : (a as KurentoHandle).id)),
      ]),
    ).toEqual([
      ['p1/e1', [ref.id]],
      ['p1/e3', [ref.id, 'AUDIO']],
    ]);
  });

  it('refuses bad input with MEDIA_INVALID_ARGUMENT before anything reaches the server', async () => {
    const { rtp, calls, pipeline, subscriber } = setUp();
    const ref = await rtp.create(pipeline);
    const before = calls.length;
    const invalid = expect.objectContaining({ code: MediaErrorCode.InvalidArgument });
    await expect(rtp.processOffer(ref, 'hello')).rejects.toEqual(invalid);
    await expect(rtp.processAnswer(ref, 'v=0\r\n')).rejects.toEqual(invalid);
    await expect(rtp.generateOffer(ref, { audio: false, video: false })).rejects.toEqual(invalid);
    await expect(rtp.generateOffer(ref, { audio: 'yes' as unknown as boolean })).rejects.toEqual(invalid);
    await expect(rtp.connect(subscriber.ref, ref)).rejects.toEqual(invalid);
    await expect(rtp.processOffer(subscriber.ref as never, OFFER)).rejects.toEqual(invalid);
    expect(calls.length).toBe(before);
  });

  it('treats a released or renewed-away RtpEndpoint as MEDIA_OBJECT_GONE, and one created while its pipeline went away is released', async () => {
    const { rtp, registry, pipeline, released } = setUp();
    const ref = await rtp.create(pipeline);
    registry.remove(ref);
    await expect(rtp.processOffer(ref, OFFER)).rejects.toEqual(
      expect.objectContaining({ code: MediaErrorCode.ObjectGone }),
    );
    const creating = rtp.create(pipeline);
    registry.remove(pipeline);
    await expect(creating).rejects.toBeInstanceOf(MediaError);
    expect(released).toEqual([`${pipeline.id}/r1_kurento.RtpEndpoint`]);
  });
});
