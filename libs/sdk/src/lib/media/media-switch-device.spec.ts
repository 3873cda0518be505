import { SdkError } from '../sdk-error-codes';
import {
  FakeTrack,
  FakeDevices,
  FakeRoom,
  person,
  live,
  roomOf,
  started,
  sent,
  localDevices,
} from './media-devices.fixture';

describe('MediaSession.switchDevice', () => {
  it('m2m: replaces the camera on the publish sender — no new connection, no new offer, no new publish', async () => {
    const room = new FakeRoom(roomOf('m2m', [live('alice', 1)]), 'alice');
    const { media, env, events } = await started(room);
    const pc = env.pcs[0];
    expect(sent(pc)).toEqual(['audio:mic-1', 'video:cam-1']);
    const [oldMic, oldCam] = env.opened as FakeTrack[];

    await media.switchDevice('video', 'cam-2');

    expect(env.requests[1]).toEqual({
      audio: false,
      video: { width: { ideal: 640 }, height: { ideal: 360 }, deviceId: { exact: 'cam-2' } },
    });
    expect(sent(pc)).toEqual(['audio:mic-1', 'video:cam-2']);
    expect(pc.senders.map((s) => s.replaced)).toEqual([0, 1]);
    expect(env.pcs).toHaveLength(1);
    expect(pc.offers).toBe(1);
    expect(room.count('publish')).toBe(1);
    expect(room.count('unpublish')).toBe(0);
    expect(oldCam.stopped).toBe(true);
    expect(oldMic.stopped).toBe(false);
    // The preview follows: a new local stream with the same microphone and the new camera.
    expect(localDevices(media)).toEqual(['audio:mic-1', 'video:cam-2']);
    expect(events['local-stream']?.at(-1)).toEqual({ stream: media.local, kinds: ['audio', 'video'] });
    expect(events['device-change']).toEqual([{ kind: 'video', deviceId: 'cam-2', reason: 'switched' }]);
    expect(media.chosenDevices()).toEqual({ video: 'cam-2' });
  });

  it('keeps the mute state: a muted microphone stays muted on the new device', async () => {
    const room = new FakeRoom(roomOf('m2m', [live('alice', 1)]), 'alice');
    const { media, env } = await started(room);
    media.setEnabled('audio', false);
    await media.switchDevice('audio', 'mic-2');
    const micSender = env.pcs[0].senders[0];
    expect((micSender.track as FakeTrack).deviceId).toBe('mic-2');
    expect(micSender.track?.enabled).toBe(false);
    media.setEnabled('audio', true);
    expect(micSender.track?.enabled).toBe(true);

    // And an unmuted camera stays on.
    await media.switchDevice('video', 'cam-2');
    expect(env.pcs[0].senders[1].track?.enabled).toBe(true);
  });

  it.each([
    ['in use by another app (NotReadableError)', 'cam-2', true],
    ['that does not exist (OverconstrainedError)', 'cam-9', false],
  ])(
    'a camera %s: rejects in our words, the old camera keeps sending, nothing remembered',
    async (_what, deviceId, busy) => {
      const room = new FakeRoom(roomOf('m2m', [live('alice', 1)]), 'alice');
      const { media, env, events } = await started(room);
      if (busy) env.busy.add(deviceId);
      const before = media.local;

      const error = await media.switchDevice('video', deviceId).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(SdkError);
      expect((error as SdkError).code).toBe('sdk.device-unavailable');
      expect((error as SdkError).message).toBe(
        'The camera you picked could not be started (another app may be using it, or it was unplugged); the camera you had stays on.',
      );
      expect((error as SdkError).message).not.toContain('browser');
      expect(sent(env.pcs[0])).toEqual(['audio:mic-1', 'video:cam-1']);
      expect(env.opened.filter((t) => t.stopped)).toEqual([]);
      expect(media.local).toBe(before);
      expect(media.chosenDevices()).toEqual({});
      expect(events['device-change']).toBeUndefined();
      expect(events['error']).toBeUndefined(); // told to the caller, not as an event
      // The session goes on: a later switch works.
      await media.switchDevice('video', 'cam-1');
      expect(media.chosenDevices()).toEqual({ video: 'cam-1' });
    },
  );

  it('a sender that refuses the new track: all senders go back to the old one, the new track is stopped', async () => {
    const room = new FakeRoom(roomOf('m2m', [live('alice', 1)]), 'alice');
    const { media, env } = await started(room);
    env.pcs[0].senders[1].refuse = new Error('InvalidModificationError (browser words)');
    await expect(media.switchDevice('video', 'cam-2')).rejects.toMatchObject({
      code: 'sdk.device-unavailable',
    });
    expect(sent(env.pcs[0])).toEqual(['audio:mic-1', 'video:cam-1']);
    expect(env.opened.map((t) => `${t.deviceId}:${t.readyState}`)).toEqual([
      'mic-1:live',
      'cam-1:live',
      'cam-2:ended',
    ]);
  });

  it('p2p: replaces the track on the call connection without a new offer', async () => {
    const room = new FakeRoom(roomOf('p2p', [live('caller', 1), live('callee', 2)]), 'callee');
    const { media, env } = await started(room);
    expect(room.calls.filter((c) => c[0] === 'p2p')).toEqual([['p2p', 'offer']]);
    const pc = env.pcs[0];
    expect(sent(pc)).toEqual(['audio:mic-1', 'video:cam-1']);
    await media.switchDevice('video', 'cam-2');
    await media.switchDevice('audio', 'mic-2');
    expect(sent(pc)).toEqual(['audio:mic-2', 'video:cam-2']);
    expect(env.pcs).toHaveLength(1);
    expect(pc.offers).toBe(1);
    expect(room.calls.filter((c) => c[0] === 'p2p')).toEqual([['p2p', 'offer']]);
  });

  it('while sending nothing only remembers the choice, and the next publish opens it', async () => {
    const room = new FakeRoom(roomOf('m2m', [live('alice', 1, ['audio', 'video']), person('bob', 2)]), 'bob');
    const { media, env } = await started(room);
    await media.switchDevice('video', 'cam-2');
    expect(env.requests).toEqual([]);
    expect(media.chosenDevices()).toEqual({ video: 'cam-2' });
    room.change(roomOf('m2m', [live('alice', 1, ['audio', 'video']), live('bob', 2)], 2));
    await media.idle();
    const publish = env.pcs.find((pc) => pc.senders.length > 0)!;
    expect(sent(publish)).toEqual(['audio:mic-1', 'video:cam-2']);
  });

  it('opens the devices given at start (chosen before joining); a remembered one that is gone gives way to the default', async () => {
    const room = new FakeRoom(roomOf('m2m', [live('alice', 1)]), 'alice');
    const { env } = await started(room, { devices: { audio: 'mic-2', video: 'cam-2' } });
    expect(sent(env.pcs[0])).toEqual(['audio:mic-2', 'video:cam-2']);

    const other = new FakeRoom(roomOf('m2m', [live('alice', 1)]), 'alice');
    const gone = await started(other, { devices: { video: 'cam-unplugged' } });
    expect(sent(gone.env.pcs[0])).toEqual(['audio:mic-1', 'video:cam-1']);
    expect(gone.events['device-change']).toEqual([{ kind: 'video', deviceId: undefined, reason: 'missing' }]);
    expect(gone.media.chosenDevices()).toEqual({});
  });

  it('a publish the camera refused is tried again once another camera is picked', async () => {
    const env = new FakeDevices();
    env.busy.add('cam-1');
    const room = new FakeRoom(roomOf('m2m', [live('alice', 1)]), 'alice');
    const { media, events } = await started(room, { env });
    expect(room.count('publish')).toBe(0);
    expect(events['error']?.map((e) => e.step)).toEqual(['publish']);
    await media.switchDevice('video', 'cam-2');
    expect(room.count('publish')).toBe(1);
    expect(sent(env.pcs[0])).toEqual(['audio:mic-1', 'video:cam-2']);
  });

  it('the health check still rebuilds a stalled publish after a switch, with the switched camera', async () => {
    const room = new FakeRoom(roomOf('m2m', [live('alice', 1)]), 'alice');
    const { media, env, elapse } = await started(room);
    await media.switchDevice('video', 'cam-2');
    await elapse(12_000);
    expect(media.recovered().republished).toBe(1);
    expect(env.pcs[0].closed).toBe(true);
    expect(sent(env.pcs[1])).toEqual(['audio:mic-1', 'video:cam-2']);
  });

  it('after close a switch does nothing', async () => {
    const room = new FakeRoom(roomOf('m2m', [live('alice', 1)]), 'alice');
    const { media, env } = await started(room);
    media.close();
    await media.switchDevice('video', 'cam-2');
    expect(env.requests).toHaveLength(1);
    expect(env.listening).toBe(0);
  });
});
