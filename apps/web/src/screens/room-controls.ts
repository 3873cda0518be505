import type { RoomSession } from '@hoot/sdk';
import type { RoomModel } from '../lib/room-view-model';
import { confirmAction } from '../ui/confirm';
import { DrawnParts } from '../ui/drawn-parts';
import { h, replace } from '../ui/dom';
import { icon } from '../ui/icons';
import type { Toasts } from '../ui/toasts';

/** The room screen's switches the controls show. */
export interface ControlsState {
  micOn: boolean;
  cameraOn: boolean;
  /** A share being started (the browser's picker is open): the control waits. */
  screenStarting: boolean;
  settingsOpen: boolean;
}

/** What the controls do; the room screen owns the state they change. */
export interface ControlsActions {
  session(): RoomSession | undefined;
  toasts: Toasts;
  toggleMic(): void;
  toggleCamera(): void;
  toggleScreenShare(sharing: boolean): Promise<void>;
  toggleSettings(): void;
  /** We ended the room for everyone. */
  ended(): void;
  leave(): void;
}

export interface RoomControls {
  element: HTMLElement;
  render(m: RoomModel, state: ControlsState): void;
}

/**
 * The controls under the grid: mute and camera (publishers; no camera in a2m), share screen (where the
 * room allows it, with the reason when it does not), device settings, raise/lower hand (viewers), end for
 * all (owner, after confirming) and leave (after confirming). Redrawn only when something they show
 * changed, so a button never moves under the pointer.
 */
export function roomControls(actions: ControlsActions): RoomControls {
  const controls = h('div', { class: 'controls', 'data-testid': 'room-controls' });
  const drawn = new DrawnParts();

  function render(m: RoomModel, state: ControlsState): void {
    const { micOn, cameraOn, screenStarting, settingsOpen } = state;
    if (
      drawn.unchanged('controls', [
        m.me?.role,
        m.type,
        m.canRaiseHand,
        m.handRaised,
        m.canEnd,
        micOn,
        cameraOn,
        m.screenShare,
        screenStarting,
        settingsOpen,
      ])
    )
      return;
    const share = m.screenShare;
    const iPublish = m.me?.role === 'publisher';
    const hasVideo = m.type !== 'a2m';
    replace(
      controls,
      iPublish
        ? h(
            'button',
            {
              class: `round-button${micOn ? '' : ' off'}`,
              title: micOn ? 'Mute' : 'Unmute',
              'aria-pressed': String(!micOn),
              'data-testid': 'toggle-mic',
              onclick: () => actions.toggleMic(),
            },
            icon(micOn ? 'mic' : 'micOff'),
          )
        : null,
      iPublish && hasVideo
        ? h(
            'button',
            {
              class: `round-button${cameraOn ? '' : ' off'}`,
              title: cameraOn ? 'Turn camera off' : 'Turn camera on',
              'aria-pressed': String(!cameraOn),
              'data-testid': 'toggle-camera',
              onclick: () => actions.toggleCamera(),
            },
            icon(cameraOn ? 'camera' : 'cameraOff'),
          )
        : null,
      share.visible
        ? h(
            'button',
            {
              class: `btn btn-collapse ${share.sharing ? 'btn-primary' : 'btn-ghost'}`,
              'data-testid': share.sharing ? 'stop-screen-share' : 'share-screen',
              'aria-label': share.sharing ? 'Stop sharing' : 'Share screen',
              'aria-pressed': String(share.sharing),
              disabled: !share.enabled || screenStarting,
              title:
                share.reason ??
                (share.sharing ? 'Stop showing your screen' : 'Show your screen to everyone in the room'),
              onclick: () => void actions.toggleScreenShare(share.sharing),
            },
            icon(share.sharing ? 'screenOff' : 'screen'),
            h('span', { class: 'btn-label' }, share.sharing ? 'Stop sharing' : 'Share screen'),
          )
        : null,
      h(
        'button',
        {
          class: `round-button${settingsOpen ? ' active' : ''}`,
          title: 'Camera and microphone settings',
          'aria-label': 'Camera and microphone settings',
          'aria-expanded': String(settingsOpen),
          'data-testid': 'toggle-devices',
          onclick: () => actions.toggleSettings(),
        },
        icon('settings'),
      ),
      m.canRaiseHand
        ? h(
            'button',
            {
              class: `btn ${m.handRaised ? 'btn-primary' : 'btn-ghost'}`,
              'data-testid': m.handRaised ? 'lower-hand' : 'raise-hand',
              onclick: () => {
                const session = actions.session();
                const action = m.handRaised ? session?.lowerHand() : session?.raiseHand();
                action?.then(
                  () =>
                    !m.handRaised &&
                    actions.toasts.info('Hand raised', 'The owner has been asked to let you speak.'),
                  (error: unknown) => actions.toasts.error(error),
                );
              },
            },
            icon('hand'),
            m.handRaised ? 'Lower hand' : 'Raise hand',
          )
        : null,
      h('span', { class: 'spacer' }),
      m.canEnd
        ? h(
            'button',
            {
              class: 'btn btn-collapse btn-danger-ghost',
              'data-testid': 'end-room',
              'aria-label': 'End for all',
              onclick: async () => {
                const sure = await confirmAction({
                  title: 'End for everyone?',
                  message: 'Everyone is removed from the room and the conference ends for good.',
                  confirmLabel: 'End for all',
                });
                if (!sure) return;
                actions
                  .session()
                  ?.end()
                  .then(
                    () => actions.ended(),
                    (error: unknown) => actions.toasts.error(error),
                  );
              },
            },
            icon('end'),
            h('span', { class: 'btn-label' }, 'End for all'),
          )
        : null,
      h(
        'button',
        {
          class: 'btn btn-danger',
          'data-testid': 'leave',
          onclick: async () => {
            const sure = await confirmAction({
              title: 'Leave the room?',
              message: 'You can join again with the conference address while it goes on.',
              confirmLabel: 'Leave',
            });
            if (sure) actions.leave();
          },
        },
        icon('leave'),
        'Leave',
      ),
    );
  }

  return { element: controls, render };
}
