import type { MediaKind } from '@hoot/domain';
import { SdkError, SdkErrorCode } from '../sdk-error-codes';
import type {
  MediaDeviceInfoLike,
  MediaEnvironment,
  MediaStreamLike,
  MediaStreamTrackLike,
  PeerConnectionLike,
  RtpSenderLike,
  TrackConstraintsLike,
  UserMediaConstraints,
} from './media-environment';

/**
 * The device side of `MediaSession`: which camera and microphone to open, swapping a track on the
 * connections that send it (`RTCRtpSender.replaceTrack`: no renegotiation, the media server and the peer see
 * the same stream go on), and telling an unplugged device. Pure helpers over the environment's shapes, kept
 * apart from the session's connection plumbing.
 */

/** A kind that comes from a device (a shared screen comes from the browser's picker instead). */
export type DeviceKind = Exclude<MediaKind, 'screen'>;

/** The device chosen for each kind (a `deviceId`); a kind left out uses the browser's default. */
export type MediaDeviceChoice = Partial<Record<DeviceKind, string>>;

/** Why the device of a kind changed (`MediaSession`'s `device-change` event). */
export type DeviceChangeReason =
  /** `switchDevice` asked for it. */
  | 'switched'
  /** The device in use was unplugged (or taken away): the default one took over. */
  | 'unplugged'
  /** The remembered device was not there when the camera or microphone was opened: the default one is used. */
  | 'missing';

/** The `enumerateDevices()` kind of each media kind. */
export const INPUT_KIND: Record<DeviceKind, string> = { audio: 'audioinput', video: 'videoinput' };

const KIND_WORDS: Record<DeviceKind, string> = { audio: 'microphone', video: 'camera' };

/** One kind's constraints: the camera's size (ideal), the chosen device (exact). */
function kindConstraints(
  kind: DeviceKind,
  size: { width: number; height: number },
  deviceId: string | undefined,
): true | TrackConstraintsLike {
  const device = deviceId ? { deviceId: { exact: deviceId } } : {};
  if (kind === 'video') return { width: { ideal: size.width }, height: { ideal: size.height }, ...device };
  return deviceId ? device : true;
}

/** What `getUserMedia` is asked for `kinds` with the chosen devices (a kind not asked for is `false`). */
export function userMediaConstraints(
  kinds: readonly DeviceKind[],
  size: { width: number; height: number },
  devices: MediaDeviceChoice,
): UserMediaConstraints {
  return {
    audio: kinds.includes('audio') ? kindConstraints('audio', size, devices.audio) : false,
    video: kinds.includes('video') ? kindConstraints('video', size, devices.video) : false,
  };
}

/** True when opening failed because a chosen device is not there (unplugged since it was chosen). */
export function isMissingDevice(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  return name === 'OverconstrainedError' || name === 'NotFoundError';
}

/** A new stream holding the tracks of `stream`, `next` in place of `previous` (the app's preview follows it). */
export function withTrack(
  env: MediaEnvironment,
  stream: MediaStreamLike,
  previous: MediaStreamTrackLike,
  next: MediaStreamTrackLike,
): MediaStreamLike {
  const out = env.createMediaStream();
  for (const track of stream.getTracks()) out.addTrack(track === previous ? next : track);
  return out;
}

/**
 * Sends `next` instead of `previous` on every sender of these connections that sends `previous`. If one
 * refuses, the ones already changed go back to `previous` and the refusal is thrown: all or nothing.
 */
export async function replaceSentTrack(
  connections: readonly PeerConnectionLike[],
  previous: MediaStreamTrackLike,
  next: MediaStreamTrackLike,
): Promise<number> {
  const done: RtpSenderLike[] = [];
  try {
    for (const pc of connections) {
      for (const sender of pc.getSenders?.() ?? []) {
        if (sender.track !== previous) continue;
        await sender.replaceTrack(next);
        done.push(sender);
      }
    }
  } catch (error) {
    for (const sender of done) await sender.replaceTrack(previous).catch(() => undefined);
    throw error;
  }
  return done.length;
}

/**
 * True when a track's device is gone: the track ended, or its device (the one it reports, else the one
 * chosen) is no longer among the devices of its kind. An empty list (devices hidden) proves nothing.
 */
export function deviceGone(
  track: MediaStreamTrackLike,
  devices: readonly MediaDeviceInfoLike[] | undefined,
  chosen: string | undefined,
): boolean {
  if (track.readyState === 'ended') return true;
  const id = track.getSettings?.().deviceId || chosen;
  if (!id || !devices || devices.length === 0) return false;
  const kind = INPUT_KIND[track.kind as DeviceKind];
  return !devices.some((d) => d.kind === kind && d.deviceId === id);
}

/** A switch to a device that could not be opened or sent (the device in use goes on), in our words. */
export function deviceUnavailable(kind: DeviceKind, cause: unknown): SdkError {
  const noun = KIND_WORDS[kind];
  return new SdkError(
    SdkErrorCode.DeviceUnavailable,
    `The ${noun} you picked could not be started (another app may be using it, or it was unplugged); the ${noun} you had stays on.`,
    { cause },
  );
}

/** The device in use was unplugged and no other one of its kind could be opened, in our words. */
export function deviceLost(kind: DeviceKind, cause: unknown): SdkError {
  const noun = KIND_WORDS[kind];
  return new SdkError(
    SdkErrorCode.DeviceLost,
    `Your ${noun} was disconnected and no other ${noun} could be started; plug one in and pick it in the settings.`,
    { cause },
  );
}
