// Accounts mirrored from main, normalized: accountsById plus the service's display order.
// Main owns them; `accounts:changed` makes the feed refetch the list (see connect-stores).
// An action's own answer (setEnabled, remove) is applied at once, ahead of that refetch.
import { create } from 'zustand';
import type { AccountView } from '../../../shared/types';

interface AccountsState {
  accountsById: Record<string, AccountView>;
  order: string[];
  loaded: boolean;
  setAccounts(list: AccountView[]): void;
  /** Replaces one known account (a method's answer); unknown ids wait for the list. */
  applyAccount(account: AccountView): void;
  dropAccount(id: string): void;
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
  applyAccount: (account) => set((s) => (s.accountsById[account.id] ? { accountsById: { ...s.accountsById, [account.id]: account } } : {})),
  dropAccount: (id) =>
    set((s) => {
      if (!s.accountsById[id]) return {};
      const accountsById = { ...s.accountsById };
      delete accountsById[id];
      return { accountsById, order: s.order.filter((x) => x !== id) };
    }),
  reset: () => set(initial),
}));
