// Cost per day and tokens per day (input and output as grouped bars) over UTC days, each with
// its table alternative.
import type { UsageDailyRow } from '../../../../shared/types';
import { formatCost, formatCostTick, formatCount, formatDay, formatTokens } from '../../format';
import { BarChart, type BarCategory } from '../charts/bar-chart';
import { ChartFigure, type FigureTable } from '../charts/chart-figure';
import { totalsOf } from './usage-totals';

export function DailyCharts({ rows, scope }: { rows: readonly UsageDailyRow[]; scope: string }) {
  const many = rows.length > 10;
  const categories: BarCategory[] = rows.map((r) => ({
    key: r.day,
    label: many ? formatDay(r.day).replace(/^\w+ /, '') : formatDay(r.day),
    title: `${formatDay(r.day)} (UTC)`,
  }));
  const t = totalsOf(rows);
  const table: FigureTable = {
    columns: [
      { label: 'Day (UTC)', nowrap: true },
      { label: 'Requests', numeric: true },
      { label: 'Failed', numeric: true },
      { label: 'Input tokens', numeric: true },
      { label: 'Output tokens', numeric: true },
      { label: 'Cost', numeric: true },
    ],
    rows: rows.map((r) => ({
      key: r.day,
      cells: [formatDay(r.day, { year: true }), formatCount(r.requests), formatCount(r.failed), formatCount(r.inputTokens), formatCount(r.outputTokens), formatCost(r.cost)],
    })),
    footer: ['Total', formatCount(t.requests), formatCount(t.failed), formatCount(t.inputTokens), formatCount(t.outputTokens), formatCost(t.cost)],
  };
  const peak = (pick: (r: UsageDailyRow) => number) => rows.reduce<UsageDailyRow | null>((best, r) => (best === null || pick(r) > pick(best) ? r : best), null);
  const costPeak = peak((r) => r.cost);
  const tokenPeak = peak((r) => r.inputTokens + r.outputTokens);
  return (
    <div className="chart-pair">
      <ChartFigure title="Cost per day" note="USD" table={table}>
        <BarChart
          categories={categories}
          series={[{ id: 'cost', label: 'Cost', values: rows.map((r) => r.cost) }]}
          formatValue={formatCost}
          formatTick={formatCostTick}
          label={`Cost per day, ${scope}`}
          description={`Total ${formatCost(t.cost)} over ${rows.length} days${costPeak && costPeak.cost > 0 ? `; highest ${formatCost(costPeak.cost)} on ${formatDay(costPeak.day)}` : ''}.`}
        />
      </ChartFigure>
      <ChartFigure title="Tokens per day" note="input and output" table={table}>
        <BarChart
          categories={categories}
          series={[
            { id: 'input', label: 'Input', values: rows.map((r) => r.inputTokens) },
            { id: 'output', label: 'Output', values: rows.map((r) => r.outputTokens) },
          ]}
          formatValue={formatTokens}
          integer
          label={`Tokens per day, ${scope}`}
          description={`${formatTokens(t.inputTokens)} input and ${formatTokens(t.outputTokens)} output tokens over ${rows.length} days${
            tokenPeak && tokenPeak.inputTokens + tokenPeak.outputTokens > 0 ? `; busiest ${formatDay(tokenPeak.day)}` : ''
          }.`}
        />
      </ChartFigure>
    </div>
  );
}
