import type { RoomType } from '@hoot/domain';
import { deviceOptions, type DeviceChoice, type DeviceOption } from './media-signals';

/** One picker of the device settings: its entries and the one shown as selected. */
export interface DevicePicker {
  shown: boolean;
  options: DeviceOption[];
  /** The entry to select (undefined: the list is empty). */
  selected: string | undefined;
  disabled: boolean;
}

export interface DeviceMenuModel {
  camera: DevicePicker;
  microphone: DevicePicker;
  /** A line under the pickers (a viewer's choice applies once they may speak). */
  note: string | undefined;
}

/**
 * The room's device settings: a camera picker (not in an audio-only room) and a microphone picker, each
 * selecting the device our track comes from now, else the one chosen, else the first listed. A switch in
 * progress disables both. Viewers may choose too: it is used when they start speaking.
 */
export function deviceMenuModel(input: {
  devices: readonly { deviceId: string; kind: string; label: string }[];
  /** The device each of our tracks comes from now (`getSettings().deviceId`). */
  sending: { audio?: string; video?: string };
  chosen: DeviceChoice;
  roomType: RoomType;
  publishing: boolean;
  switching: boolean;
}): DeviceMenuModel {
  const { cameras, microphones } = deviceOptions(input.devices);
  const pick = (options: DeviceOption[], ...wanted: (string | undefined)[]) =>
    wanted.find((id) => id !== undefined && options.some((o) => o.id === id)) ?? options[0]?.id;
  const picker = (options: DeviceOption[], shown: boolean, ...wanted: (string | undefined)[]) => ({
    shown,
    options,
    selected: pick(options, ...wanted),
    disabled: input.switching || options.length === 0,
  });
  return {
    camera: picker(cameras, input.roomType !== 'a2m', input.sending.video, input.chosen.cameraId),
    microphone: picker(microphones, true, input.sending.audio, input.chosen.microphoneId),
    note: input.publishing ? undefined : 'Your choice is used as soon as you may speak.',
  };
}
