import type { HlsPlaybackError, HlsStreamAccess, MediaStreamLike } from '@hoot/sdk';
import type { RoomModel } from '../lib/room-view-model';
import { h } from '../ui/dom';
import { icon } from '../ui/icons';
import { VideoSource } from '../ui/video-source';

export interface ScreenStage {
  element: HTMLElement;
  render(
    m: RoomModel,
    local: MediaStreamLike | undefined,
    remote: ReadonlyMap<string, MediaStreamLike>,
    remoteHls: ReadonlyMap<string, HlsStreamAccess>,
  ): void;
  /** Detaches every stream from its video element (the room is over). */
  clear(): void;
}

interface ScreenView {
  root: HTMLElement;
  video: HTMLVideoElement;
  caption: HTMLElement;
  source: VideoSource;
}

/**
 * The stage of shared screens, above the tiles: each shared screen large, muted, with its sharer's name;
 * hidden when nobody shares (and its parent marked `has-screen` while someone does).
 */
export function screenStage(onHlsError: (error: HlsPlaybackError) => void): ScreenStage {
  const stage = h('div', { class: 'screen-stage', 'data-testid': 'screen-stage', hidden: true });
  const views = new Map<string, ScreenView>();

  function render(
    m: RoomModel,
    local: MediaStreamLike | undefined,
    remote: ReadonlyMap<string, MediaStreamLike>,
    remoteHls: ReadonlyMap<string, HlsStreamAccess>,
  ): void {
    const seen = new Set<string>();
    for (const screen of m.screens) {
      seen.add(screen.participantId);
      let view = views.get(screen.participantId);
      if (!view) {
        const video = h('video', {
          autoplay: true,
          playsinline: true,
          muted: true,
          'data-testid': 'screen-video',
        });
        video.muted = true;
        const caption = h('figcaption', { class: 'screen-caption', 'data-testid': 'screen-caption' });
        const root = h(
          'figure',
          {
            class: 'screen-share',
            'data-testid': 'screen-share',
            'data-participant-id': screen.participantId,
          },
          video,
          caption,
        );
        // Video only and muted: it may always play on its own.
        const source = new VideoSource(video, {
          play: (v) => void v.play().catch(() => undefined),
          onError: onHlsError,
        });
        view = { root, video, caption, source };
        views.set(screen.participantId, view);
        stage.appendChild(view.root);
      }
      view.caption.replaceChildren(icon('screen'), screen.caption);
      view.root.setAttribute('data-me', String(screen.isMe));
      const stream = screen.isMe ? local : remote.get(screen.participantId);
      view.source.show({ stream, hls: screen.isMe ? undefined : remoteHls.get(screen.participantId) });
      view.root.classList.toggle('has-video', view.source.active);
    }
    for (const [id, view] of views) {
      if (seen.has(id)) continue;
      view.source.clear();
      view.root.remove();
      views.delete(id);
    }
    stage.hidden = m.screens.length === 0;
    stage.parentElement?.classList.toggle('has-screen', m.screens.length > 0);
  }

  return {
    element: stage,
    render,
    clear() {
      for (const view of views.values()) view.source.clear();
    },
  };
}
