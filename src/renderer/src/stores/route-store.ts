// Which page the window shows, mirrored in location.hash (#/accounts, #/accounts/<id>, …) so
// the browser's back button, reloads and links from notifications land on the same page.
import { create } from 'zustand';

export type Route =
  | { page: 'overview' }
  | { page: 'accounts' }
  | { page: 'account'; id: string }
  | { page: 'usage' }
  | { page: 'settings' };

export type PageName = Route['page'];

export function parseHash(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(safeDecode);
  switch (parts[0]) {
    case 'accounts':
      return parts[1] ? { page: 'account', id: parts[1] } : { page: 'accounts' };
    case 'usage':
      return { page: 'usage' };
    case 'settings':
      return { page: 'settings' };
    default:
      return { page: 'overview' };
  }
}

export function routeHash(route: Route): string {
  switch (route.page) {
    case 'overview':
      return '#/';
    case 'account':
      return `#/accounts/${encodeURIComponent(route.id)}`;
    default:
      return `#/${route.page}`;
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

interface RouteState {
  route: Route;
  navigate(route: Route): void;
  /** Applies the current location.hash (on load and on hashchange). */
  syncFromLocation(): void;
}

const currentHash = () => (typeof location === 'undefined' ? '' : location.hash);

export const useRouteStore = create<RouteState>()((set) => ({
  route: parseHash(currentHash()),
  navigate: (route) => {
    const hash = routeHash(route);
    if (typeof location !== 'undefined' && location.hash !== hash) location.hash = hash;
    set({ route });
  },
  syncFromLocation: () => set({ route: parseHash(currentHash()) }),
}));

/** Follows hashchange (back/forward, typed links); returns the unsubscribe. */
export function followLocation(): () => void {
  const onChange = () => useRouteStore.getState().syncFromLocation();
  window.addEventListener('hashchange', onChange);
  onChange();
  return () => window.removeEventListener('hashchange', onChange);
}
