// Request log rows (ledger attempts), newest first: used by the Usage page's log and by an
// account's recent requests (which leave out the account column). Where its panel is narrow (the
// window at ~900 px) each row is laid out as a small card with its cells labelled (a container
// query in styles.css), so nothing is clipped or scrolled sideways; the roles keep it a table
// for assistive technology whichever layout shows.
import type { UsageLogRow } from '../../../../shared/types';
import { formatCost, formatDateTime, formatElapsed, formatTokens } from '../../format';
import { AccountLink } from './account-link';

export function LogTable({ rows, showAccount = true, caption }: { rows: UsageLogRow[]; showAccount?: boolean; caption: string }) {
  return (
    <div className="table-scroll data-scroll log-scroll">
      <table className={showAccount ? 'data-table log-table' : 'data-table log-table log-table-no-account'} role="table">
        <caption className="visually-hidden">{caption}</caption>
        <thead role="rowgroup">
          <tr role="row">
            <th role="columnheader" scope="col">Time</th>
            {showAccount && <th role="columnheader" scope="col">Account</th>}
            <th role="columnheader" scope="col">Model</th>
            <th role="columnheader" scope="col">Status</th>
            <th role="columnheader" scope="col" className="num">
              Input
            </th>
            <th role="columnheader" scope="col" className="num">
              Output
            </th>
            <th role="columnheader" scope="col" className="num">
              Cost
            </th>
            <th role="columnheader" scope="col" className="num">
              Duration
            </th>
            <th role="columnheader" scope="col">Client</th>
          </tr>
        </thead>
        <tbody role="rowgroup">
          {rows.map((r) => (
            <tr key={r.id} data-log-id={r.id} role="row">
              <td role="cell" className="nowrap log-time" data-label="Time">
                <time dateTime={r.startedAt} title={r.startedAt}>
                  {formatDateTime(r.startedAt)}
                </time>
                {r.attempt > 1 && <span className="muted small"> · attempt {r.attempt}</span>}
              </td>
              {showAccount && (
                <td role="cell" className="log-account" data-label="Account">{r.accountId ? <AccountLink id={r.accountId} label={r.label ?? r.accountId} /> : <span className="muted">none</span>}</td>
              )}
              <td role="cell" className="log-model" data-label="Model" title={r.model}>
                {r.model}
              </td>
              <td role="cell" className="log-status-cell" data-label="Status">
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
              <td role="cell" className="num" data-label="Input">{formatTokens(r.inputTokens)}</td>
              <td role="cell" className="num" data-label="Output">{formatTokens(r.outputTokens)}</td>
              <td role="cell" className="num" data-label="Cost">{formatCost(r.cost)}</td>
              <td role="cell" className="num" data-label="Duration">{formatElapsed(r.durationMs)}</td>
              <td role="cell" className="small log-client" data-label="Client">
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
