// The Accounts page's own state, kept while the user visits an account and comes back: the
// search and filters, the sort, the density and the scroll position (per-account action state
// lives in account-actions, shared with the account page).
import { create } from 'zustand';
import { EMPTY_QUERY, type AccountQuery, type SortKey } from './account-filter';

export type Density = 'comfortable' | 'compact';
const DENSITY_KEY = 'quotadeck.accounts.density';

function savedDensity(): Density {
  try {
    return globalThis.localStorage?.getItem(DENSITY_KEY) === 'compact' ? 'compact' : 'comfortable';
  } catch {
    return 'comfortable';
  }
}

interface AccountsViewState {
  query: AccountQuery;
  /** Compact: one line of windows per account (about 20 rows on a 1080 px screen). */
  density: Density;
  setDensity(d: Density): void;
  scrollTop: number;
  setQuery(patch: Partial<AccountQuery>): void;
  clearFilters(): void;
  /** A header click: a new key sorts ascending, the same key again flips the direction. */
  sortBy(key: SortKey): void;
  setScrollTop(top: number): void;
  reset(): void;
}

const initial = { query: EMPTY_QUERY, scrollTop: 0, density: 'comfortable' as Density };

export const useAccountsView = create<AccountsViewState>()((set) => ({
  ...initial,
  density: savedDensity(),
  setDensity: (density) => {
    try {
      globalThis.localStorage?.setItem(DENSITY_KEY, density);
    } catch {
      // private mode: the choice lasts for the session
    }
    set({ density });
  },
  setQuery: (patch) => set((s) => ({ query: { ...s.query, ...patch } })),
  clearFilters: () => set((s) => ({ query: { ...EMPTY_QUERY, sort: s.query.sort, dir: s.query.dir } })),
  sortBy: (key) =>
    set((s) => ({
      query: { ...s.query, sort: key, dir: s.query.sort === key && s.query.dir === 'asc' && key !== 'default' ? 'desc' : 'asc' },
    })),
  setScrollTop: (scrollTop) => set({ scrollTop }),
  reset: () => set(initial),
}));
