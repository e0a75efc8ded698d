// The week's busiest accounts (usage:topAccounts, Monday to Monday UTC), each with a bar of its
// share of the top account's requests.
import type { TopAccountsView } from '../../../../shared/types';
import { formatCount, formatDay } from '../../format';
import type { ContractQuery } from '../use-contract-query';
import { AccountLink } from './account-link';
import { QueryError } from './query-state';
import { addDays } from './ranges';

export function TopAccounts({ query }: { query: ContractQuery<TopAccountsView> }) {
  const view = query.data;
  const max = Math.max(1, ...(view?.rows.map((r) => r.requests) ?? []));
  return (
    <section className="panel" aria-labelledby="top-heading" aria-busy={query.loading || undefined}>
      <div className="panel-head">
        <h2 id="top-heading">Top accounts this week</h2>
        {view && (
          <span className="muted small">
            {formatDay(view.from.slice(0, 10))} – {formatDay(addDays(view.to.slice(0, 10), -1))} (UTC)
          </span>
        )}
      </div>
      {query.error && <QueryError what="the top accounts" error={query.error} retry={query.refetch} />}
      {!view && !query.error && <p className="muted">Loading…</p>}
      {view &&
        (view.rows.length === 0 ? (
          <p className="muted empty">No requests this week yet.</p>
        ) : (
          <table className="data-table top-accounts">
            <thead>
              <tr>
                <th scope="col">Account</th>
                <th scope="col" className="num">
                  Requests
                </th>
                <th scope="col" className="num">
                  Failed
                </th>
              </tr>
            </thead>
            <tbody>
              {view.rows.map((r) => (
                <tr key={r.accountId} data-account-id={r.accountId}>
                  <td>
                    <AccountLink id={r.accountId} label={r.label} />
                    {r.provider && <span className="muted small"> · {r.provider}</span>}
                    <div className="share-bar" aria-hidden="true">
                      <div style={{ width: `${(r.requests / max) * 100}%` }} />
                    </div>
                  </td>
                  <td className="num">{formatCount(r.requests)}</td>
                  <td className={`num${r.failed > 0 ? ' bad-text' : ''}`}>{formatCount(r.failed)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}
    </section>
  );
}
