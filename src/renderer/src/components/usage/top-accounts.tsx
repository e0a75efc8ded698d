// The busiest accounts over the page's own range (the by-account summary the page already
// asks for, so "top" always means the same days as the charts above it), each with a bar of its
// share of the top account's requests.
import type { UsageSummaryRow } from '../../../../shared/types';
import { formatCost, formatCount } from '../../format';
import { useAccountsStore } from '../../stores/accounts-store';
import { PROVIDER_SHORT } from '../accounts/provider-fields';
import type { ContractQuery } from '../use-contract-query';
import { AccountLink } from './account-link';
import { QueryError } from './query-state';

const SHOWN = 10;

/** Accounts by requests, most first; requests refused before any account was chosen left out. */
export function topAccounts(rows: readonly UsageSummaryRow[], limit = SHOWN): UsageSummaryRow[] {
  return rows
    .filter((r) => r.key !== '' && r.requests + r.rejected > 0)
    .sort((a, b) => b.requests - a.requests || b.cost - a.cost || a.label.localeCompare(b.label))
    .slice(0, limit);
}

export function TopAccounts({ query, words }: { query: ContractQuery<UsageSummaryRow[]>; words: string }) {
  const byId = useAccountsStore((s) => s.accountsById);
  const rows = query.data ? topAccounts(query.data) : null;
  const max = Math.max(1, ...(rows?.map((r) => r.requests) ?? []));
  return (
    <section className="panel" aria-labelledby="top-heading" aria-busy={query.loading || undefined}>
      <div className="panel-head">
        <h2 id="top-heading">Top accounts</h2>
        <span className="muted small">{words}</span>
      </div>
      {query.error && <QueryError what="the top accounts" error={query.error} retry={query.refetch} />}
      {!rows && !query.error && <p className="muted">Loading…</p>}
      {rows &&
        (rows.length === 0 ? (
          <p className="muted empty">No requests in this range.</p>
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
                <th scope="col" className="num">
                  Cost
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => {
                const account = byId[r.key];
                const provider = account?.provider;
                return (
                  <tr key={r.key} data-account-id={r.key}>
                    <td>
                      {account || r.label ? <AccountLink id={r.key} label={account?.label ?? r.label} /> : <span className="muted">a removed account</span>}
                      {provider && <span className="muted small"> · {PROVIDER_SHORT[provider]}</span>}
                      <div className="share-bar" aria-hidden="true">
                        <div style={{ width: `${(r.requests / max) * 100}%` }} />
                      </div>
                    </td>
                    <td className="num">{formatCount(r.requests)}</td>
                    <td className={`num${r.failed > 0 ? ' bad-text' : ''}`}>{formatCount(r.failed)}</td>
                    <td className="num">{formatCost(r.cost)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        ))}
    </section>
  );
}
