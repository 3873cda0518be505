import { HlsPlayer, type RecordingStopReason, type RoomSession } from '@hoot/sdk';
import type { RecordedStream, RecordingList } from '@hoot/contracts';
import type { AppContext } from '../app-context';
import type { RoomModel } from '../lib/room-view-model';
import { loadHlsFromPage } from '../ui/hls-loader';
import { DrawnParts } from '../ui/drawn-parts';
import { h, replace } from '../ui/dom';
import { icon } from '../ui/icons';

/** What the recording parts of the room show and do. */
export interface RoomRecording {
  /** "Recording" in the room's header, for everyone while the room is recorded. */
  indicator: HTMLElement;
  /** The creator's Record / Stop recording button (in the header). */
  button: HTMLElement;
  /** The conference's recordings, each stream playable (side column; hidden while there are none). */
  panel: HTMLElement;
  /** Follows a joined session's recording events; returns the function that stops following. */
  attach(session: RoomSession): () => void;
  render(m: RoomModel): void;
  dispose(): void;
}

const STOPPED_WORDS: Record<RecordingStopReason, string> = {
  stopped: 'The recording was stopped and is kept.',
  'room-ended': 'The room ended; the recording is kept.',
  'storage-full': 'The recording storage is full; what was recorded is kept.',
  failed: 'The recording failed; what was recorded is kept.',
};

/**
 * Recording in the room (issue 18): the indicator everyone sees while the room is recorded, the creator's
 * button that starts and stops it (`RoomSession.record`; refusals are toasts through the error table),
 * and the conference's recordings (`GET /v1/conferences/:id/recordings` at this registry), listed again
 * when a recording stops or on Refresh, each stream played in place by an `HlsPlayer` (its VOD playlist).
 */
export function roomRecording(ctx: AppContext, conferenceId: string): RoomRecording {
  let session: RoomSession | undefined;
  let pending = false;
  let list: RecordingList | undefined;
  let player: HlsPlayer | undefined;
  const drawn = new DrawnParts();
  const indicator = h(
    'span',
    { class: 'pill pill-recording', 'data-testid': 'recording-indicator', hidden: true },
    'Recording',
  );
  const button = h('span', { class: 'record-host' });
  const items = h('ol', { class: 'recordings-list', 'data-testid': 'recordings-list' });
  const video = h('video', { controls: true, playsinline: true, 'data-testid': 'recording-video' });
  const playerBox = h(
    'figure',
    { class: 'recording-player', 'data-testid': 'recording-player', hidden: true },
    video,
    h(
      'button',
      { class: 'btn btn-small btn-ghost', 'data-testid': 'recording-close', onclick: () => closePlayer() },
      'Close',
    ),
  );
  const panel = h(
    'section',
    { class: 'recordings card', 'data-testid': 'recordings', hidden: true },
    h(
      'div',
      { class: 'card-head' },
      h('h2', {}, icon('screen'), 'Recordings'),
      h(
        'button',
        { class: 'btn btn-small', 'data-testid': 'recordings-refresh', onclick: () => void refresh(true) },
        'Refresh',
      ),
    ),
    playerBox,
    items,
  );

  function render(m: RoomModel): void {
    const recording = session?.recording;
    indicator.hidden = !recording;
    if (drawn.unchanged('button', [m.canRecord, !!recording, pending])) return;
    replace(
      button,
      m.canRecord
        ? h(
            'button',
            {
              class: `btn btn-small ${recording ? 'btn-danger' : 'btn-ghost'}`,
              'data-testid': 'record-toggle',
              'data-recording': String(!!recording),
              disabled: pending,
              title: recording ? 'Stop recording the room' : 'Record every stream of the room',
              onclick: () => void toggle(recording ? 'stop' : 'start', m),
            },
            recording ? 'Stop recording' : 'Record',
          )
        : null,
    );
  }

  async function toggle(action: 'start' | 'stop', m: RoomModel): Promise<void> {
    if (!session || pending) return;
    pending = true;
    render(m);
    try {
      await session.record(action);
    } catch (error) {
      ctx.toasts.error(error);
    } finally {
      pending = false;
      render(m);
    }
  }

  async function refresh(asked: boolean): Promise<void> {
    try {
      list = await ctx.client.recordings(conferenceId);
    } catch (error) {
      // Listing on our own (joining, a recording stopped) stays quiet; a click is answered.
      if (asked) ctx.toasts.error(error);
      return;
    }
    drawList();
  }

  function drawList(): void {
    const recordings = list?.recordings ?? [];
    panel.hidden = recordings.length === 0;
    replace(
      items,
      recordings.map((r) =>
        h(
          'li',
          {
            class: 'recording-item',
            'data-testid': 'recording-item',
            'data-recording-id': r.recordingId,
            'data-state': r.stoppedAt ? 'stopped' : 'recording',
          },
          h('span', { class: 'muted small' }, new Date(r.startedAt).toLocaleString()),
          r.streams.map((s) => streamButton(s)),
        ),
      ),
    );
  }

  function streamButton(s: RecordedStream): HTMLElement {
    const who = session?.room.participants[s.participantId]?.displayName ?? s.participantId;
    return h(
      'button',
      {
        class: 'btn btn-small btn-ghost',
        'data-testid': 'recording-play',
        'data-stream-id': s.streamId,
        'data-state': s.state,
        'data-duration': s.durationS,
        onclick: () => play(s),
      },
      icon('screen'),
      `${who}${s.stream === 'screen' ? ' (screen)' : ''} · ${Math.round(s.durationS)} s`,
    );
  }

  function play(s: RecordedStream): void {
    closePlayer();
    playerBox.hidden = false;
    playerBox.setAttribute('data-stream-id', s.streamId);
    video.setAttribute('data-hls', 'true');
    player = new HlsPlayer(video, {
      loadHlsJs: loadHlsFromPage,
      onError: (error) => ctx.toasts.error(error),
    });
    void player.loadUrl(s.playbackUrl).then(() => video.play().catch(() => undefined));
  }

  function closePlayer(): void {
    player?.destroy();
    player = undefined;
    video.removeAttribute('data-hls');
    playerBox.hidden = true;
  }

  function attach(joined: RoomSession): () => void {
    session = joined;
    const offs = [
      joined.on('recording-started', () => {
        ctx.toasts.info('Recording', 'This room is being recorded.', 'recording-started');
      }),
      joined.on('recording-stopped', ({ reason }) => {
        ctx.toasts.info(
          'Recording stopped',
          STOPPED_WORDS[reason] ?? STOPPED_WORDS.stopped,
          'recording-stopped',
        );
        void refresh(false);
      }),
    ];
    void refresh(false);
    return () => offs.forEach((off) => off());
  }

  return {
    indicator,
    button,
    panel,
    attach,
    render,
    dispose: () => closePlayer(),
  };
}
