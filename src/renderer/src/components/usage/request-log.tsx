// The request log over the page's range, filtered by account, model and status, newest first.
// "Older →" follows the answer's nextCursor; "← Newer" pops back along the stack of cursors
// kept in the usage store (the keyset cursor only walks one way).
import type { UsageSummaryRow } from '../../../../shared/types';
import { USAGE_STATUSES } from '../../../../shared/types';
import { useAccountsStore } from '../../stores/accounts-store';
import { useUsageStore } from '../../stores/usage-store';
import { useContractQuery } from '../use-contract-query';
import { LogTable } from './log-table';
import { QueryError } from './query-state';
import type { DayRange } from './ranges';

export const LOG_PAGE_SIZE = 25;

export function RequestLog({ range, models, accountsSeen }: { range: DayRange; models: readonly UsageSummaryRow[]; accountsSeen: readonly UsageSummaryRow[] }) {
  const filters = useUsageStore((s) => s.filters);
  const cursors = useUsageStore((s) => s.cursors);
  const setFilters = useUsageStore((s) => s.setFilters);
  const accountsById = useAccountsStore((s) => s.accountsById);
  const order = useAccountsStore((s) => s.order);
  const cursor = cursors[cursors.length - 1];
  const log = useContractQuery('usage:log', {
    from: range.from,
    to: range.to,
    ...(filters.accountId ? { accountId: filters.accountId } : {}),
    ...(filters.model ? { model: filters.model } : {}),
    ...(filters.status ? { status: filters.status } : {}),
    ...(cursor ? { cursor } : {}),
    limit: LOG_PAGE_SIZE,
  });

  // Accounts that exist, plus removed ones that still have usage in the range.
  const accountOptions = [
    ...order.map((id) => ({ id, label: accountsById[id]?.label ?? id })),
    ...accountsSeen.filter((r) => r.key !== '' && !accountsById[r.key]).map((r) => ({ id: r.key, label: `${r.label || r.key} (removed)` })),
  ];
  if (filters.accountId && !accountOptions.some((o) => o.id === filters.accountId)) accountOptions.push({ id: filters.accountId, label: filters.accountId });
  const modelOptions = [...new Set([...models.map((m) => m.key), ...(filters.model ? [filters.model] : [])])].sort();
  const page = log.data;
  const filtered = filters.accountId !== '' || filters.model !== '' || filters.status !== '';

  return (
    <section className="panel" aria-labelledby="log-heading" aria-busy={log.loading || undefined}>
      <div className="panel-head">
        <h2 id="log-heading">Requests</h2>
        <button type="button" className="btn btn-small" onClick={() => (cursors.length > 0 ? useUsageStore.getState().newest() : log.refetch())}>
          Refresh
        </button>
      </div>
      <form className="log-filters" onSubmit={(e) => e.preventDefault()} aria-label="Filter requests">
        <label>
          Account
          <select value={filters.accountId} onChange={(e) => setFilters({ accountId: e.target.value })}>
            <option value="">All accounts</option>
            {accountOptions.map((o) => (
              <option key={o.id} value={o.id}>
                {o.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Model
          <select value={filters.model} onChange={(e) => setFilters({ model: e.target.value })}>
            <option value="">All models</option>
            {modelOptions.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </label>
        <label>
          Status
          <select value={filters.status} onChange={(e) => setFilters({ status: e.target.value as (typeof USAGE_STATUSES)[number] | '' })}>
            <option value="">Any status</option>
            {USAGE_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        {filtered && (
          <button type="button" className="btn btn-small" onClick={() => setFilters({ accountId: '', model: '', status: '' })}>
            Clear filters
          </button>
        )}
      </form>
      {log.error && <QueryError what="the request log" error={log.error} retry={log.refetch} />}
      {!page && log.loading && <p className="muted">Loading requests…</p>}
      {page &&
        (page.rows.length === 0 ? (
          <p className="muted empty">{filtered ? 'No requests match these filters in this range.' : 'No requests in this range.'}</p>
        ) : (
          <LogTable rows={page.rows} caption="Requests, newest first" />
        ))}
      <nav className="pager" aria-label="Request log pages">
        <button type="button" className="btn btn-small" disabled={cursors.length === 0 || log.loading} onClick={() => useUsageStore.getState().newer()}>
          ← Newer
        </button>
        <span className="muted small" aria-live="polite">
          Page {cursors.length + 1}
        </span>
        <button
          type="button"
          className="btn btn-small"
          disabled={!page?.hasMore || !page.nextCursor || log.loading}
          onClick={() => page?.nextCursor && useUsageStore.getState().older(page.nextCursor)}
        >
          Older →
        </button>
      </nav>
    </section>
  );
}
