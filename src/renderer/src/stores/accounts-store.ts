// Accounts mirrored from main, normalized: accountsById plus the service's display order.
// Main owns them; `accounts:changed` makes the feed refetch the list (see connect-stores).
import { create } from 'zustand';
import type { AccountView } from '../../../shared/types';

interface AccountsState {
  accountsById: Record<string, AccountView>;
  order: string[];
  loaded: boolean;
  setAccounts(list: AccountView[]): void;
  reset(): void;
}

const initial = { accountsById: {}, order: [], loaded: false };

export const useAccountsStore = create<AccountsState>()((set) => ({
  ...initial,
  setAccounts: (list) =>
    set({
      accountsById: Object.fromEntries(list.map((a) => [a.id, a])),
      order: list.map((a) => a.id),
      loaded: true,
    }),
  reset: () => set(initial),
}));
