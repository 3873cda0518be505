import { deviceMenuModel } from './device-menu';

const devices = [
  { deviceId: 'default', kind: 'audioinput', label: 'Default microphone' },
  { deviceId: 'mic-2', kind: 'audioinput', label: 'Headset' },
  { deviceId: 'cam-1', kind: 'videoinput', label: 'Front camera' },
  { deviceId: 'cam-2', kind: 'videoinput', label: '' },
  { deviceId: 'out', kind: 'audiooutput', label: 'Speakers' },
];

const base = {
  devices,
  sending: {},
  chosen: {},
  roomType: 'm2m' as const,
  publishing: true,
  switching: false,
};

describe('deviceMenuModel', () => {
  it('lists cameras and microphones and selects the devices our tracks come from', () => {
    const model = deviceMenuModel({ ...base, sending: { audio: 'mic-2', video: 'cam-2' } });
    expect(model.camera).toEqual({
      shown: true,
      options: [
        { id: 'cam-1', label: 'Front camera' },
        { id: 'cam-2', label: 'Camera 2' },
      ],
      selected: 'cam-2',
      disabled: false,
    });
    expect(model.microphone.selected).toBe('mic-2');
    expect(model.microphone.options.map((o) => o.id)).toEqual(['default', 'mic-2']);
    expect(model.note).toBeUndefined();
  });

  it('without a track, selects the device chosen, and the first one when that is gone', () => {
    expect(deviceMenuModel({ ...base, chosen: { cameraId: 'cam-2' } }).camera.selected).toBe('cam-2');
    expect(deviceMenuModel({ ...base, chosen: { cameraId: 'unplugged' } }).camera.selected).toBe('cam-1');
    // A track's device beats an older choice.
    expect(
      deviceMenuModel({ ...base, sending: { video: 'cam-1' }, chosen: { cameraId: 'cam-2' } }).camera
        .selected,
    ).toBe('cam-1');
  });

  it('hides the camera in an audio-only room and disables both pickers during a switch', () => {
    expect(deviceMenuModel({ ...base, roomType: 'a2m' }).camera.shown).toBe(false);
    expect(deviceMenuModel({ ...base, roomType: 'a2m' }).microphone.shown).toBe(true);
    const busy = deviceMenuModel({ ...base, switching: true });
    expect([busy.camera.disabled, busy.microphone.disabled]).toEqual([true, true]);
  });

  it('disables a picker with no device, and tells a viewer the choice waits until they speak', () => {
    const model = deviceMenuModel({ ...base, devices: devices.slice(0, 2), publishing: false });
    expect(model.camera).toEqual({ shown: true, options: [], selected: undefined, disabled: true });
    expect(model.note).toBe('Your choice is used as soon as you may speak.');
  });
});
