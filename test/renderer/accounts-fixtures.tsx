// Shared by the Accounts page tests: render the page with a fake client, many accounts at once.
import { render } from '@testing-library/react';
import type { AccountView, QuotaView } from '../../src/shared/types';
import type { LiveClient } from '../../src/renderer/src/api/live-client';
import { ClientContext } from '../../src/renderer/src/components/client-context';
import { useAccountsView } from '../../src/renderer/src/components/accounts/accounts-view-store';
import { AccountsPage } from '../../src/renderer/src/pages/accounts-page';
import { useAccountsStore } from '../../src/renderer/src/stores/accounts-store';
import { useQuotaStore } from '../../src/renderer/src/stores/quota-store';
import { fakeClient, type FakeClient } from './fake-client';
import { account, quota } from './fixtures';

export function renderAccountsPage(client: LiveClient = fakeClient({})) {
  return render(
    <ClientContext.Provider value={client}>
      <AccountsPage />
    </ClientContext.Provider>,
  );
}

/** Loads accounts and readings into the stores, as the feed would. */
export function seed(accounts: AccountView[], quotas: QuotaView[] = []): void {
  useAccountsView.getState().reset();
  useAccountsStore.getState().setAccounts(accounts);
  useQuotaStore.getState().loadAll(quotas, 0);
}

/** n accounts, "account 0"…, one reading each; every 10th low, every 25th on claude. */
export function many(n: number): { accounts: AccountView[]; quotas: QuotaView[] } {
  const accounts: AccountView[] = [];
  const quotas: QuotaView[] = [];
  for (let i = 0; i < n; i++) {
    const id = `acc-${String(i).padStart(4, '0')}`;
    accounts.push(account({ id, label: `account ${i}`, email: `user${i}@example.com`, provider: i % 25 === 0 ? 'claude' : 'antigravity' }));
    const low = i % 10 === 0;
    quotas.push(
      quota({
        accountId: id,
        model: i % 25 === 0 ? 'claude-opus' : 'gemini-pro',
        remainingFraction: low ? 0.05 : 0.5 + (i % 7) / 100,
        decision: { kind: low ? 'low' : 'proceed', remainingFraction: low ? 0.05 : 0.5, resetAt: null, reason: null },
      }),
    );
  }
  return { accounts, quotas };
}

export type { FakeClient };
