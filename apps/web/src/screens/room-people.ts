import type { RoomSession } from '@hoot/sdk';
import type { RoomModel, TileModel } from '../lib/room-view-model';
import { confirmAction } from '../ui/confirm';
import { DrawnParts } from '../ui/drawn-parts';
import { h, replace } from '../ui/dom';
import { icon } from '../ui/icons';
import type { MediaSignals } from '../ui/media-monitor';
import type { Toasts } from '../ui/toasts';
import { tileCameraOff, tileMuted, tileSpeaking, type OwnSwitches } from './room-tile-flags';

export interface PeoplePanel {
  element: HTMLElement;
  render(m: RoomModel, own: OwnSwitches, signals: MediaSignals): void;
  /** Removes someone after asking; remembers them so the owner can let them back in. */
  remove(tile: TileModel): Promise<void>;
}

/**
 * The people card: everyone in the room with role, owner, hand, camera and microphone state and the
 * active speaker; below it, for the owner, the people removed from this page with "Let back in"
 * (`unban`). Removing someone (from a tile) asks first, kicks, and remembers them here.
 */
export function peoplePanel(deps: {
  session(): RoomSession | undefined;
  toasts: Toasts;
  /** Draws the whole room again (after a removal or a let-back-in). */
  rerender(): void;
}): PeoplePanel {
  const people = h('ul', { class: 'people-list', 'data-testid': 'participant-list' });
  const count = h('span', { class: 'muted people-count' });
  /** People removed from this page (identity → name): the owner may let them back in. */
  const removed = new Map<string, string>();
  const removedList = h('ul', {
    class: 'people-list removed-list',
    'data-testid': 'removed-list',
    hidden: true,
  });
  const drawn = new DrawnParts();
  const element = h(
    'details',
    { class: 'people card', open: true, 'data-testid': 'people' },
    h('summary', {}, h('h2', {}, icon('users'), 'People ', count)),
    people,
    removedList,
  );

  function render(m: RoomModel, own: OwnSwitches, signals: MediaSignals): void {
    renderPeople(m, own, signals);
    renderRemoved(m);
  }

  function renderPeople(m: RoomModel, own: OwnSwitches, signals: MediaSignals): void {
    const rows = m.tiles.map((t) => ({
      t,
      muted: tileMuted(t, own, signals),
      cameraOff: t.live && !t.audioOnly && tileCameraOff(t, own, signals),
      speaking: tileSpeaking(t, tileMuted(t, own, signals), signals),
    }));
    if (drawn.unchanged('people', rows)) return;
    count.textContent = String(m.tiles.length);
    replace(
      people,
      rows.map(({ t, muted, cameraOff, speaking }) =>
        h(
          'li',
          {
            class: `person${speaking ? ' speaking' : ''}`,
            'data-testid': 'participant',
            'data-participant-id': t.participantId,
            'data-role': t.role,
            'data-owner': String(t.isOwner),
            'data-hand': String(t.handRaised),
            'data-muted': String(muted),
            'data-speaking': String(speaking),
          },
          h('span', { class: 'avatar' }, t.initials),
          h(
            'span',
            { class: 'person-main' },
            h(
              'span',
              { class: 'person-name' },
              t.displayName,
              t.isMe ? h('span', { class: 'muted' }, ' (you)') : null,
            ),
            h(
              'span',
              { class: 'muted small', 'data-testid': 'participant-role' },
              t.isOwner ? `owner · ${t.roleLabel}` : t.roleLabel,
            ),
          ),
          t.isOwner ? h('span', { class: 'tile-owner', title: 'Owner' }, icon('crown', 'Owner')) : null,
          t.handRaised
            ? h(
                'span',
                { class: 'tile-hand', title: 'Hand raised', 'data-testid': 'participant-hand' },
                icon('hand', 'Hand raised'),
              )
            : null,
          cameraOff
            ? h('span', { class: 'muted', title: 'Camera off' }, icon('cameraOff', 'Camera off'))
            : null,
          t.live
            ? h(
                'span',
                {
                  class: muted ? 'person-muted' : 'muted',
                  title: muted ? 'Microphone off' : 'Microphone on',
                },
                icon(muted ? 'micOff' : 'mic', muted ? 'Microphone off' : 'Microphone on'),
              )
            : null,
        ),
      ),
    );
  }

  /** The owner's list of people removed from this page, each with "Let back in" (`unban`). */
  function renderRemoved(m: RoomModel): void {
    const rows = m.isOwner ? [...removed] : [];
    if (drawn.unchanged('removed', rows)) return;
    removedList.hidden = rows.length === 0;
    replace(
      removedList,
      rows.length > 0 ? h('li', { class: 'muted small removed-title' }, 'Removed') : null,
      rows.map(([identity, name]) =>
        h(
          'li',
          { class: 'person removed', 'data-testid': 'removed-person', 'data-identity': identity },
          h('span', { class: 'avatar' }, name.slice(0, 1).toUpperCase()),
          h('span', { class: 'person-main' }, h('span', { class: 'person-name' }, name)),
          h(
            'button',
            {
              class: 'btn btn-ghost btn-small',
              type: 'button',
              'data-testid': 'unban',
              onclick: () =>
                deps
                  .session()
                  ?.unban(identity)
                  .then(
                    () => {
                      removed.delete(identity);
                      deps.toasts.info('Let back in', `${name} may join again.`);
                      deps.rerender();
                    },
                    (error: unknown) => deps.toasts.error(error),
                  ),
            },
            'Let back in',
          ),
        ),
      ),
    );
  }

  async function remove(tile: TileModel): Promise<void> {
    const sure = await confirmAction({
      title: `Remove ${tile.displayName}?`,
      message: `${tile.displayName} leaves the room and cannot come back until the owner lets them in again.`,
      confirmLabel: 'Remove',
    });
    const session = deps.session();
    if (!sure || !session) return;
    const identity = session.room.participants[tile.participantId]?.identity;
    try {
      await session.kick(tile.participantId);
      if (identity) removed.set(identity, tile.displayName);
      deps.toasts.info('Removed', `${tile.displayName} was removed.`);
      deps.rerender();
    } catch (error) {
      deps.toasts.error(error);
    }
  }

  return { element, render, remove };
}
