// Remaining quota over time, one small chart per model (from quota:history snapshots), with
// the low threshold drawn across. Each chart says its numbers in words for assistive tech.
import type { QuotaHistorySeries, QuotaView } from '../../../../shared/types';
import { formatDateTime, formatPercent } from '../../format';
import { quotaName } from '../accounts/quota-name';
import { TimeChart, type TimeSeries } from '../charts/time-chart';
import type { ContractQuery } from '../use-contract-query';
import { QueryError } from '../usage/query-state';

export function QuotaHistory({
  history,
  from,
  to,
  quotas,
  lowThreshold,
}: {
  history: ContractQuery<QuotaHistorySeries[]>;
  from: number;
  to: number;
  quotas: QuotaView[];
  lowThreshold: number;
}) {
  const names = new Map(quotas.map((q) => [q.model, quotaName(q)]));
  const list = [...(history.data ?? [])].sort((a, b) => a.model.localeCompare(b.model));
  return (
    <div className="history" aria-busy={history.loading || undefined}>
      {history.error && <QueryError what="the quota history" error={history.error} retry={history.refetch} />}
      {!history.data && history.loading && <p className="muted">Loading history…</p>}
      {history.data && list.length === 0 && <p className="muted empty">No quota readings saved in this range yet. Each sync adds one per model.</p>}
      {list.length > 0 && (
        <div className="history-grid">
          {list.map((s) => (
            <ModelHistory key={s.model} series={s} name={names.get(s.model) ?? s.model} from={from} to={to} lowThreshold={lowThreshold} />
          ))}
        </div>
      )}
    </div>
  );
}

function ModelHistory({ series, name, from, to, lowThreshold }: { series: QuotaHistorySeries; name: string; from: number; to: number; lowThreshold: number }) {
  const chartSeries: TimeSeries = {
    id: series.model,
    label: name,
    points: series.points.map((p) => ({
      t: Date.parse(p.at),
      v: p.remainingFraction,
      ...(p.resetAt ? { note: `resets ${formatDateTime(p.resetAt)}` } : {}),
    })),
  };
  const known = series.points.map((p) => p.remainingFraction).filter((v): v is number => v !== null);
  const last = series.points.length > 0 ? series.points[series.points.length - 1]!.remainingFraction : null;
  const summary =
    known.length === 0
      ? 'no known readings'
      : `now ${formatPercent(last)}, lowest ${formatPercent(Math.min(...known))}, highest ${formatPercent(Math.max(...known))}`;
  const description = `${name}, remaining quota from ${formatDateTime(new Date(from).toISOString())} to ${formatDateTime(new Date(to).toISOString())}: ${series.points.length} readings; ${summary}.`;
  return (
    <figure className="chart-figure model-history" data-model={series.model}>
      <div className="chart-figure-head">
        <h3 title={series.model}>{name}</h3>
        <span className="muted small">{summary}</span>
      </div>
      <TimeChart
        series={[chartSeries]}
        from={from}
        to={to}
        label={`${name} remaining quota over time`}
        description={description}
        threshold={{ value: lowThreshold, label: `low ${formatPercent(lowThreshold)}` }}
        height={150}
      />
    </figure>
  );
}
