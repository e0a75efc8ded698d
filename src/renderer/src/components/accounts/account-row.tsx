// One account in the Accounts table: provider, label (a link to the account's page), tier,
// status with the last sync error, per model a quota line, and the row's actions.
import { createContext, memo, useContext } from 'react';
import type { AccountView, QuotaView } from '../../../../shared/types';
import { useAccountsStore } from '../../stores/accounts-store';
import { useQuotaStore } from '../../stores/quota-store';
import { routeHash, useRouteStore } from '../../stores/route-store';
import { Countdown } from '../time-text';
import { hasSyncError } from './account-filter';
import { useAccountsView } from './accounts-view-store';
import { QuotaLine } from './quota-line';
import { SignInAgainButton } from '../sign-in/sign-in-again';

export interface RowActions {
  setEnabled(id: string, enabled: boolean): void;
  /** Opens the removal confirmation. */
  askRemove(id: string): void;
}

export const RowActionsContext = createContext<RowActions>({ setEnabled: () => {}, askRemove: () => {} });

export const STATUS_LABEL: Record<AccountView['status'], string> = {
  active: 'active',
  disabled: 'disabled',
  invalid_credentials: 'invalid credentials',
  suspended: 'suspended',
};

const NO_QUOTAS: QuotaView[] = [];

export const AccountRow = memo(function AccountRow({ id, rowIndex }: { id: string; rowIndex: number }) {
  const account = useAccountsStore((s) => s.accountsById[id]);
  const quotas = useQuotaStore((s) => s.byAccount[id] ?? NO_QUOTAS);
  const busy = useAccountsView((s) => s.busy[id] === true);
  const rowError = useAccountsView((s) => s.rowErrors[id]);
  const actions = useContext(RowActionsContext);
  const navigate = useRouteStore((s) => s.navigate);
  if (!account) return null;
  const enabled = account.status !== 'disabled';
  const sync = account.sync;
  return (
    <tr data-row-key={id} data-account-id={id} aria-rowindex={rowIndex} className={account.status === 'active' ? undefined : 'row-inactive'}>
      <td className="provider">{account.provider}</td>
      <td className="account-cell">
        <a
          className="account-label"
          href={routeHash({ page: 'account', id })}
          onClick={(e) => {
            e.preventDefault();
            navigate({ page: 'account', id });
          }}
        >
          {account.label}
        </a>
        {account.email && account.email !== account.label && <div className="muted small account-email">{account.email}</div>}
      </td>
      <td>
        <span className={`tier tier-${account.tier}`} title={account.tierLabel ?? undefined}>
          {account.tier}
        </span>
      </td>
      <td className="status-cell">
        <span className={`status status-${account.status}`}>{STATUS_LABEL[account.status]}</span> <SignInAgainButton account={account} />
        {account.statusReason && account.statusReason !== sync.lastErrorMessage && <div className="muted small status-reason">{account.statusReason}</div>}
        {hasSyncError(account) && (
          <div className="sync-error small" title={sync.lastErrorMessage ?? undefined}>
            <span className="sync-error-text">
              Sync failed{sync.consecutiveFailures > 1 ? ` ${sync.consecutiveFailures}×` : ''}
              {sync.lastErrorMessage ? `: ${sync.lastErrorMessage}` : ''}
            </span>
            {sync.nextAttemptAt && (
              <span className="muted">
                {' '}
                · retry in <Countdown to={sync.nextAttemptAt} />
              </span>
            )}
          </div>
        )}
      </td>
      <td className="quotas-cell">
        {quotas.length === 0 ? (
          <span className="muted small">no readings yet</span>
        ) : (
          <ul className="quota-list">
            {quotas.map((q) => (
              <QuotaLine key={q.model} quota={q} accountLabel={account.label} />
            ))}
          </ul>
        )}
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
            onClick={() => actions.setEnabled(id, !enabled)}
          >
            <span className="switch-track" aria-hidden="true">
              <span className="switch-thumb" />
            </span>
            <span className="switch-text">{enabled ? 'On' : 'Off'}</span>
          </button>
          <button type="button" className="btn btn-small btn-danger" aria-label={`Remove ${account.label}…`} onClick={() => actions.askRemove(id)}>
            Remove…
          </button>
          {rowError && (
            <div className="row-error small" role="alert">
              {rowError}
            </div>
          )}
        </div>
      </td>
    </tr>
  );
});
