/**
 * Where the Hub access token may live on the page: the store (memory) and, only when the user ticks "remember
 * for this tab", the tab's sessionStorage (gone when the tab closes). Never localStorage, IndexedDB or a file.
 */

/** The sessionStorage key of a remembered token. */
export const TOKEN_KEY = 'embedding-studio.hub-token';

/** The parts of Storage used (sessionStorage, or a fake in tests). */
export type TabStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/** The token remembered in this tab, or null. */
export function readRememberedToken(storage: TabStorage | null): string | null {
  try {
    return storage?.getItem(TOKEN_KEY) || null;
  } catch {
    return null;
  }
}

/** Keeps the token in the tab's storage while `remember` is on, and removes it otherwise. */
export function keepToken(storage: TabStorage | null, token: string, remember: boolean): void {
  try {
    if (remember && token.trim()) storage?.setItem(TOKEN_KEY, token.trim());
    else storage?.removeItem(TOKEN_KEY);
  } catch {
    // Storage may be unavailable (privacy settings); the token then lives in memory only.
  }
}
