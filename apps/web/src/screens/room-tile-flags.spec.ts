import type { TileModel } from '../lib/room-view-model';
import type { MediaSignals } from '../ui/media-monitor';
import { tileCameraOff, tileMuted, tileSpeaking } from './room-tile-flags';

const tile = (over: Partial<TileModel>): TileModel => ({
  participantId: 'p-2',
  displayName: 'Bob',
  initials: 'B',
  role: 'publisher',
  roleLabel: 'speaker',
  isOwner: false,
  isMe: false,
  handRaised: false,
  live: true,
  audioOnly: false,
  canKick: false,
  ...over,
});

const signals = (over: Partial<MediaSignals> = {}): MediaSignals => ({
  silent: new Set(),
  dark: new Set(),
  ...over,
});

describe('tile flags', () => {
  it('our microphone and camera are off as we set them, whatever the signals say', () => {
    const me = tile({ participantId: 'p-1', isMe: true });
    const heard = signals({ silent: new Set(['p-1']), dark: new Set(['p-1']) });
    expect(tileMuted(me, { micOn: true, cameraOn: true }, heard)).toBe(false);
    expect(tileMuted(me, { micOn: false, cameraOn: true }, signals())).toBe(true);
    expect(tileCameraOff(me, { micOn: true, cameraOn: true }, heard)).toBe(false);
    expect(tileCameraOff(me, { micOn: true, cameraOn: false }, signals())).toBe(true);
  });

  it("another's are off when its audio is silence or its frames are black; a viewer is never muted", () => {
    const own = { micOn: false, cameraOn: false };
    expect(tileMuted(tile({}), own, signals({ silent: new Set(['p-2']) }))).toBe(true);
    expect(tileMuted(tile({}), own, signals())).toBe(false);
    expect(tileMuted(tile({ live: false, role: 'viewer' }), own, signals({ silent: new Set(['p-2']) }))).toBe(
      false,
    );
    expect(tileCameraOff(tile({}), own, signals({ dark: new Set(['p-2']) }))).toBe(true);
    expect(tileCameraOff(tile({}), own, signals())).toBe(false);
  });

  it('the active speaker is highlighted unless muted', () => {
    expect(tileSpeaking(tile({}), false, signals({ activeSpeaker: 'p-2' }))).toBe(true);
    expect(tileSpeaking(tile({}), true, signals({ activeSpeaker: 'p-2' }))).toBe(false);
    expect(tileSpeaking(tile({}), false, signals({ activeSpeaker: 'p-3' }))).toBe(false);
  });
});
