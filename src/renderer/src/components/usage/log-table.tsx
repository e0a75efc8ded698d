// Request log rows (ledger attempts), newest first: used by the Usage page's log and by an
// account's recent requests (which leave out the account column).
import type { UsageLogRow } from '../../../../shared/types';
import { formatCost, formatDateTime, formatElapsed, formatTokens } from '../../format';
import { AccountLink } from './account-link';

export function LogTable({ rows, showAccount = true, caption }: { rows: UsageLogRow[]; showAccount?: boolean; caption: string }) {
  return (
    <div className="table-scroll data-scroll">
      <table className="data-table log-table">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Time</th>
            {showAccount && <th scope="col">Account</th>}
            <th scope="col">Model</th>
            <th scope="col">Status</th>
            <th scope="col" className="num">
              Input
            </th>
            <th scope="col" className="num">
              Output
            </th>
            <th scope="col" className="num">
              Cost
            </th>
            <th scope="col" className="num">
              Duration
            </th>
            <th scope="col">Client</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id} data-log-id={r.id}>
              <td className="nowrap">
                <time dateTime={r.startedAt} title={r.startedAt}>
                  {formatDateTime(r.startedAt)}
                </time>
                {r.attempt > 1 && <span className="muted small"> · attempt {r.attempt}</span>}
              </td>
              {showAccount && (
                <td>{r.accountId ? <AccountLink id={r.accountId} label={r.label ?? r.accountId} /> : <span className="muted">none</span>}</td>
              )}
              <td className="log-model" title={r.model}>
                {r.model}
              </td>
              <td>
                <span className={`log-status log-status-${r.status}`}>{r.status}</span>
                {r.httpStatus !== null && <span className="muted small"> {r.httpStatus}</span>}
                {r.partial && (
                  <span className="muted small" title="The stream was cut midway; the tokens it consumed are costed">
                    {' '}
                    · partial
                  </span>
                )}
                {r.error && (
                  <div className="muted small log-error" title={r.error}>
                    {r.error}
                  </div>
                )}
              </td>
              <td className="num">{formatTokens(r.inputTokens)}</td>
              <td className="num">{formatTokens(r.outputTokens)}</td>
              <td className="num">{formatCost(r.cost)}</td>
              <td className="num">{formatElapsed(r.durationMs)}</td>
              <td className="small">
                {r.client ?? <span className="muted">—</span>}
                <div className="muted small">{r.route}</div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
