// Totals over a range of daily rows, as cards: requests (and how many failed or were refused),
// input and output tokens, cost.
import { NO_USAGE, USAGE_COUNT_KEYS, type UsageCounts, type UsageDailyRow } from '../../../../shared/types';
import { formatCost, formatCount, formatTokens } from '../../format';
import { StatCard } from '../stat-card';

export function totalsOf(rows: readonly UsageCounts[]): UsageCounts {
  const t: UsageCounts = { ...NO_USAGE };
  for (const r of rows) for (const k of USAGE_COUNT_KEYS) t[k] += r[k];
  return t;
}

export function UsageTotals({ rows, label }: { rows: readonly UsageDailyRow[]; label: string }) {
  const t = totalsOf(rows);
  const problems = [t.failed > 0 ? `${formatCount(t.failed)} failed` : null, t.rejected > 0 ? `${formatCount(t.rejected)} refused` : null].filter(Boolean).join(', ');
  return (
    <dl className="cards usage-totals" aria-label={label}>
      <StatCard label="Requests" total="requests" value={formatCount(t.requests)} note={problems || `${formatCount(t.completed)} completed`} />
      <StatCard label="Input tokens" total="input" value={formatTokens(t.inputTokens)} title={formatCount(t.inputTokens)} />
      <StatCard label="Output tokens" total="output" value={formatTokens(t.outputTokens)} title={formatCount(t.outputTokens)} />
      <StatCard label="Cost" total="cost" value={formatCost(t.cost)} note="USD, from the pricing table" />
    </dl>
  );
}
