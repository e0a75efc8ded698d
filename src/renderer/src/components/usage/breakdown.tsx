// Usage by model and by account over the range (usage:summary), as horizontal bars of the
// chosen measure (cost, tokens or requests), each with its table alternative.
import { useState } from 'react';
import type { UsageSummaryRow } from '../../../../shared/types';
import { formatCost, formatCount, formatTokens } from '../../format';
import { BarChart } from '../charts/bar-chart';
import { ChartFigure, type FigureTable } from '../charts/chart-figure';
import type { ContractQuery } from '../use-contract-query';
import { QueryError } from './query-state';
import { Segmented } from './segmented';

type Measure = 'cost' | 'tokens' | 'requests';
const MEASURES = [
  { value: 'cost', label: 'Cost' },
  { value: 'tokens', label: 'Tokens' },
  { value: 'requests', label: 'Requests' },
] as const;

const measureOf: Record<Measure, (r: UsageSummaryRow) => number> = {
  cost: (r) => r.cost,
  tokens: (r) => r.inputTokens + r.outputTokens,
  requests: (r) => r.requests + r.rejected,
};
const formatOf: Record<Measure, (v: number) => string> = { cost: formatCost, tokens: formatTokens, requests: formatCount };

/** At most this many bars; the rest are summed into one "others" bar. */
const MAX_BARS = 12;

export function Breakdown({ byModel, byAccount, scope }: { byModel: ContractQuery<UsageSummaryRow[]>; byAccount: ContractQuery<UsageSummaryRow[]>; scope: string }) {
  const [measure, setMeasure] = useState<Measure>('cost');
  return (
    <section className="panel" aria-labelledby="breakdown-heading">
      <div className="panel-head">
        <h2 id="breakdown-heading">By model and by account</h2>
        <Segmented legend="Measure" value={measure} options={MEASURES} onChange={setMeasure} />
      </div>
      <div className="chart-pair">
        <Part title="By model" what="usage by model" query={byModel} measure={measure} scope={scope} nameOf={(r) => r.key} />
        <Part title="By account" what="usage by account" query={byAccount} measure={measure} scope={scope} nameOf={(r) => (r.key === '' ? 'no account (refused)' : (r.label || r.key))} />
      </div>
    </section>
  );
}

function Part({
  title,
  what,
  query,
  measure,
  scope,
  nameOf,
}: {
  title: string;
  what: string;
  query: ContractQuery<UsageSummaryRow[]>;
  measure: Measure;
  scope: string;
  nameOf: (r: UsageSummaryRow) => string;
}) {
  if (query.error) return <QueryError what={what} error={query.error} retry={query.refetch} />;
  if (!query.data) return <p className="muted">Loading {what}…</p>;
  const pick = measureOf[measure];
  const format = formatOf[measure];
  const sorted = [...query.data].sort((a, b) => pick(b) - pick(a) || b.requests - a.requests);
  const shown = sorted.slice(0, MAX_BARS);
  const rest = sorted.slice(MAX_BARS);
  const bars = shown.map((r) => ({ key: r.key || '(none)', label: nameOf(r), value: pick(r) }));
  if (rest.length > 0) bars.push({ key: '(others)', label: `${rest.length} others`, value: rest.reduce((s, r) => s + pick(r), 0) });
  const table: FigureTable = {
    columns: [
      { label: title.replace('By ', '').replace(/^./, (c) => c.toUpperCase()) },
      { label: 'Requests', numeric: true },
      { label: 'Failed', numeric: true },
      { label: 'Refused', numeric: true },
      { label: 'Input tokens', numeric: true },
      { label: 'Output tokens', numeric: true },
      { label: 'Cost', numeric: true },
    ],
    rows: sorted.map((r) => ({
      key: r.key || '(none)',
      cells: [nameOf(r), formatCount(r.requests), formatCount(r.failed), formatCount(r.rejected), formatCount(r.inputTokens), formatCount(r.outputTokens), formatCost(r.cost)],
    })),
  };
  const total = sorted.reduce((s, r) => s + pick(r), 0);
  return (
    <ChartFigure title={title} table={table} busy={query.loading}>
      <BarChart
        orientation="horizontal"
        categories={bars.map((b) => ({ key: b.key, label: b.label }))}
        series={[{ id: measure, label: MEASURES.find((m) => m.value === measure)!.label, values: bars.map((b) => b.value) }]}
        formatValue={format}
        integer={measure !== 'cost'}
        label={`${MEASURES.find((m) => m.value === measure)!.label} ${title.toLowerCase()}, ${scope}`}
        description={`${sorted.length} rows, total ${format(total)}${bars[0] ? `; largest ${bars[0].label} with ${format(bars[0].value)}` : ''}.`}
        emptyText="No usage in this range"
      />
    </ChartFigure>
  );
}
