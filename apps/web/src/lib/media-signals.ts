/**
 * What the page reads from media itself, pure: whether a video frame is dark (a camera turned off at the
 * sender sends black frames), the device pickers' entries, and the invite link.
 */

/** True when no pixel of an RGBA frame is brighter than `maxLuma` (0..255): a black frame. */
export function isDarkFrame(rgba: ArrayLike<number>, maxLuma = 24): boolean {
  for (let i = 0; i + 2 < rgba.length; i += 4) {
    const luma = 0.299 * rgba[i] + 0.587 * rgba[i + 1] + 0.114 * rgba[i + 2];
    if (luma > maxLuma) return false;
  }
  return true;
}

/** The camera and microphone chosen (pre-join screen, room settings; device ids; undefined: the default). */
export interface DeviceChoice {
  cameraId?: string;
  microphoneId?: string;
}

/** One entry of a device picker. */
export interface DeviceOption {
  id: string;
  label: string;
}

/**
 * The pickers' entries from `enumerateDevices()`: one list per kind, unnamed devices numbered (labels
 * are empty until the page may use the devices), duplicates of the same id left out.
 */
export function deviceOptions(devices: readonly { deviceId: string; kind: string; label: string }[]): {
  cameras: DeviceOption[];
  microphones: DeviceOption[];
} {
  const pick = (kind: string, noun: string): DeviceOption[] => {
    const seen = new Set<string>();
    const out: DeviceOption[] = [];
    for (const d of devices) {
      if (d.kind !== kind || !d.deviceId || seen.has(d.deviceId)) continue;
      seen.add(d.deviceId);
      out.push({ id: d.deviceId, label: d.label || `${noun} ${out.length + 1}` });
    }
    return out;
  };
  return { cameras: pick('videoinput', 'Camera'), microphones: pick('audioinput', 'Microphone') };
}

/**
 * The link to share for a conference: this registry's join URL (`/join/<id>`) with the address in the
 * fragment (never sent to a server). No ticket: whoever opens it signs in and is checked for entitlement.
 */
export function inviteLink(origin: string, conferenceId: string, address?: string): string {
  const base = `${origin.replace(/\/+$/, '')}/join/${encodeURIComponent(conferenceId)}`;
  return address ? `${base}#address=${encodeURIComponent(address)}` : base;
}
