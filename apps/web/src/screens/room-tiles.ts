import type { HlsPlaybackError, HlsStreamAccess, MediaStreamLike } from '@hoot/sdk';
import { gridColumns, mobileColumns, type RoomModel, type TileModel } from '../lib/room-view-model';
import { append, h } from '../ui/dom';
import { icon } from '../ui/icons';
import type { MediaMonitor, MediaSignals } from '../ui/media-monitor';
import type { Toasts } from '../ui/toasts';
import { VideoSource } from '../ui/video-source';
import { tileCameraOff, tileMuted, tileSpeaking, type OwnSwitches } from './room-tile-flags';

/** What the grid draws from besides the room model: our switches, the media signals and the streams. */
export interface TileMedia extends OwnSwitches {
  signals: MediaSignals;
  localStream: MediaStreamLike | undefined;
  remoteStreams: ReadonlyMap<string, MediaStreamLike>;
  /** p2m viewers: the cameras played over LL-HLS instead of WebRTC, by participant id. */
  remoteHls: ReadonlyMap<string, HlsStreamAccess>;
}

export interface TileGrid {
  element: HTMLElement;
  render(m: RoomModel, media: TileMedia): void;
  /** Detaches every stream from its video element (the room is over). */
  clear(): void;
}

interface TileView {
  root: HTMLElement;
  video: HTMLVideoElement;
  source: VideoSource;
  /** The tile model last drawn: the overlay is rebuilt only when it changes. */
  drawn?: string;
}

/**
 * The room's video grid: one tile per participant (ours and everyone else's) in the model's order, with
 * its stream playing, a name bar (owner, role, hand, audio only, muted), the active-speaker highlight, and
 * a remove button for those we may kick. Columns follow the number of tiles (desk and phone). When the
 * browser refuses to play sound before a click, tiles play muted until the first click on the page.
 */
export function tileGrid(deps: {
  monitor: MediaMonitor;
  toasts: Toasts;
  onRemove(tile: TileModel): Promise<void>;
  /** A live HLS stream could not be played. */
  onHlsError(error: HlsPlaybackError): void;
}): TileGrid {
  const grid = h('div', { class: 'video-grid', 'data-testid': 'video-grid' });
  const tiles = new Map<string, TileView>();
  let soundBlocked = false;

  function render(m: RoomModel, media: TileMedia): void {
    const seen = new Set<string>();
    m.tiles.forEach((tile, index) => {
      seen.add(tile.participantId);
      let view = tiles.get(tile.participantId);
      if (!view) {
        view = makeTile(tile.participantId);
        tiles.set(tile.participantId, view);
        grid.appendChild(view.root);
      }
      updateTile(view, tile, index, media);
    });
    for (const [id, view] of tiles) {
      if (seen.has(id)) continue;
      deps.monitor.unfollow(id);
      view.source.clear();
      view.root.remove();
      tiles.delete(id);
    }
    grid.style.setProperty('--columns', String(gridColumns(m.tiles.length)));
    grid.style.setProperty('--mobile-columns', String(mobileColumns(m.tiles.length)));
  }

  function makeTile(participantId: string): TileView {
    const video = h('video', { autoplay: true, playsinline: true, 'data-testid': 'tile-video' });
    const root = h(
      'article',
      { class: 'tile', 'data-testid': 'tile', 'data-participant-id': participantId },
      video,
    );
    const source = new VideoSource(video, {
      play: (v) => {
        const me = root.getAttribute('data-me') === 'true';
        v.muted = me;
        void v.play().catch(() => me || playMuted(v));
      },
      onError: (error) => deps.onHlsError(error),
    });
    return { root, video, source };
  }

  function updateTile(view: TileView, tile: TileModel, index: number, media: TileMedia): void {
    const { root, video } = view;
    root.style.order = String(index);
    root.setAttribute('data-role', tile.role);
    root.setAttribute('data-owner', String(tile.isOwner));
    root.setAttribute('data-me', String(tile.isMe));
    root.setAttribute('data-hand', String(tile.handRaised));
    const stream = tile.isMe ? media.localStream : media.remoteStreams.get(tile.participantId);
    const hls = tile.isMe ? undefined : media.remoteHls.get(tile.participantId);
    view.source.show({ stream, hls });
    root.setAttribute('data-hls', String(view.source.isHls));
    // Over HLS there is no MediaStream to listen to or sample: no speaker or dark-frame signals.
    deps.monitor.follow(tile.participantId, hls ? undefined : (stream as MediaStream | undefined), video);
    const cameraOff = tileCameraOff(tile, media, media.signals);
    const hasVideo = !!hls || (!!stream && stream.getTracks().some((t) => t.kind === 'video') && !cameraOff);
    const muted = tileMuted(tile, media, media.signals);
    const speaking = tileSpeaking(tile, muted, media.signals);
    root.classList.toggle('has-video', hasVideo);
    root.setAttribute('data-video', String(hasVideo));
    root.setAttribute('data-muted', String(muted));
    root.setAttribute('data-speaking', String(speaking));
    root.classList.toggle('speaking', speaking);
    root.classList.toggle('speaking-role', tile.role === 'publisher');
    // Everything but the video element is rebuilt when the tile changes (keeps playback going, and
    // buttons stay put while nothing about the participant changed).
    const drawn = JSON.stringify([tile, muted]);
    if (view.drawn === drawn) return;
    view.drawn = drawn;
    for (const el of [...root.children]) if (el !== video) el.remove();
    append(root, [
      h('div', { class: 'tile-avatar', 'aria-hidden': 'true' }, h('span', {}, tile.initials)),
      h(
        'div',
        { class: 'tile-bar' },
        tile.isOwner
          ? h(
              'span',
              { class: 'tile-owner', title: 'Owner', 'data-testid': 'tile-owner' },
              icon('crown', 'Owner'),
            )
          : null,
        h(
          'span',
          { class: 'tile-name', 'data-testid': 'tile-name' },
          tile.displayName,
          tile.isMe ? h('span', { class: 'muted' }, ' (you)') : null,
        ),
        h('span', { class: `role role-${tile.role}`, 'data-testid': 'tile-role' }, tile.roleLabel),
        tile.handRaised
          ? h(
              'span',
              { class: 'tile-hand', title: 'Hand raised', 'data-testid': 'tile-hand' },
              icon('hand', 'Hand raised'),
            )
          : null,
        tile.audioOnly && tile.live && !muted
          ? h('span', { class: 'tile-audio', title: 'Audio only' }, icon('mic', 'Audio only'))
          : null,
        muted
          ? h(
              'span',
              { class: 'tile-muted', title: 'Microphone off', 'data-testid': 'tile-muted' },
              icon('micOff', 'Microphone off'),
            )
          : null,
      ),
      tile.canKick
        ? h(
            'button',
            {
              class: 'tile-kick icon-button',
              title: `Remove ${tile.displayName}`,
              'aria-label': `Remove ${tile.displayName}`,
              'data-testid': 'kick',
              'data-participant-id': tile.participantId,
              onclick: () => void deps.onRemove(tile),
            },
            icon('kick'),
          )
        : null,
    ]);
  }

  /**
   * The browser refused to play sound before any click on the page (autoplay policy, e.g. a join link
   * opened directly): play muted and unmute everyone on the first click.
   */
  function playMuted(video: HTMLVideoElement): void {
    video.muted = true;
    void video.play().catch(() => undefined);
    if (soundBlocked) return;
    soundBlocked = true;
    deps.toasts.info(
      'Sound is off',
      'Click anywhere on the page to hear the others.',
      'web.autoplay-blocked',
    );
    document.addEventListener(
      'click',
      () => {
        soundBlocked = false;
        for (const view of tiles.values())
          if (view.root.getAttribute('data-me') !== 'true') view.video.muted = false;
      },
      { once: true },
    );
  }

  return {
    element: grid,
    render,
    clear() {
      for (const view of tiles.values()) view.source.clear();
    },
  };
}
