// Totals over a range of daily rows, as cards: requests (and how many failed or were refused),
// input and output tokens, cost.
import type { UsageDailyRow } from '../../../../shared/types';
import { formatCost, formatCount, formatTokens } from '../../format';

export interface UsageTotalsValue {
  requests: number;
  completed: number;
  failed: number;
  rejected: number;
  inputTokens: number;
  outputTokens: number;
  cost: number;
}

export function totalsOf(rows: readonly UsageDailyRow[]): UsageTotalsValue {
  const t: UsageTotalsValue = { requests: 0, completed: 0, failed: 0, rejected: 0, inputTokens: 0, outputTokens: 0, cost: 0 };
  for (const r of rows) {
    t.requests += r.requests;
    t.completed += r.completed;
    t.failed += r.failed;
    t.rejected += r.rejected;
    t.inputTokens += r.inputTokens;
    t.outputTokens += r.outputTokens;
    t.cost += r.cost;
  }
  return t;
}

export function UsageTotals({ rows, label }: { rows: readonly UsageDailyRow[]; label: string }) {
  const t = totalsOf(rows);
  const problems = [t.failed > 0 ? `${formatCount(t.failed)} failed` : null, t.rejected > 0 ? `${formatCount(t.rejected)} refused` : null].filter(Boolean).join(', ');
  return (
    <dl className="cards usage-totals" aria-label={label}>
      <div className="card">
        <dt>Requests</dt>
        <dd>
          <span className="card-value" data-total="requests">
            {formatCount(t.requests)}
          </span>
          <span className="card-note">{problems || `${formatCount(t.completed)} completed`}</span>
        </dd>
      </div>
      <div className="card">
        <dt>Input tokens</dt>
        <dd>
          <span className="card-value" data-total="input" title={formatCount(t.inputTokens)}>
            {formatTokens(t.inputTokens)}
          </span>
        </dd>
      </div>
      <div className="card">
        <dt>Output tokens</dt>
        <dd>
          <span className="card-value" data-total="output" title={formatCount(t.outputTokens)}>
            {formatTokens(t.outputTokens)}
          </span>
        </dd>
      </div>
      <div className="card">
        <dt>Cost</dt>
        <dd>
          <span className="card-value" data-total="cost">
            {formatCost(t.cost)}
          </span>
          <span className="card-note">USD, from the pricing table</span>
        </dd>
      </div>
    </dl>
  );
}
