import type { AppContext } from '../app-context';
import type { HumanError } from '../lib/error-messages';
import { h, replace } from '../ui/dom';
import { icon } from '../ui/icons';

/**
 * The banner that says why the room is over for us (kicked, ended, connection lost, …), with a way back
 * home, "Try again" when it may work later and "Sign in again" when the session expired.
 */
export function showRoomOver(banner: HTMLElement, human: HumanError, ctx: AppContext): void {
  banner.setAttribute('data-code', human.code);
  replace(
    banner,
    icon('alert'),
    h('div', { class: 'banner-body' }, h('strong', {}, human.title), h('span', {}, human.message)),
    human.retryable
      ? h(
          'button',
          {
            class: 'btn btn-small',
            'data-testid': 'banner-retry',
            onclick: () => ctx.navigate(location.pathname + location.hash, { replace: true }),
          },
          icon('refresh'),
          'Try again',
        )
      : null,
    human.signInAgain
      ? h(
          'button',
          {
            class: 'btn btn-small',
            'data-testid': 'banner-sign-in',
            onclick: () => ctx.sessionExpired(human.code),
          },
          'Sign in again',
        )
      : null,
    h(
      'button',
      {
        class: 'btn btn-small btn-primary',
        'data-testid': 'banner-home',
        onclick: () => ctx.navigate('/'),
      },
      'Back to home',
    ),
  );
  banner.hidden = false;
}
