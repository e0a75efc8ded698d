// Accounts: every account with all its quota windows, searchable, filterable and sortable,
// windowed so 1,000 accounts scroll smoothly; add, import, and per account a switch and a menu
// of actions (sync, probe, clear locks, reactivate, edit, remove).
import { useDeferredValue, useMemo, useRef, useState } from 'react';
import type { AccountView, QuotaView } from '../../../shared/types';
import { selectAccounts, type AccountQuery } from '../components/accounts/account-filter';
import { AccountDialogs } from '../components/accounts/account-dialogs';
import { AccountsList } from '../components/accounts/accounts-list';
import { AccountsToolbar } from '../components/accounts/accounts-toolbar';
import { useAccountsView } from '../components/accounts/accounts-view-store';
import { AddAccountDialog } from '../components/accounts/add-account-dialog';
import { DiscoverDialog } from '../components/accounts/discover-dialog';
import { ExportDialog } from '../components/accounts/export-dialog';
import { ImportDialog } from '../components/accounts/import-dialog';
import { useClient } from '../components/client-context';
import { useAccountsStore } from '../stores/accounts-store';
import { useQuotaStore } from '../stores/quota-store';

type Open = null | { kind: 'add' | 'import' | 'discover' | 'export' };

const NO_QUOTAS: Record<string, QuotaView[]> = {};

/** Whether the list's membership or order depends on the quota readings. */
function readsQuotas(q: AccountQuery): boolean {
  return q.decision !== 'all' || q.sort === 'remaining' || q.sort === 'reset' || q.text.trim() !== '';
}

export function AccountsPage() {
  const loaded = useAccountsStore((s) => s.loaded);
  const order = useAccountsStore((s) => s.order);
  const byId = useAccountsStore((s) => s.accountsById);
  const query = useAccountsView((s) => s.query);
  const clearFilters = useAccountsView((s) => s.clearFilters);
  // Typing stays responsive: the list follows the search text at lower priority.
  const text = useDeferredValue(query.text);
  const effective = useMemo(() => ({ ...query, text }), [query, text]);
  // Only subscribe to the readings when they decide what is listed: during a sync burst with no
  // such filter, only the visible rows re-render, not the page.
  const quotas = useQuotaStore((s) => (readsQuotas(effective) ? s.byAccount : NO_QUOTAS));
  const ids = useStable(useMemo(() => selectAccounts(order, byId, quotas, effective), [order, byId, quotas, effective]));

  const web = useClient().kind === 'http';
  const [open, setOpen] = useState<Open>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const panelRef = useRef<HTMLElement>(null);
  const addRef = useRef<HTMLButtonElement>(null);

  const close = () => setOpen(null);
  const listFocus = () => panelRef.current?.querySelector<HTMLElement>('.accounts-scroll') ?? addRef.current;

  return (
    <AccountDialogs returnFocus={listFocus} onRemoved={(a: AccountView) => setNotice(`Removed ${a.label}.`)}>
      <div className="page-head">
        <h2 className="page-title" id="accounts-heading">
          Accounts
        </h2>
        <div className="page-actions">
          <button type="button" className="btn" onClick={() => setOpen({ kind: 'discover' })}>
            Found on this machine…
          </button>
          <button type="button" className="btn" onClick={() => setOpen({ kind: 'import' })}>
            Import…
          </button>
          <button type="button" className="btn" onClick={() => setOpen({ kind: 'export' })} disabled={order.length === 0}>
            Export…
          </button>
          <button type="button" className="btn btn-primary" ref={addRef} onClick={() => setOpen({ kind: 'add' })}>
            Add account
          </button>
        </div>
      </div>
      {notice && (
        <div className="banner banner-ok" role="status">
          {notice}{' '}
          <button type="button" className="btn btn-small" onClick={() => setNotice(null)}>
            Dismiss
          </button>
        </div>
      )}
      <section className="panel accounts-panel" aria-labelledby="accounts-heading" aria-busy={!loaded} ref={panelRef}>
        {!loaded ? (
          <p className="muted">Loading accounts…</p>
        ) : order.length === 0 ? (
          <p className="muted empty">
            No accounts yet. <strong>Add account</strong> adds one; <strong>Import…</strong> reads a JSON export or a list of refresh tokens.
          </p>
        ) : (
          <>
            <AccountsToolbar query={query} shown={ids.length} total={order.length} />
            <AccountsList ids={ids} query={effective} onClearFilters={clearFilters} />
          </>
        )}
      </section>

      {open?.kind === 'add' && (
        <AddAccountDialog
          onClose={close}
          onAdded={(a) => {
            close();
            setNotice(`Added ${a.label} (${a.provider}).`);
          }}
        />
      )}
      {open?.kind === 'import' && <ImportDialog onClose={close} />}
      {open?.kind === 'discover' && <DiscoverDialog onClose={close} />}
      {open?.kind === 'export' && <ExportDialog onClose={close} web={web} />}
    </AccountDialogs>
  );
}

/** Keeps the previous array while the ids and their order are the same (no list re-render). */
function useStable(ids: string[]): string[] {
  const prev = useRef(ids);
  if (prev.current !== ids && (prev.current.length !== ids.length || ids.some((id, i) => prev.current[i] !== id))) prev.current = ids;
  return prev.current;
}
