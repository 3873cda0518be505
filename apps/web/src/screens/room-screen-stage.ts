import type { MediaStreamLike } from '@hoot/sdk';
import type { RoomModel } from '../lib/room-view-model';
import { h } from '../ui/dom';
import { icon } from '../ui/icons';

export interface ScreenStage {
  element: HTMLElement;
  render(
    m: RoomModel,
    local: MediaStreamLike | undefined,
    remote: ReadonlyMap<string, MediaStreamLike>,
  ): void;
  /** Detaches every stream from its video element (the room is over). */
  clear(): void;
}

interface ScreenView {
  root: HTMLElement;
  video: HTMLVideoElement;
  caption: HTMLElement;
  stream?: MediaStreamLike;
}

/**
 * The stage of shared screens, above the tiles: each shared screen large, muted, with its sharer's name;
 * hidden when nobody shares (and its parent marked `has-screen` while someone does).
 */
export function screenStage(): ScreenStage {
  const stage = h('div', { class: 'screen-stage', 'data-testid': 'screen-stage', hidden: true });
  const views = new Map<string, ScreenView>();

  function render(
    m: RoomModel,
    local: MediaStreamLike | undefined,
    remote: ReadonlyMap<string, MediaStreamLike>,
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
        view = { root, video, caption };
        views.set(screen.participantId, view);
        stage.appendChild(view.root);
      }
      view.caption.replaceChildren(icon('screen'), screen.caption);
      view.root.setAttribute('data-me', String(screen.isMe));
      const stream = screen.isMe ? local : remote.get(screen.participantId);
      if (view.stream !== stream) {
        view.stream = stream;
        view.video.srcObject = (stream as MediaStream | undefined) ?? null;
        // Video only and muted: it may always play on its own.
        if (stream) void view.video.play().catch(() => undefined);
      }
      view.root.classList.toggle('has-video', !!stream);
    }
    for (const [id, view] of views) {
      if (seen.has(id)) continue;
      view.video.srcObject = null;
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
      for (const view of views.values()) view.video.srcObject = null;
    },
  };
}
