// Search and filters above the accounts table, and how many accounts they leave.
import { useId } from 'react';
import { ACCOUNT_STATUSES, PROVIDER_IDS, type ProviderId } from '../../../../shared/types';
import { isFiltered, type AccountQuery, type DecisionFilter, type SortKey, type StatusFilter } from './account-filter';
import { STATUS_LABEL } from './account-row';
import { useAccountsView } from './accounts-view-store';

const count = new Intl.NumberFormat('en-US');

const DECISIONS: Array<{ value: DecisionFilter; label: string }> = [
  { value: 'all', label: 'Any decision' },
  { value: 'attention', label: 'Any model low or exhausted' },
  { value: 'low', label: 'Any model low' },
  { value: 'exhausted', label: 'Any model exhausted' },
  { value: 'unknown', label: 'No data for a model' },
];

const SORTS: Array<{ value: SortKey; label: string }> = [
  { value: 'default', label: 'Service order' },
  { value: 'label', label: 'Name' },
  { value: 'provider', label: 'Provider' },
  { value: 'tier', label: 'Tier' },
  { value: 'remaining', label: 'Lowest remaining' },
  { value: 'reset', label: 'Soonest reset' },
];

export function AccountsToolbar({ query, shown, total }: { query: AccountQuery; shown: number; total: number }) {
  const uid = useId();
  const setQuery = useAccountsView((s) => s.setQuery);
  const clearFilters = useAccountsView((s) => s.clearFilters);
  const density = useAccountsView((s) => s.density);
  const setDensity = useAccountsView((s) => s.setDensity);
  const filtered = isFiltered(query);
  const id = (name: string) => `${uid}-${name}`;
  return (
    <div className="accounts-toolbar">
      <div className="filters" role="search" aria-label="Filter accounts">
        <div className="filter filter-search">
          <label htmlFor={id('q')}>Search</label>
          <input
            id={id('q')}
            type="search"
            value={query.text}
            placeholder="Label, email, provider or model"
            onChange={(e) => setQuery({ text: e.target.value })}
            autoComplete="off"
            spellCheck={false}
          />
        </div>
        <div className="filter">
          <label htmlFor={id('provider')}>Provider</label>
          <select id={id('provider')} value={query.provider} onChange={(e) => setQuery({ provider: e.target.value as 'all' | ProviderId })}>
            <option value="all">All providers</option>
            {PROVIDER_IDS.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </div>
        <div className="filter">
          <label htmlFor={id('status')}>Status</label>
          <select id={id('status')} value={query.status} onChange={(e) => setQuery({ status: e.target.value as StatusFilter })}>
            <option value="all">Any status</option>
            {ACCOUNT_STATUSES.map((s) => (
              <option key={s} value={s}>
                {STATUS_LABEL[s]}
              </option>
            ))}
            <option value="sync-error">sync failing</option>
          </select>
        </div>
        <div className="filter">
          <label htmlFor={id('decision')}>Decision</label>
          <select id={id('decision')} value={query.decision} onChange={(e) => setQuery({ decision: e.target.value as DecisionFilter })}>
            {DECISIONS.map((d) => (
              <option key={d.value} value={d.value}>
                {d.label}
              </option>
            ))}
          </select>
        </div>
        <div className="filter">
          <label htmlFor={id('sort')}>Sort by</label>
          <div className="sort-control">
            <select id={id('sort')} value={query.sort} onChange={(e) => setQuery({ sort: e.target.value as SortKey, dir: 'asc' })}>
              {SORTS.map((s) => (
                <option key={s.value} value={s.value}>
                  {s.label}
                </option>
              ))}
            </select>
            {query.sort !== 'default' && (
              <button
                type="button"
                className="btn btn-small"
                aria-label={query.dir === 'asc' ? 'Ascending; reverse the order' : 'Descending; reverse the order'}
                onClick={() => setQuery({ dir: query.dir === 'asc' ? 'desc' : 'asc' })}
              >
                {query.dir === 'asc' ? '↑' : '↓'}
              </button>
            )}
          </div>
        </div>
        {filtered && (
          <button type="button" className="btn btn-small clear-filters" onClick={clearFilters}>
            Clear filters
          </button>
        )}
      </div>
      <div className="toolbar-end">
        <div className="segmented segmented-small" role="group" aria-label="Density">
          {(['comfortable', 'compact'] as const).map((d) => (
            <button key={d} type="button" aria-pressed={density === d} onClick={() => setDensity(d)}>
              {d === 'comfortable' ? 'Comfortable' : 'Compact'}
            </button>
          ))}
        </div>
      <p className="accounts-count" role="status">
        {filtered ? `Showing ${count.format(shown)} of ${count.format(total)}` : `${count.format(total)} ${total === 1 ? 'account' : 'accounts'}`}
      </p>
      </div>
    </div>
  );
}
