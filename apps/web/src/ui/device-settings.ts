import type { RoomType } from '@hoot/domain';
import type { MediaSession } from '@hoot/sdk';
import { deviceMenuModel } from '../lib/device-menu';
import type { DevicePreferences } from '../lib/device-preferences';
import { describeError } from '../lib/error-messages';
import type { DeviceChoice } from '../lib/media-signals';
import { fillDeviceSelect } from './device-select';
import { h } from './dom';
import { icon } from './icons';

/** What the panel reads from the room screen. */
export interface DeviceSettingsSource {
  media(): MediaSession | undefined;
  roomType(): RoomType | undefined;
  /** We send our camera/microphone now (a publisher). */
  publishing(): boolean;
}

export interface DeviceSettingsPanel {
  element: HTMLElement;
  isOpen(): boolean;
  toggle(open?: boolean): void;
  /** Lists the devices again and selects the ones in use (after a switch, an unplugged device, …). */
  refresh(): void;
  dispose(): void;
}

/**
 * The room's device settings: camera and microphone pickers as on the pre-join screen. Picking one
 * switches it in the call at once (`MediaSession.switchDevice`: no re-join, the others keep seeing us)
 * and remembers it for the next join; a device that cannot be started is said in our words and the one
 * in use stays.
 */
export function deviceSettingsPanel(
  source: DeviceSettingsSource,
  prefs: DevicePreferences,
  onToggle: () => void,
): DeviceSettingsPanel {
  let open = false;
  let switching = false;
  let disposed = false;
  const cameraSelect = h('select', { 'data-testid': 'device-camera', 'aria-label': 'Camera' });
  const micSelect = h('select', { 'data-testid': 'device-mic', 'aria-label': 'Microphone' });
  const cameraRow = h('label', {}, icon('camera'), 'Camera', cameraSelect);
  const note = h('p', { class: 'muted small', hidden: true, 'data-testid': 'device-note' });
  const problem = h('p', {
    class: 'form-problem',
    hidden: true,
    role: 'alert',
    'data-testid': 'device-problem',
  });
  const element = h(
    'section',
    {
      class: 'card device-settings',
      hidden: true,
      'data-testid': 'device-settings',
      'aria-label': 'Camera and microphone',
    },
    h(
      'div',
      { class: 'device-settings-head' },
      h('h2', {}, icon('settings'), 'Camera and microphone'),
      h(
        'button',
        {
          class: 'icon-button',
          type: 'button',
          title: 'Close',
          'aria-label': 'Close',
          'data-testid': 'device-settings-close',
          onclick: () => toggle(false),
        },
        icon('close'),
      ),
    ),
    cameraRow,
    h('label', {}, icon('mic'), 'Microphone', micSelect),
    note,
    problem,
  );

  cameraSelect.addEventListener('change', () => void pick('video', cameraSelect.value));
  micSelect.addEventListener('change', () => void pick('audio', micSelect.value));
  const onDeviceChange = () => refresh();
  navigator.mediaDevices?.addEventListener?.('devicechange', onDeviceChange);

  async function pick(kind: 'audio' | 'video', deviceId: string): Promise<void> {
    if (!deviceId || switching) return;
    const media = source.media();
    switching = true;
    problem.hidden = true;
    refresh();
    try {
      if (media) await media.switchDevice(kind, deviceId);
      prefs.save(kind === 'video' ? { cameraId: deviceId } : { microphoneId: deviceId });
      element.setAttribute(`data-${kind}`, deviceId);
    } catch (error) {
      const human = describeError(error);
      problem.textContent = human.message;
      problem.setAttribute('data-code', human.code);
      problem.hidden = false;
    } finally {
      switching = false;
      refresh();
    }
  }

  let drawing = 0;
  function refresh(): void {
    if (!open || disposed) return;
    const turn = ++drawing;
    void (async () => {
      const list = (await navigator.mediaDevices?.enumerateDevices().catch(() => [])) ?? [];
      if (turn !== drawing || disposed) return;
      const media = source.media();
      const sending: { audio?: string; video?: string } = {};
      for (const track of (media?.local?.getTracks() ?? []) as MediaStreamTrack[]) {
        const id = track.getSettings?.().deviceId;
        if (id && (track.kind === 'audio' || track.kind === 'video')) sending[track.kind] = id;
      }
      const chosenByKind = media?.chosenDevices() ?? {};
      const stored = prefs.load();
      const chosen: DeviceChoice = {
        cameraId: chosenByKind.video ?? stored.cameraId,
        microphoneId: chosenByKind.audio ?? stored.microphoneId,
      };
      const model = deviceMenuModel({
        devices: list,
        sending,
        chosen,
        roomType: source.roomType() ?? 'm2m',
        publishing: source.publishing(),
        switching,
      });
      fillDeviceSelect(
        cameraSelect,
        model.camera.options,
        model.camera.selected,
        'No camera',
        model.camera.disabled,
      );
      fillDeviceSelect(
        micSelect,
        model.microphone.options,
        model.microphone.selected,
        'No microphone',
        model.microphone.disabled,
      );
      cameraRow.hidden = !model.camera.shown;
      note.textContent = model.note ?? '';
      note.hidden = !model.note;
      element.setAttribute('data-switching', String(switching));
    })();
  }

  function toggle(next = !open): void {
    if (next === open) return;
    open = next;
    element.hidden = !open;
    if (!open) problem.hidden = true;
    refresh();
    onToggle();
  }

  return {
    element,
    isOpen: () => open,
    toggle,
    refresh,
    dispose() {
      disposed = true;
      navigator.mediaDevices?.removeEventListener?.('devicechange', onDeviceChange);
    },
  };
}
