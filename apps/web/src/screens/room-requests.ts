import type { RoomSession } from '@hoot/sdk';
import type { RoomModel } from '../lib/room-view-model';
import { DrawnParts } from '../ui/drawn-parts';
import { h, replace } from '../ui/dom';
import { icon } from '../ui/icons';
import type { Toasts } from '../ui/toasts';

/**
 * The owner's publish requests above the grid: one card per raised hand with Approve and Deny (the
 * room's `approve` / `deny`); redrawn only when the list changes.
 */
export function publishRequests(deps: { session(): RoomSession | undefined; toasts: Toasts }): {
  element: HTMLElement;
  render(m: RoomModel): void;
} {
  const requests = h('div', { class: 'requests', 'data-testid': 'publish-requests' });
  const drawn = new DrawnParts();

  function render(m: RoomModel): void {
    if (drawn.unchanged('requests', m.requests)) return;
    replace(
      requests,
      m.requests.map((r) =>
        h(
          'div',
          { class: 'request card', 'data-testid': 'publish-request', 'data-participant-id': r.participantId },
          icon('hand'),
          h('span', { class: 'request-text' }, h('strong', {}, r.displayName), ' asks to speak'),
          h(
            'button',
            {
              class: 'btn btn-small btn-primary',
              'data-testid': 'approve',
              'data-participant-id': r.participantId,
              onclick: () =>
                deps
                  .session()
                  ?.approve(r.participantId)
                  .catch((error: unknown) => deps.toasts.error(error)),
            },
            icon('check'),
            'Approve',
          ),
          h(
            'button',
            {
              class: 'btn btn-small btn-ghost',
              'data-testid': 'deny',
              'data-participant-id': r.participantId,
              onclick: () =>
                deps
                  .session()
                  ?.deny(r.participantId)
                  .catch((error: unknown) => deps.toasts.error(error)),
            },
            icon('close'),
            'Deny',
          ),
        ),
      ),
    );
  }

  return { element: requests, render };
}
