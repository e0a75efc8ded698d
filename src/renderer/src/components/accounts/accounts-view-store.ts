// The Accounts page's own state, kept while the user visits an account and comes back: the
// search and filters, the scroll position, and per-row action state (a toggle in flight, its
// error) that must outlive a row scrolled out of the window.
import { create } from 'zustand';
import { EMPTY_QUERY, type AccountQuery, type SortKey } from './account-filter';

interface AccountsViewState {
  query: AccountQuery;
  scrollTop: number;
  busy: Record<string, true>;
  rowErrors: Record<string, string>;
  setQuery(patch: Partial<AccountQuery>): void;
  clearFilters(): void;
  /** A header click: a new key sorts ascending, the same key again flips the direction. */
  sortBy(key: SortKey): void;
  setScrollTop(top: number): void;
  setBusy(id: string, busy: boolean): void;
  setRowError(id: string, message: string | null): void;
  reset(): void;
}

const initial = { query: EMPTY_QUERY, scrollTop: 0, busy: {}, rowErrors: {} };

export const useAccountsView = create<AccountsViewState>()((set) => ({
  ...initial,
  setQuery: (patch) => set((s) => ({ query: { ...s.query, ...patch } })),
  clearFilters: () => set((s) => ({ query: { ...EMPTY_QUERY, sort: s.query.sort, dir: s.query.dir } })),
  sortBy: (key) =>
    set((s) => ({
      query: { ...s.query, sort: key, dir: s.query.sort === key && s.query.dir === 'asc' && key !== 'default' ? 'desc' : 'asc' },
    })),
  setScrollTop: (scrollTop) => set({ scrollTop }),
  setBusy: (id, busy) =>
    set((s) => {
      const next = { ...s.busy };
      if (busy) next[id] = true;
      else delete next[id];
      return { busy: next };
    }),
  setRowError: (id, message) =>
    set((s) => {
      const next = { ...s.rowErrors };
      if (message) next[id] = message;
      else delete next[id];
      return { rowErrors: next };
    }),
  reset: () => set(initial),
}));
