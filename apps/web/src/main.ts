import { HootClient } from '@hoot/sdk';
import type { AppContext, Screen } from './app-context';
import { installDebug } from './debug';
import { describeError } from './lib/error-messages';
import { parseRoute, sameOrigin } from './lib/routes';
import { SessionStore } from './lib/session-store';
import { isExpired, readClaims, type TokenClaims } from './lib/token-claims';
import { homeScreen } from './screens/home.screen';
import { roomScreen } from './screens/room.screen';
import { signInScreen } from './screens/sign-in.screen';
import { h, replace } from './ui/dom';
import { icon } from './ui/icons';
import { Toasts } from './ui/toasts';

/**
 * The hoot web app: one page served by every registry. It talks to the registry that served it (its
 * own origin) for sign-in, conferences and joins, and to the CoreMX's signaling for the room.
 */
/** Shown on the sign-in screen when the token ran out or was refused. */
const SESSION_EXPIRED = { code: 'token.expired', message: 'Your session expired — sign in again.' };

/** The notice for a refused token: revoked or disabled say so, anything else is an expired session. */
function sessionNotice(error: unknown): { code: string; message: string } {
  if (error === undefined) return SESSION_EXPIRED;
  const human = describeError(error);
  return human.code === 'token.revoked' || human.code === 'token.account-disabled'
    ? { code: human.code, message: `${human.message} Sign in again.` }
    : { ...SESSION_EXPIRED, code: human.code };
}

function boot(): void {
  const mount = document.getElementById('app')!;
  const store = new SessionStore(window.sessionStorage);
  const client = new HootClient({ registryUrls: [location.origin], token: store.token });

  const userChip = h('div', { class: 'user-chip', 'data-testid': 'header-user' });
  const registryChip = h(
    'div',
    { class: 'registry-chip', 'data-testid': 'header-registry', title: location.origin },
    icon('server'),
    h('span', {}, location.host),
  );
  const pageTitle = h('span', { class: 'page-title' });
  const header = h(
    'header',
    { class: 'app-header' },
    h(
      'a',
      {
        class: 'brand',
        href: '/',
        'data-testid': 'brand',
        onclick: (e: Event) => {
          e.preventDefault();
          ctx.navigate('/');
        },
      },
      icon('logo'),
      h('span', {}, 'hoot'),
    ),
    pageTitle,
    h('span', { class: 'spacer' }),
    registryChip,
    userChip,
  );
  const main = h('main', { class: 'app-main' });
  mount.append(header, main);
  const toasts = new Toasts(mount);

  let screen: Screen | undefined;
  let claims: TokenClaims | undefined;
  /** Why the sign-in screen is shown, when it is not a first visit (cleared by signing in). */
  let expiredNotice: { code: string; message: string } | undefined;
  let expiryTimer: number | undefined;

  const ctx: AppContext = {
    client,
    toasts,
    user: () => claims,
    setToken(token) {
      store.token = token;
      client.setToken(token);
      claims = readClaims(token);
      if (claims) expiredNotice = undefined;
      watchExpiry();
      renderHeader();
      render();
    },
    sessionExpired(error) {
      if (!claims) return;
      expiredNotice = sessionNotice(error);
      ctx.setToken(undefined);
    },
    navigate(path, options = {}) {
      if (options.replace) history.replaceState(null, '', path);
      else history.pushState(null, '', path);
      render();
    },
    setPageTitle(title) {
      pageTitle.textContent = title;
      document.title = title ? `${title} · hoot` : 'hoot';
    },
  };

  claims = readClaims(store.token);
  if (isExpired(claims, Date.now())) {
    store.token = undefined;
    client.setToken(undefined);
    claims = undefined;
    expiredNotice = SESSION_EXPIRED;
  }
  watchExpiry();

  /** Says so when the token runs out while the page is open (no silent sign-out). */
  function watchExpiry(): void {
    if (expiryTimer !== undefined) window.clearTimeout(expiryTimer);
    expiryTimer = undefined;
    const exp = claims?.exp;
    if (typeof exp !== 'number') return;
    // Timers longer than ~24.8 days overflow; a token lives hours.
    const inMs = Math.min(exp * 1000 - Date.now(), 2 ** 31 - 1);
    expiryTimer = window.setTimeout(() => ctx.sessionExpired(), Math.max(0, inMs));
  }

  function renderHeader(): void {
    if (!claims) {
      replace(userChip);
      userChip.hidden = true;
      return;
    }
    userChip.hidden = false;
    replace(
      userChip,
      h('span', { class: 'avatar' }, (claims.name || claims.username || '?').slice(0, 1).toUpperCase()),
      h(
        'span',
        { class: 'user-name', 'data-testid': 'header-username' },
        claims.username || claims.name || claims.sub || '',
      ),
      h(
        'button',
        {
          class: 'icon-button',
          title: 'Sign out',
          'aria-label': 'Sign out',
          'data-testid': 'sign-out',
          onclick: () => ctx.setToken(undefined),
        },
        icon('signOut'),
      ),
    );
  }

  /**
   * Names the registry node that served the page (id and cloud) in the header. Public iroulette answer,
   * so it also works before sign-in (a join link opened straight into a room); stays the host otherwise.
   */
  function labelRegistry(attempt = 1): void {
    void client
      .roulette()
      .then(({ registries }) => {
        const self = registries.find((r) => sameOrigin(r.url, location.origin));
        if (!self) return;
        registryChip.setAttribute('data-registry-id', self.registryId);
        registryChip.setAttribute('data-cloud', self.cloud);
        replace(
          registryChip,
          icon('server'),
          h('span', {}, self.registryId),
          h('span', { class: 'cloud' }, `cloud ${self.cloud}`),
        );
      })
      // A busy registry (the SDK gives up on a slow answer): ask again 0.5, 1, 2, 4 s later, then keep the host.
      .catch(() => {
        if (attempt < 5) window.setTimeout(() => labelRegistry(attempt + 1), 500 * 2 ** (attempt - 1));
      });
  }

  function render(): void {
    screen?.dispose?.();
    screen = undefined;
    installDebug(undefined);
    const route = parseRoute(location.pathname, location.hash);
    if (route.name === 'room' && location.hash) {
      // The ticket must not linger in the address bar or history; the room keeps what it needs.
      history.replaceState(
        null,
        '',
        location.pathname + (route.address ? `#address=${encodeURIComponent(route.address)}` : ''),
      );
    }
    if (route.name === 'not-found') {
      ctx.setPageTitle('Not found');
      screen = {
        element: h(
          'section',
          { class: 'screen screen-center' },
          h(
            'div',
            { class: 'card auth-card' },
            h('h1', {}, 'Page not found'),
            h('p', { class: 'muted' }, `Nothing lives at ${route.path}.`),
            h('button', { class: 'btn btn-primary', onclick: () => ctx.navigate('/') }, 'Go home'),
          ),
        ),
      };
    } else if (route.name === 'room' && (claims || route.direct)) {
      screen = roomScreen(ctx, route);
    } else if (!claims) {
      ctx.setPageTitle('Sign in');
      screen = signInScreen(ctx, {
        ...(route.name === 'room' ? { reason: `Sign in to join ${route.conferenceId}.` } : {}),
        ...(expiredNotice ? { notice: expiredNotice } : {}),
      });
    } else {
      screen = homeScreen(ctx);
    }
    replace(main, screen.element);
  }

  window.addEventListener('popstate', () => render());
  labelRegistry();
  renderHeader();
  render();
}

boot();
