// Usage: cost and tokens over a range, by model and by account, the range's top accounts,
// limits close to their maximum, and the request log with filters and pages.
import { useContractQuery } from '../components/use-contract-query';
import { Breakdown } from '../components/usage/breakdown';
import { DailyCharts } from '../components/usage/daily-charts';
import { NearLimits } from '../components/usage/near-limits';
import { QueryError } from '../components/usage/query-state';
import { RangePicker, useUsageRange } from '../components/usage/range-picker';
import type { DayRange } from '../components/usage/ranges';
import { RequestLog } from '../components/usage/request-log';
import { TopAccounts } from '../components/usage/top-accounts';
import { UsageTotals } from '../components/usage/usage-totals';

const NO_ROWS: never[] = [];
// Before the custom dates make a range, queries wait (disabled) on a placeholder.
const PLACEHOLDER: DayRange = { from: '1970-01-01', to: '1970-01-02' };

export function UsagePage() {
  const { range, error, words, today } = useUsageRange();
  const r = range ?? PLACEHOLDER;
  const enabled = range !== null;
  const daily = useContractQuery('usage:daily', { from: r.from, to: r.to }, { enabled });
  const byModel = useContractQuery('usage:summary', { from: r.from, to: r.to, groupBy: 'model' }, { enabled });
  const byAccount = useContractQuery('usage:summary', { from: r.from, to: r.to, groupBy: 'account' }, { enabled });
  const limits = useContractQuery('usage:nearLimits', { sort: 'percent' });

  return (
    <>
      <div className="usage-page-head">
        <h2 className="page-title">Usage</h2>
        <RangePicker range={range} error={error} today={today} />
      </div>

      {range && (
        <>
          <section className="panel" aria-labelledby="per-day-heading" aria-busy={daily.loading || undefined}>
            <div className="panel-head">
              <h2 id="per-day-heading">Per day</h2>
              <span className="muted small">{words}</span>
            </div>
            {daily.error && <QueryError what="usage per day" error={daily.error} retry={daily.refetch} />}
            {!daily.data && daily.loading && <p className="muted">Loading usage…</p>}
            {daily.data && (
              <>
                <UsageTotals rows={daily.data} label={`Usage totals, ${words}`} />
                <DailyCharts rows={daily.data} scope={words} />
              </>
            )}
          </section>
          <Breakdown byModel={byModel} byAccount={byAccount} scope={words} />
        </>
      )}

      <div className="usage-side-by-side">
        {range && <TopAccounts query={byAccount} words={words} />}
        <NearLimits query={limits} />
      </div>

      {range && <RequestLog range={range} models={byModel.data ?? NO_ROWS} accountsSeen={byAccount.data ?? NO_ROWS} />}
    </>
  );
}
