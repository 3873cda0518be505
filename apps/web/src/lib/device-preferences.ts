import type { DeviceChoice } from './media-signals';
import type { KeyValueStorage } from './session-store';

const DEVICES_KEY = 'hoot.devices';

/**
 * The devices last chosen, kept for the next join (localStorage: they belong to this browser, not to one
 * tab or sign-in). Set on the pre-join screen and in the room's device settings; a device that is gone by
 * then gives way to the default (the pre-join preview and the SDK both fall back).
 */
export class DevicePreferences {
  constructor(private readonly storage: KeyValueStorage | undefined) {}

  load(): DeviceChoice {
    try {
      const raw = this.storage?.getItem(DEVICES_KEY);
      const parsed: unknown = raw ? JSON.parse(raw) : {};
      const text = (v: unknown) => (typeof v === 'string' && v.length > 0 && v.length <= 512 ? v : undefined);
      const o = (parsed ?? {}) as Record<string, unknown>;
      const choice: DeviceChoice = {};
      const cameraId = text(o['cameraId']);
      const microphoneId = text(o['microphoneId']);
      if (cameraId) choice.cameraId = cameraId;
      if (microphoneId) choice.microphoneId = microphoneId;
      return choice;
    } catch {
      // Unreadable (storage refused, a value written by hand): the defaults.
      return {};
    }
  }

  /** Remembers the given kinds (others as they were); `undefined` forgets one (the default again). */
  save(change: Partial<DeviceChoice>): DeviceChoice {
    const next: DeviceChoice = { ...this.load(), ...change };
    for (const key of ['cameraId', 'microphoneId'] as const) if (!next[key]) delete next[key];
    try {
      this.storage?.setItem(DEVICES_KEY, JSON.stringify(next));
    } catch {
      // Storage refused (private mode quota): remembered for this page only.
    }
    return next;
  }
}

/** The page's preferences in localStorage (none when the browser refuses storage). */
export function devicePreferences(): DevicePreferences {
  let storage: KeyValueStorage | undefined;
  try {
    storage = window.localStorage;
  } catch {
    storage = undefined;
  }
  return new DevicePreferences(storage);
}
