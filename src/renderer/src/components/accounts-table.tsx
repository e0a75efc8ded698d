// Accounts with, per model, the remaining quota, the decision and the reset countdown.
// Stale readings (older than the cache TTL, kept after failures) say how old they are.
import { memo } from 'react';
import type { AccountView, QuotaView } from '../../../shared/types';
import { useAccountsStore } from '../stores/accounts-store';
import { useQuotaStore } from '../stores/quota-store';
import { DecisionBadge } from './decision-badge';
import { QuotaBar } from './quota-bar';
import { Age, Countdown } from './time-text';

const STATUS_LABEL: Record<AccountView['status'], string> = {
  active: 'active',
  disabled: 'disabled',
  invalid_credentials: 'invalid credentials',
  suspended: 'suspended',
};

export function AccountsTable() {
  const order = useAccountsStore((s) => s.order);
  const loaded = useAccountsStore((s) => s.loaded);
  if (!loaded) return <section className="panel" aria-busy="true"><p className="muted">Loading accounts…</p></section>;
  return (
    <section className="panel" aria-labelledby="accounts-heading">
      <h2 id="accounts-heading">Accounts</h2>
      {order.length === 0 ? (
        <p className="muted empty">No accounts yet. Import some with the <code>accounts:import</code> method of the control API.</p>
      ) : (
        <div className="table-scroll">
          <table className="accounts">
            <thead>
              <tr>
                <th scope="col">Provider</th>
                <th scope="col">Account</th>
                <th scope="col">Tier</th>
                <th scope="col">Status</th>
                <th scope="col">Quotas</th>
              </tr>
            </thead>
            <tbody>
              {order.map((id) => (
                <AccountRow key={id} id={id} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

const NO_QUOTAS: QuotaView[] = [];

const AccountRow = memo(function AccountRow({ id }: { id: string }) {
  const account = useAccountsStore((s) => s.accountsById[id]);
  const quotas = useQuotaStore((s) => s.byAccount[id] ?? NO_QUOTAS);
  if (!account) return null;
  const syncError = account.sync.lastErrorMessage;
  return (
    <tr data-account-id={id} className={account.status === 'active' ? undefined : 'row-inactive'}>
      <td className="provider">{account.provider}</td>
      <td>
        <div className="account-label">{account.label}</div>
        {account.email && account.email !== account.label && <div className="muted small">{account.email}</div>}
      </td>
      <td>
        <span className={`tier tier-${account.tier}`} title={account.tierLabel ?? undefined}>
          {account.tier}
        </span>
      </td>
      <td>
        <span className={`status status-${account.status}`}>{STATUS_LABEL[account.status]}</span>
        {(account.statusReason ?? syncError) && <div className="muted small status-reason">{account.statusReason ?? syncError}</div>}
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
    </tr>
  );
});

/** Windows keyed by a glob ("*", "*opus*") bind several models: name them as windows. */
export function quotaName(q: Pick<QuotaView, 'model' | 'displayName' | 'window'>): string {
  if (!q.model.includes('*')) return q.displayName ?? q.model;
  const scope = q.model === '*' ? 'all models' : (q.displayName ?? q.model.replace(/\*/g, ' ').trim());
  return `${scope} · ${q.window ?? 'shared'} window`;
}

function QuotaLine({ quota, accountLabel }: { quota: QuotaView; accountLabel: string }) {
  const name = quotaName(quota);
  const resetAt = quota.lock?.lockedUntil ?? quota.decision.resetAt ?? quota.resetAt;
  return (
    <li className={`quota-line${quota.stale ? ' is-stale' : ''}`}>
      <span className="model" title={quota.model}>
        {name}
      </span>
      <QuotaBar fraction={quota.remainingFraction} kind={quota.decision.kind} label={`${accountLabel} ${name} remaining`} />
      <DecisionBadge decision={quota.decision} />
      <span className="when small">
        <span className="reset">
          {resetAt ? (
            <>
              resets in <Countdown to={resetAt} />
            </>
          ) : (
            'no reset time'
          )}
        </span>
        {quota.stale && (
          <span className="stale" title="The last known value: recent syncs of this account failed">
            stale · <Age since={quota.fetchedAt} />
          </span>
        )}
      </span>
    </li>
  );
}
