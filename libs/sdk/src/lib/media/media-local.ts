import type { MediaKind } from '@hoot/domain';
import type { MediaStreamLike, MediaStreamTrackLike, PeerConnectionLike } from './media-environment';
import {
  deviceGone,
  deviceLost,
  deviceUnavailable,
  isMissingDevice,
  replaceSentTrack,
  userMediaConstraints,
  withTrack,
  type DeviceChangeReason,
  type DeviceKind,
  type MediaDeviceChoice,
} from './media-devices';
import type { MediaContext } from './media-links';

/**
 * Our camera and microphone: the local stream we publish (opened once per set of kinds, stopped when we
 * stop publishing), the device each kind opens (a chosen one that is gone gives way to the default),
 * moving a kind to another device mid-call with `replaceTrack` on the connections that send it, following
 * `devicechange` when a device we send from is unplugged, and mute (`setEnabled`). Emits `local-stream`,
 * `local-stream-removed` and `device-change` through the owning `MediaSession`.
 */
export class LocalMedia {
  private stream: MediaStreamLike | undefined;
  private kinds: MediaKind[] = [];
  /** The device each kind opens (`switchDevice` changes it; a kind left out: the default). */
  private readonly devices: MediaDeviceChoice;

  constructor(
    private readonly ctx: MediaContext,
    private readonly options: { video?: { width: number; height: number }; devices?: MediaDeviceChoice },
    /** The connections that send our tracks (a new device replaces the old one's track there). */
    private readonly senders: () => PeerConnectionLike[],
  ) {
    this.devices = { ...options.devices };
  }

  /** The camera/microphone stream we publish, if any. */
  get current(): MediaStreamLike | undefined {
    return this.stream;
  }

  /** The device each kind opens (a kind left out: the browser's default). */
  chosen(): MediaDeviceChoice {
    return { ...this.devices };
  }

  /** Enables or disables our outgoing tracks of a kind (mute), without renegotiating. */
  setEnabled(kind: MediaKind, enabled: boolean): void {
    for (const track of this.stream?.getTracks() ?? []) {
      if (track.kind === kind) (track as { enabled?: boolean }).enabled = enabled;
    }
  }

  /** The local stream of exactly `kinds`: the current one, else a newly opened one (`local-stream`). */
  async ensure(kinds: MediaKind[]): Promise<MediaStreamLike> {
    const sameKinds = kinds.length === this.kinds.length && kinds.every((k) => this.kinds.includes(k));
    if (this.stream && sameKinds) return this.stream;
    this.stop();
    const stream = await this.open(kinds);
    this.stream = stream;
    this.kinds = kinds;
    this.ctx.emit('local-stream', { stream, kinds });
    return stream;
  }

  /** Stops our tracks (`local-stream-removed`); nothing when there are none. */
  stop(): void {
    if (!this.stream) return;
    for (const track of this.stream.getTracks()) track.stop();
    this.stream = undefined;
    this.kinds = [];
    this.ctx.emit('local-stream-removed', {});
  }

  /**
   * Puts `deviceId` (undefined: the default) in place of the track of `kind` we send. Throws in our words
   * and leaves the old track in place when the device cannot be opened or a connection refuses it.
   */
  async useDevice(kind: DeviceKind, deviceId: string | undefined, reason: DeviceChangeReason): Promise<void> {
    const stream = this.stream;
    const previous = stream?.getTracks().find((t) => t.kind === kind);
    if (!stream || !previous) return this.remember(kind, deviceId, reason);
    const fail = (error: unknown) =>
      reason === 'unplugged' ? deviceLost(kind, error) : deviceUnavailable(kind, error);
    let next: MediaStreamTrackLike | undefined;
    try {
      const opened = await this.ctx.env.getUserMedia(
        userMediaConstraints([kind], this.cameraSize(), deviceId ? { [kind]: deviceId } : {}),
      );
      for (const track of opened.getTracks()) {
        if (track.kind === kind && !next) next = track;
        else track.stop();
      }
      if (!next) throw new Error(`getUserMedia gave no ${kind} track`);
    } catch (error) {
      throw fail(error);
    }
    if (this.ctx.isClosed() || this.stream !== stream) {
      next.stop();
      return;
    }
    if (previous.enabled !== undefined) next.enabled = previous.enabled;
    try {
      await replaceSentTrack(this.senders(), previous, next);
    } catch (error) {
      next.stop();
      throw fail(error);
    }
    this.stream = withTrack(this.ctx.env, stream, previous, next);
    previous.stop();
    this.remember(kind, deviceId, reason);
    this.ctx.emit('local-stream', { stream: this.stream, kinds: this.kinds });
  }

  /** After `devicechange`: a device we send from that is gone gives way to the default of its kind. */
  async checkDevices(): Promise<void> {
    const stream = this.stream;
    if (!stream) return;
    const listed = await this.ctx.env.enumerateDevices?.().catch(() => undefined);
    for (const track of stream.getTracks()) {
      const kind = track.kind as DeviceKind;
      if (!deviceGone(track, listed, this.devices[kind])) continue;
      await this.useDevice(kind, undefined, 'unplugged').catch((error: unknown) =>
        this.ctx.emit('error', { error, step: 'device' }),
      );
    }
  }

  /** Opens the chosen devices; a chosen one that is gone gives way to the default (`missing`). */
  private async open(asked: MediaKind[]): Promise<MediaStreamLike> {
    const kinds = asked.filter((kind): kind is DeviceKind => kind !== 'screen');
    const constraints = userMediaConstraints(kinds, this.cameraSize(), this.devices);
    try {
      return await this.ctx.env.getUserMedia(constraints);
    } catch (error) {
      const chosen = kinds.filter((kind) => this.devices[kind] !== undefined);
      if (chosen.length === 0 || !isMissingDevice(error)) throw error;
      for (const kind of chosen) this.remember(kind, undefined, 'missing');
      return this.ctx.env.getUserMedia(userMediaConstraints(kinds, this.cameraSize(), this.devices));
    }
  }

  private cameraSize(): { width: number; height: number } {
    return this.options.video ?? { width: 640, height: 360 };
  }

  private remember(kind: DeviceKind, deviceId: string | undefined, reason: DeviceChangeReason): void {
    if (deviceId) this.devices[kind] = deviceId;
    else delete this.devices[kind];
    this.ctx.emit('device-change', { kind, deviceId, reason });
  }
}
