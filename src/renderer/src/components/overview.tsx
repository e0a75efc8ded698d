// MonitorStats as cards, a banner when the last sync cycle had errors (each failing account
// links to its page), and the account+model pairs that are low or exhausted.
import { useMemo, type MouseEvent, type ReactNode } from 'react';
import type { AccountView, DecisionKind, MonitorStats, ProviderId, QuotaView, SyncReport } from '../../../shared/types';
import { formatElapsed } from '../format';
import { useAccountsStore } from '../stores/accounts-store';
import { useQuotaStore } from '../stores/quota-store';
import { routeHash, useRouteStore, type Route } from '../stores/route-store';
import { useStatsStore } from '../stores/stats-store';
import { quotaName } from './accounts/quota-name';
import { DecisionBadge } from './decision-badge';
import { QuotaBar } from './quota-bar';
import { StatCard } from './stat-card';
import { Age, Countdown } from './time-text';

/** How many pairs the list shows before "and N more". */
export const ATTENTION_LIMIT = 10;

export function Overview() {
  const stats = useStatsStore((s) => s.stats);
  const report = useStatsStore((s) => s.lastReport);
  return (
    <section className="overview" aria-labelledby="overview-heading">
      <h2 id="overview-heading" className="visually-hidden">
        Overview
      </h2>
      {report && report.errors > 0 && <ErrorBanner report={report} />}
      {stats ? <Cards stats={stats} /> : <p className="muted">Loading monitor state…</p>}
      <NeedsAttention />
    </section>
  );
}

function Cards({ stats }: { stats: MonitorStats }) {
  return (
    <dl className="cards">
      <StatCard label="Accounts" value={stats.totalAccounts} note={`${stats.activeAccounts} active`} />
      <StatCard label="Cached" value={stats.cachedQuotas} note="quota readings" />
      <StatCard label="Expired" value={stats.expiredEntries} tone={stats.expiredEntries > 0 ? 'warn' : undefined} />
      <StatCard label="Low" value={stats.lowQuotas} tone={stats.lowQuotas > 0 ? 'warn' : undefined} />
      <StatCard label="Exhausted" value={stats.exhaustedQuotas} tone={stats.exhaustedQuotas > 0 ? 'bad' : undefined} />
      <StatCard label="Last sync" value={formatElapsed(stats.lastSyncDurationMs)} note={stats.lastSyncAt ? <Age since={stats.lastSyncAt} /> : 'never'} />
      <StatCard label="Successes" value={stats.lastSyncSuccesses} tone={stats.lastSyncSuccesses > 0 ? 'good' : undefined} />
      <StatCard label="Errors" value={stats.lastSyncErrors} tone={stats.lastSyncErrors > 0 ? 'bad' : undefined} note={stats.lastSyncSkipped > 0 ? `${stats.lastSyncSkipped} skipped` : undefined} />
      <StatCard label="Next sync" value={<NextSync stats={stats} />} />
    </dl>
  );
}

function NextSync({ stats }: { stats: MonitorStats }) {
  if (stats.syncing) return <>syncing…</>;
  if (stats.paused) return <>paused</>;
  if (!stats.running) return <>stopped</>;
  if (!stats.nextSyncAt) return <>—</>;
  return <Countdown to={stats.nextSyncAt} done="due" />;
}

function ErrorBanner({ report }: { report: SyncReport }) {
  const failed = report.results.filter((r) => r.outcome === 'error');
  return (
    <div className="banner banner-error" role="alert">
      <strong>
        The last sync had {report.errors} {report.errors === 1 ? 'error' : 'errors'}
      </strong>{' '}
      ({report.successes} of {report.accounts} accounts succeeded{report.aborted ? ', cycle aborted' : ''}).
      {failed.length > 0 && (
        <details open={failed.length <= 3}>
          <summary>Failing accounts</summary>
          <ul>
            {failed.map((r) => (
              <li key={r.accountId}>
                <RouteLink route={{ page: 'account', id: r.accountId }} className="account-link">
                  {r.label}
                </RouteLink>{' '}
                ({r.provider}): {r.message ?? r.errorCode ?? 'error'}
                {r.errorKind && <span className="muted"> [{r.errorKind}]</span>}
              </li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}

/** An in-app link: a real href (open in a new tab, copy) that navigates without a reload. */
function RouteLink({ route, children, className, label }: { route: Route; children: ReactNode; className?: string; label?: string }) {
  const navigate = useRouteStore((s) => s.navigate);
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(route);
  };
  return (
    <a href={routeHash(route)} className={className} aria-label={label} onClick={onClick}>
      {children}
    </a>
  );
}

export interface AttentionItem {
  accountId: string;
  label: string;
  provider: ProviderId;
  quota: QuotaView;
  kind: Extract<DecisionKind, 'low' | 'exhausted'>;
}

/**
 * Low or exhausted account+model pairs, exhausted first, then the least remaining. Disabled
 * accounts are left out: nothing uses them, so their quotas need no attention.
 */
export function attentionItems(order: readonly string[], accountsById: Record<string, AccountView>, byAccount: Record<string, QuotaView[]>): AttentionItem[] {
  const items: AttentionItem[] = [];
  for (const id of order) {
    const account = accountsById[id];
    if (!account || account.status === 'disabled') continue;
    for (const q of byAccount[id] ?? []) {
      const kind = q.decision.kind;
      if (kind === 'low' || kind === 'exhausted') items.push({ accountId: id, label: account.label, provider: account.provider, quota: q, kind });
    }
  }
  const remaining = (i: AttentionItem) => i.quota.decision.remainingFraction ?? i.quota.remainingFraction ?? 0;
  return items.sort(
    (a, b) =>
      (a.kind === 'exhausted' ? 0 : 1) - (b.kind === 'exhausted' ? 0 : 1) ||
      remaining(a) - remaining(b) ||
      a.label.localeCompare(b.label) ||
      quotaName(a.quota).localeCompare(quotaName(b.quota)),
  );
}

function NeedsAttention() {
  const order = useAccountsStore((s) => s.order);
  const accountsById = useAccountsStore((s) => s.accountsById);
  const loaded = useAccountsStore((s) => s.loaded);
  const byAccount = useQuotaStore((s) => s.byAccount);
  const items = useMemo(() => attentionItems(order, accountsById, byAccount), [order, accountsById, byAccount]);
  const shown = items.slice(0, ATTENTION_LIMIT);
  const more = items.length - shown.length;
  const hasReadings = order.some((id) => (byAccount[id]?.length ?? 0) > 0);

  return (
    <section className="panel attention" aria-labelledby="attention-heading">
      <h2 id="attention-heading">
        Needs attention
        {items.length > 0 && <span className="attention-count">{items.length}</span>}
      </h2>
      {!loaded ? (
        <p className="muted">Loading accounts…</p>
      ) : items.length === 0 ? (
        <p className="attention-empty">
          {order.length === 0 ? (
            <span className="muted">No accounts yet.</span>
          ) : !hasReadings ? (
            <span className="muted">No quota readings yet: they arrive with the next sync.</span>
          ) : (
            <>
              <span className="attention-ok" aria-hidden="true">
                ✓
              </span>{' '}
              All quotas are above the low threshold.
            </>
          )}
        </p>
      ) : (
        <>
          <ul className="attention-list">
            {shown.map((item) => (
              <AttentionRow key={`${item.accountId}\u0000${item.quota.model}`} item={item} />
            ))}
          </ul>
          {more > 0 && (
            <p className="attention-more">
              <RouteLink route={{ page: 'accounts' }}>
                and {more} more
              </RouteLink>
            </p>
          )}
        </>
      )}
    </section>
  );
}

function AttentionRow({ item }: { item: AttentionItem }) {
  const q = item.quota;
  const name = quotaName(q);
  const resetAt = q.lock?.lockedUntil ?? q.decision.resetAt ?? q.resetAt;
  return (
    <li className={`attention-item attention-${item.kind}`} data-account-id={item.accountId} data-model={q.model}>
      <span className="attention-who">
        <RouteLink route={{ page: 'account', id: item.accountId }} className="account-link" label={`${item.label}: ${name}`}>
          {item.label}
        </RouteLink>
        <span className="muted small"> {item.provider}</span>
      </span>
      <span className="model" title={q.model}>
        {name}
      </span>
      <QuotaBar fraction={q.remainingFraction} kind={item.kind} label={`${item.label} ${name} remaining`} />
      <DecisionBadge decision={q.decision} />
      <span className="reset small">
        {resetAt ? (
          <>
            resets in <Countdown to={resetAt} />
          </>
        ) : (
          'no reset time'
        )}
      </span>
    </li>
  );
}
