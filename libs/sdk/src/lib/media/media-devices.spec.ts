import { deviceGone, userMediaConstraints } from './media-devices';
import { FakeTrack, FakeRoom, live, roomOf, started, sent, localDevices } from './media-devices.fixture';

describe('userMediaConstraints', () => {
  it('asks for the chosen devices exactly and keeps the camera size ideal; nothing chosen: the defaults', () => {
    const size = { width: 640, height: 360 };
    expect(userMediaConstraints(['audio', 'video'], size, {})).toEqual({
      audio: true,
      video: { width: { ideal: 640 }, height: { ideal: 360 } },
    });
    expect(userMediaConstraints(['audio', 'video'], size, { audio: 'mic-2', video: 'cam-2' })).toEqual({
      audio: { deviceId: { exact: 'mic-2' } },
      video: { width: { ideal: 640 }, height: { ideal: 360 }, deviceId: { exact: 'cam-2' } },
    });
    expect(userMediaConstraints(['audio'], size, { video: 'cam-2' })).toEqual({ audio: true, video: false });
  });
});

describe('deviceGone', () => {
  const devices = [{ deviceId: 'cam-1', kind: 'videoinput', label: '' }];
  it('is true for an ended track or a device no longer listed, and proves nothing from an empty list', () => {
    expect(deviceGone(new FakeTrack('video', 'cam-1'), devices, undefined)).toBe(false);
    expect(deviceGone(new FakeTrack('video', 'cam-2'), devices, undefined)).toBe(true);
    const ended = new FakeTrack('video', 'cam-1');
    ended.stop();
    expect(deviceGone(ended, devices, undefined)).toBe(true);
    expect(deviceGone(new FakeTrack('video', 'cam-2'), [], undefined)).toBe(false);
    expect(deviceGone(new FakeTrack('video', 'cam-2'), undefined, undefined)).toBe(false);
  });
});

describe('MediaSession on devicechange', () => {
  it('the camera in use unplugged: the default camera takes over on the same sender, the choice is forgotten', async () => {
    const room = new FakeRoom(roomOf('m2m', [live('alice', 1)]), 'alice');
    const { media, env, events } = await started(room, { devices: { video: 'cam-2' } });
    media.setEnabled('video', false);
    expect(sent(env.pcs[0])).toEqual(['audio:mic-1', 'video:cam-2']);

    env.unplug('cam-2');
    await media.idle();

    expect(env.requests.at(-1)).toEqual({
      audio: false,
      video: { width: { ideal: 640 }, height: { ideal: 360 } },
    });
    expect(sent(env.pcs[0])).toEqual(['audio:mic-1', 'video:cam-1']);
    expect(env.pcs[0].senders[1].track?.enabled).toBe(false); // the camera was off: it stays off
    expect(env.pcs).toHaveLength(1);
    expect(room.count('publish')).toBe(1);
    expect(localDevices(media)).toEqual(['audio:mic-1', 'video:cam-1']);
    expect(media.chosenDevices()).toEqual({});
    expect(events['device-change']).toEqual([{ kind: 'video', deviceId: undefined, reason: 'unplugged' }]);
  });

  it('a device not in use unplugged changes nothing', async () => {
    const room = new FakeRoom(roomOf('m2m', [live('alice', 1)]), 'alice');
    const { media, env, events } = await started(room);
    env.unplug('mic-2');
    await media.idle();
    expect(env.requests).toHaveLength(1);
    expect(events['device-change']).toBeUndefined();
  });

  it('no camera left: reported once in our words (sdk.device-lost)', async () => {
    const room = new FakeRoom(roomOf('m2m', [live('alice', 1)]), 'alice');
    const { media, env, events } = await started(room);
    env.devices = env.devices.filter((d) => d.deviceId !== 'cam-2');
    env.unplug('cam-1');
    await media.idle();
    expect(events['error']).toHaveLength(1);
    expect(events['error']?.[0]).toMatchObject({ step: 'device', error: { code: 'sdk.device-lost' } });
    expect((events['error']?.[0].error as Error).message).not.toContain('browser');
  });
});
