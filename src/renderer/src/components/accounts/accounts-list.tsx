// The accounts table, windowed: a real <table> inside a scroll container, rendering only the
// rows in view (plus overscan) between two spacer rows, so 1,000 accounts cost what 10 do.
// aria-rowcount / aria-rowindex tell assistive technology where each rendered row sits.
import { useEffect, useLayoutEffect, useRef } from 'react';
import { useQuotaStore } from '../../stores/quota-store';
import type { AccountQuery, SortKey } from './account-filter';
import { AccountRow } from './account-row';
import { useAccountsView } from './accounts-view-store';
import { useVirtualRows } from './use-virtual-rows';

const COLUMNS = 3;

/** A row's height before it is measured: padding, one line per reading, a stale one taller. */
export function estimateRowHeight(readings: number, stale = 0, compact = false): number {
  return compact ? 12 + Math.max(1, Math.ceil(readings / 3)) * 24 : 16 + Math.max(2, readings) * 25 + stale * 10;
}

function estimateOf(id: string): number {
  const compact = useAccountsView.getState().density === 'compact';
  const quotas = useQuotaStore.getState().byAccount[id];
  if (!quotas) return estimateRowHeight(0, 0, compact);
  let stale = 0;
  for (const q of quotas) if (q.stale) stale++;
  return estimateRowHeight(quotas.length, stale, compact);
}

/** `.accounts-scroll`'s height in styles.css (max-height: calc(100vh - 236px), min-height: 240px) for a long list. */
function scrollHeightGuess(): number | undefined {
  return typeof window === 'undefined' || !window.innerHeight ? undefined : Math.max(240, window.innerHeight - 236);
}

export function AccountsList({ ids, query, onClearFilters }: { ids: string[]; query: AccountQuery; onClearFilters(): void }) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const bodyRef = useRef<HTMLTableSectionElement>(null);
  const initialScrollTop = useRef(useAccountsView.getState().scrollTop).current;
  const density = useAccountsView((s) => s.density);
  const win = useVirtualRows({ keys: ids, estimate: estimateOf, scrollRef, bodyRef, initialScrollTop, initialViewportHeight: scrollHeightGuess() });

  // Back to the top when the filters change; remembered when leaving the page.
  const filterKey = `${query.text}\u0000${query.provider}\u0000${query.status}\u0000${query.decision}`;
  const firstKey = useRef(filterKey);
  useLayoutEffect(() => {
    if (filterKey === firstKey.current) return;
    firstKey.current = filterKey;
    if (scrollRef.current) scrollRef.current.scrollTop = 0;
  }, [filterKey]);
  useEffect(() => {
    const el = scrollRef.current;
    return () => {
      if (el) useAccountsView.getState().setScrollTop(el.scrollTop);
    };
  }, []);

  const rows = [];
  for (let i = win.start; i < win.end; i++) {
    const id = ids[i]!;
    rows.push(<AccountRow key={id} id={id} rowIndex={i + 2} />);
  }

  return (
    <div className="accounts-scroll" ref={scrollRef} tabIndex={0} role="region" aria-label="Accounts (scrollable list)">
      <table className={`accounts accounts-virtual density-${density}`} aria-rowcount={ids.length + 1}>
        <colgroup>
          <col className="col-account" />
          <col className="col-quotas" />
          <col className="col-actions" />
        </colgroup>
        <thead>
          <tr aria-rowindex={1}>
            <SortHeader query={query} keys={[{ key: 'label', label: 'Account' }, { key: 'provider', label: 'Provider' }, { key: 'tier', label: 'Tier' }]} />
            <SortHeader query={query} keys={[{ key: 'remaining', label: 'Lowest remaining', lead: 'Windows' }, { key: 'reset', label: 'Soonest reset' }]} />
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody ref={bodyRef}>
          {win.padTop > 0 && <Spacer height={win.padTop} />}
          {rows}
          {win.padBottom > 0 && <Spacer height={win.padBottom} />}
          {ids.length === 0 && (
            <tr>
              <td colSpan={COLUMNS} className="no-match">
                No accounts match these filters.{' '}
                <button type="button" className="btn btn-small" onClick={onClearFilters}>
                  Clear filters
                </button>
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}

function Spacer({ height }: { height: number }) {
  return (
    <tr className="spacer" aria-hidden="true">
      <td colSpan={COLUMNS} style={{ height }} />
    </tr>
  );
}

/** A header cell with one or more sort buttons (the active one marked by aria-sort). */
function SortHeader({ query, keys }: { query: AccountQuery; keys: Array<{ key: SortKey; label: string; lead?: string }> }) {
  const sortBy = useAccountsView((s) => s.sortBy);
  const active = keys.find((k) => k.key === query.sort);
  const ariaSort = active ? (query.dir === 'asc' ? 'ascending' : 'descending') : undefined;
  return (
    <th scope="col" aria-sort={ariaSort}>
      <div className="th-sorts">
        {keys.map(({ key, label, lead }) => (
          <span key={key} className="th-sort-wrap">
            {lead && <span className="th-lead">{lead}:</span>}
            <button type="button" className={`th-sort${query.sort === key ? ' is-active' : ''}`} onClick={() => sortBy(key)} title={`Sort by ${label.toLowerCase()}`}>
              {label}
              <span className="sort-mark" aria-hidden="true">
                {query.sort === key ? (query.dir === 'asc' ? '▲' : '▼') : ''}
              </span>
            </button>
          </span>
        ))}
      </div>
    </th>
  );
}
