import type { HootClient } from '@hoot/sdk';
import type { TokenClaims } from './lib/token-claims';
import type { Toasts } from './ui/toasts';

/** What every screen gets: the SDK client, the signed-in user, navigation and toasts. */
export interface AppContext {
  client: HootClient;
  toasts: Toasts;
  /** Claims of the access token; undefined when signed out. */
  user(): TokenClaims | undefined;
  /** Keeps a new token (or forgets it) and re-renders. */
  setToken(token: string | undefined): void;
  /**
   * The token expired or was refused: forget it and show the sign-in screen saying so ("Your session
   * expired — sign in again"), on the same route (a room reopens after signing in).
   */
  sessionExpired(error?: unknown): void;
  /** Moves to an app path (history push) and renders it. */
  navigate(path: string, options?: { replace?: boolean }): void;
  /** Sets the header's subtitle (e.g. the room's name). */
  setPageTitle(title: string): void;
}

/** A mounted screen; `dispose` runs when another one replaces it. */
export interface Screen {
  element: HTMLElement;
  dispose?(): void;
}
