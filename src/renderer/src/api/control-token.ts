// Web mode's control token: arrives once in the URL fragment (#token=…), is kept in
// sessionStorage (gone with the tab) and is stripped from the address bar so it does not end
// up in history, bookmarks or screenshots.

export const TOKEN_STORAGE_KEY = 'quotadeck.controlToken';

type Loc = Pick<Location, 'hash' | 'pathname' | 'search'>;
type Hist = Pick<History, 'replaceState' | 'state'>;
type Store = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export function takeControlToken(location: Loc, history: Hist, storage: Store): string | null {
  const params = new URLSearchParams(location.hash.replace(/^#/, ''));
  const fromHash = params.get('token')?.trim();
  if (fromHash !== undefined) {
    params.delete('token');
    const rest = params.toString();
    history.replaceState(history.state, '', `${location.pathname}${location.search}${rest ? `#${rest}` : ''}`);
    if (fromHash) {
      saveControlToken(storage, fromHash);
      return fromHash;
    }
  }
  return storage.getItem(TOKEN_STORAGE_KEY) || null;
}

export function saveControlToken(storage: Store, token: string): void {
  storage.setItem(TOKEN_STORAGE_KEY, token.trim());
}

export function forgetControlToken(storage: Store): void {
  storage.removeItem(TOKEN_STORAGE_KEY);
}
