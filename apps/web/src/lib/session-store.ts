/** Where the access token lives: sessionStorage (one tab, gone when it closes). A port for the specs. */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

const TOKEN_KEY = 'hoot.accessToken';

export class SessionStore {
  constructor(private readonly storage: KeyValueStorage | undefined) {}

  get token(): string | undefined {
    try {
      return this.storage?.getItem(TOKEN_KEY) ?? undefined;
    } catch {
      return undefined;
    }
  }

  set token(value: string | undefined) {
    try {
      if (value) this.storage?.setItem(TOKEN_KEY, value);
      else this.storage?.removeItem(TOKEN_KEY);
    } catch {
      // Storage refused (private mode quota): the token lives in memory only.
    }
  }
}
