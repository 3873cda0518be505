import type { TileModel } from '../lib/room-view-model';
import type { MediaSignals } from '../ui/media-monitor';

/**
 * What a tile and the people list show about a participant's media, pure: whether its microphone is
 * off (ours as we set it, another's when its audio is digital silence), whether its camera is off (ours
 * as we set it, another's when its frames are black) and whether it is the active speaker. Shared by the
 * video grid and the people list so both always agree.
 */

/** Our own switches (the room object carries no mute state). */
export interface OwnSwitches {
  micOn: boolean;
  cameraOn: boolean;
}

/**
 * Whether a publisher's microphone is off: ours as we set it, another's when its audio is digital
 * silence (a muted track; the room object carries no mute state). Viewers send nothing: not "muted".
 */
export function tileMuted(tile: TileModel, own: OwnSwitches, signals: MediaSignals): boolean {
  if (!tile.live) return false;
  return tile.isMe ? !own.micOn : signals.silent.has(tile.participantId);
}

/** Whether the participant's camera is off: ours as we set it, another's when its frames are black. */
export function tileCameraOff(tile: TileModel, own: OwnSwitches, signals: MediaSignals): boolean {
  return tile.isMe ? !own.cameraOn : signals.dark.has(tile.participantId);
}

/** The active speaker, unless its microphone is off. */
export function tileSpeaking(tile: TileModel, muted: boolean, signals: MediaSignals): boolean {
  return signals.activeSpeaker === tile.participantId && !muted;
}
