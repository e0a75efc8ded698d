// One account in the Accounts table: who it is (label, provider, plan, status, last sync
// error), every quota window it has, and its actions (on/off switch and a menu). Nothing here
// widens the page: a long label ends in an ellipsis with the full text on hover, windows reflow.
import { Linkified } from '../linkified';
import { createContext, memo, useContext } from 'react';
import type { AccountView, QuotaView } from '../../../../shared/types';
import { useAccountsStore } from '../../stores/accounts-store';
import { useQuotaStore } from '../../stores/quota-store';
import { routeHash, useRouteStore } from '../../stores/route-store';
import { useClient } from '../client-context';
import { Countdown } from '../time-text';
import { ACTION_LABEL, actionsFor, clearLocks, probeAccount, reactivateAccount, setAccountEnabled, syncAccount, useActionNotes } from './account-actions';
import { hasSyncError } from './account-filter';
import { ActionNoteLine } from './action-note';
import { isProbeOnly, PROVIDER_SHORT } from './provider-fields';
import { QuotaLine } from './quota-line';
import { windowLines } from './quota-name';
import { RowMenu, type MenuItem } from './row-menu';
import { SignInAgainButton } from '../sign-in/sign-in-again';

export interface RowActions {
  /** Opens a dialog about the account: edit, remove, sign in again. */
  ask(kind: 'edit' | 'remove' | 'signIn', id: string): void;
}

export const RowActionsContext = createContext<RowActions>({ ask: () => {} });

export const STATUS_LABEL: Record<AccountView['status'], string> = {
  active: 'active',
  disabled: 'disabled',
  invalid_credentials: 'invalid credentials',
  suspended: 'suspended',
};

const NO_QUOTAS: QuotaView[] = [];

/** The menu items of an account's actions (the row's menu and the account page share them). */
export function useAccountMenuItems(account: AccountView | undefined, quotas: readonly QuotaView[]): MenuItem[] {
  const client = useClient();
  const { ask } = useContext(RowActionsContext);
  const navigate = useRouteStore((s) => s.navigate);
  const busy = useActionNotes((s) => (account ? s.notes[account.id]?.tone === 'busy' : false));
  if (!account) return [];
  const items: MenuItem[] = [{ key: 'open', label: 'Open details', onSelect: () => navigate({ page: 'account', id: account.id }) }];
  for (const key of actionsFor(account, quotas)) {
    if (key === 'toggle') continue; // the row's switch
    const base = { key, label: ACTION_LABEL[key], disabled: busy && key !== 'remove' && key !== 'edit' };
    if (key === 'sync') items.push({ ...base, onSelect: () => void syncAccount(client, account) });
    else if (key === 'probe') items.push({ ...base, onSelect: () => void probeAccount(client, account) });
    else if (key === 'clearLocks') items.push({ ...base, onSelect: () => void clearLocks(client, account, quotas) });
    else if (key === 'reactivate') items.push({ ...base, onSelect: () => void reactivateAccount(client, account) });
    else if (key === 'signIn') items.push({ ...base, onSelect: () => ask('signIn', account.id) });
    else if (key === 'edit') items.push({ ...base, onSelect: () => ask('edit', account.id) });
    else items.push({ ...base, danger: true, onSelect: () => ask('remove', account.id) });
  }
  return items;
}

export const AccountRow = memo(function AccountRow({ id, rowIndex }: { id: string; rowIndex: number }) {
  const account = useAccountsStore((s) => s.accountsById[id]);
  const quotas = useQuotaStore((s) => s.byAccount[id] ?? NO_QUOTAS);
  const readingsLoaded = useQuotaStore((s) => s.loaded);
  const busy = useActionNotes((s) => s.notes[id]?.tone === 'busy');
  const navigate = useRouteStore((s) => s.navigate);
  const client = useClient();
  const items = useAccountMenuItems(account, quotas);
  if (!account) return null;
  const enabled = account.status !== 'disabled';
  const sync = account.sync;
  return (
    <tr data-row-key={id} data-account-id={id} aria-rowindex={rowIndex} className={account.status === 'active' ? undefined : 'row-inactive'}>
      <td className="account-cell">
        <div className="account-box">
        <a
          className="account-label"
          title={account.label}
          href={routeHash({ page: 'account', id })}
          onClick={(e) => {
            e.preventDefault();
            navigate({ page: 'account', id });
          }}
        >
          {account.label}
        </a>
        <div className="account-meta">
          <span className="provider-chip">{PROVIDER_SHORT[account.provider]}</span>
          <span className={`tier tier-${account.tier}`} title={account.tierLabel ? `Plan: ${account.tierLabel}` : `Tier: ${account.tier}`}>
            {account.tier}
          </span>
          {account.status !== 'active' && (
            <span className={`status status-${account.status}`} title={account.statusReason ?? undefined}>
              {STATUS_LABEL[account.status]}
            </span>
          )}
          <SignInAgainButton account={account} />
          {account.email && account.email !== account.label && (
            <span className="muted small account-email" title={account.email}>
              {account.email}
            </span>
          )}
        </div>
        {account.statusReason && account.statusReason !== sync.lastErrorMessage && <div className="muted small status-reason">{account.statusReason}</div>}
        {hasSyncError(account) && (
          <div className="sync-error small" title={sync.lastErrorMessage ?? undefined}>
            <span className="sync-error-text">
              Sync failed{sync.consecutiveFailures > 1 ? ` ${sync.consecutiveFailures}×` : ''}
              {sync.lastErrorMessage ? ': ' : ''}
              {sync.lastErrorMessage && <Linkified text={sync.lastErrorMessage} />}
            </span>
            {sync.nextAttemptAt && account.status === 'active' && (
              <span className="muted">
                {' '}
                · retry in <Countdown to={sync.nextAttemptAt} done="due" />
              </span>
            )}
          </div>
        )}
        <ActionNoteLine id={id} className="small" />
        </div>
      </td>
      <td className="quotas-cell">
        <div className="quotas-wrap">
          {quotas.length === 0 ? (
            <span className="muted small no-readings">{readingsLoaded ? noReadingsText(account) : 'loading windows…'}</span>
          ) : (
            <ul className="quota-list">
              {quotas.flatMap((q) => windowLines(q).map((line) => <QuotaLine key={line.key} quota={q} line={line} accountLabel={account.label} />))}
            </ul>
          )}
        </div>
      </td>
      <td className="row-actions">
        <div className="row-actions-stack">
          <button
            type="button"
            role="switch"
            className="switch"
            aria-checked={enabled}
            aria-label={`${account.label} enabled`}
            disabled={busy}
            onClick={() => void setAccountEnabled(client, account, !enabled)}
          >
            <span className="switch-track" aria-hidden="true">
              <span className="switch-thumb" />
            </span>
            <span className="switch-text">{enabled ? 'On' : 'Off'}</span>
          </button>
          <RowMenu label={`Actions for ${account.label}`} items={items} />
        </div>
      </td>
    </tr>
  );
});

/** Why an account has no windows yet, in words that stay true. */
export function noReadingsText(account: AccountView): string {
  if (account.status === 'disabled') return 'switched off — not polled';
  if (account.status !== 'active') return 'not polled until reactivated';
  if (hasSyncError(account)) return 'no readings: the last sync failed';
  if (isProbeOnly(account.provider)) return 'API key: no quota endpoint — read from responses, or Probe key';
  return account.sync.lastAttemptAt ? 'no windows in the last answer' : 'waiting for the first sync';
}
