// Local limits at or above 80% of their window (usage:nearLimits): how much is used, a bar of
// the percentage, and when the window frees up. Suspended ones say so.
import { routeHash, useRouteStore } from '../../stores/route-store';
import type { LimitUsageView, UsageLimitKind } from '../../../../shared/types';
import { formatCost, formatCount, formatTokens } from '../../format';
import { Countdown } from '../time-text';
import type { ContractQuery } from '../use-contract-query';
import { AccountLink } from './account-link';
import { QueryError } from './query-state';

const KIND: Record<UsageLimitKind, { label: string; format: (n: number) => string }> = {
  requests_per_hour: { label: 'requests per hour', format: formatCount },
  requests_per_day: { label: 'requests per day', format: formatCount },
  input_tokens_per_month: { label: 'input tokens per month', format: formatTokens },
  output_tokens_per_month: { label: 'output tokens per month', format: formatTokens },
  cost_per_month: { label: 'cost per month', format: formatCost },
};

export function NearLimits({ query }: { query: ContractQuery<LimitUsageView[]> }) {
  const list = query.data;
  return (
    <section className="panel" aria-labelledby="limits-heading" aria-busy={query.loading || undefined}>
      <div className="panel-head">
        <h2 id="limits-heading">Near a limit</h2>
        <span className="muted small">local limits at 80% or more</span>
      </div>
      {query.error && <QueryError what="the limits" error={query.error} retry={query.refetch} />}
      {!list && !query.error && <p className="muted">Loading…</p>}
      {list &&
        (list.length === 0 ? (
          <p className="muted empty">
            No limit is close. Limits are set per account on its page (Accounts → an account → Limits) or for all accounts in{' '}
            <a
              href={routeHash({ page: 'settings' })}
              onClick={(e) => {
                e.preventDefault();
                useRouteStore.getState().navigate({ page: 'settings' });
              }}
            >
              Settings → Limits
            </a>
            .
          </p>
        ) : (
          <ul className="near-limit-list">
            {list.map((l) => (
              <LimitLine key={`${l.scope}:${l.accountId ?? ''}:${l.limit}`} view={l} />
            ))}
          </ul>
        ))}
    </section>
  );
}

function LimitLine({ view }: { view: LimitUsageView }) {
  const kind = KIND[view.limit];
  const tone = view.suspended || view.fraction >= 1 ? 'bad' : view.fraction >= 0.9 ? 'warn' : 'near';
  const name = `${view.label} ${kind.label}`;
  return (
    <li className={`near-limit near-limit-${tone}`} data-limit={view.limit}>
      <div className="near-limit-name">
        {view.accountId ? <AccountLink id={view.accountId} label={view.label} /> : <strong>{view.label}</strong>}
        <span className="muted"> · {kind.label}</span>
        {view.suspended && <span className="badge badge-exhausted">suspended</span>}
      </div>
      <div className="near-limit-meter-wrap">
        <div
          className="near-limit-meter"
          role="meter"
          aria-label={`${name} used`}
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={Math.round(Math.min(1, view.fraction) * 100)}
          aria-valuetext={`${usedPercent(view.fraction)} used: ${kind.format(view.used)} of ${kind.format(view.max)}`}
        >
          <div className="near-limit-meter-fill" style={{ width: `${Math.min(1, view.fraction) * 100}%` }} />
        </div>
        <span className="near-limit-pct">{usedPercent(view.fraction)}</span>
      </div>
      <div className="small near-limit-figures">
        {kind.format(view.used)} of {kind.format(view.max)} · frees up in <Countdown to={view.resetAt} />
      </div>
    </li>
  );
}

/** Used share of a limit; far over it (a tiny cost cap) stays short. */
function usedPercent(fraction: number): string {
  const pct = Math.round(fraction * 100);
  return pct > 999 ? '>999%' : `${pct}%`;
}
