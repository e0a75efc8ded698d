// The monitor as cards — low, exhausted, readings and expired counted live from the quota store,
// so they move as a sync's results arrive —, what the last sync did (its failures, each linking
// to its account, and the accounts it did not poll and why), and the low or exhausted pairs.
import { useMemo, type MouseEvent, type ReactNode } from 'react';
import type { AccountView, DecisionKind, MonitorStats, ProviderId, QuotaView, SyncReport } from '../../../shared/types';
import { formatElapsed } from '../format';
import type { SyncProgressEvent } from '../../../shared/contract';
import { isProbeOnly, PROVIDER_SHORT } from './accounts/provider-fields';
import { ForecastText } from './accounts/forecast-text';
import { Linkified } from './linkified';
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
      {stats && <SyncSummary stats={stats} report={report} />}
      <NeedsAttention />
    </section>
  );
}

interface LiveCounts {
  readings: number;
  stale: number;
  low: number;
  exhausted: number;
}

/** Counted from the readings the window holds, the same ones the lists show. */
export function liveCounts(order: readonly string[], accountsById: Record<string, AccountView>, byAccount: Record<string, QuotaView[]>): LiveCounts {
  const out = { readings: 0, stale: 0, low: 0, exhausted: 0 };
  for (const id of order) {
    const a = accountsById[id];
    if (!a) continue;
    for (const q of byAccount[id] ?? []) {
      out.readings++;
      if (q.stale) out.stale++;
      if (a.status === 'disabled') continue;
      if (q.decision.kind === 'low') out.low++;
      else if (q.decision.kind === 'exhausted') out.exhausted++;
    }
  }
  return out;
}

function Cards({ stats }: { stats: MonitorStats }) {
  const order = useAccountsStore((s) => s.order);
  const accountsById = useAccountsStore((s) => s.accountsById);
  const byAccount = useQuotaStore((s) => s.byAccount);
  const progress = useStatsStore((s) => s.progress);
  const live = useMemo(() => liveCounts(order, accountsById, byAccount), [order, accountsById, byAccount]);
  const running: SyncProgressEvent | null = stats.syncing && progress ? progress : null;
  const ok = running ? running.done - running.failed : stats.lastSyncSuccesses;
  const errors = running ? running.failed : stats.lastSyncErrors;
  return (
    <dl className="cards">
      <StatCard label="Accounts" value={stats.totalAccounts} note={`${stats.activeAccounts} active`} />
      <StatCard label="Readings" value={live.readings} note="quota windows known" />
      <StatCard
        label="Expired"
        value={live.stale}
        tone={live.stale > 0 ? 'warn' : undefined}
        note="older than the cache lifetime"
        title="Readings not refreshed within the cache lifetime (the last sync of their account failed or was skipped): shown as last known, and the selector treats them with care."
      />
      <StatCard label="Low" value={live.low} tone={live.low > 0 ? 'warn' : undefined} note="below the low threshold" />
      <StatCard label="Exhausted" value={live.exhausted} tone={live.exhausted > 0 ? 'bad' : undefined} note="until their reset" />
      <StatCard label="Last sync" value={formatElapsed(stats.lastSyncDurationMs)} note={stats.lastSyncAt ? <Age since={stats.lastSyncAt} /> : 'never'} />
      <StatCard label="Succeeded" value={ok} tone={ok > 0 ? 'good' : undefined} note={running ? `so far, of ${running.total}` : 'in the last sync'} />
      <StatCard label="Failed" value={errors} tone={errors > 0 ? 'bad' : undefined} note={running ? 'so far' : stats.lastSyncSkipped > 0 ? `${stats.lastSyncSkipped} skipped` : 'in the last sync'} />
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

export interface NotPolledGroup {
  why: string;
  accounts: Array<{ id: string; label: string }>;
}

/**
 * The accounts the last sync did not poll, grouped by why: API keys without a quota endpoint,
 * a poll floor or backoff that held them back (the cycle's skipped results), switched off,
 * suspended or refused, or added after the cycle.
 */
export function notPolled(report: SyncReport, order: readonly string[], accountsById: Record<string, AccountView>): NotPolledGroup[] {
  const groups = new Map<string, NotPolledGroup>();
  const add = (why: string, a: { id: string; label: string }) => {
    let g = groups.get(why);
    if (!g) groups.set(why, (g = { why, accounts: [] }));
    g.accounts.push(a);
  };
  const inReport = new Map(report.results.map((r) => [r.accountId, r]));
  for (const r of report.results) {
    if (r.outcome !== 'skipped') continue;
    add(r.errorCode === 'poll_floor' ? "waiting out the provider's poll floor" : r.errorCode === 'backoff' ? 'backing off after failed syncs' : (r.message ?? 'skipped'), { id: r.accountId, label: r.label });
  }
  for (const id of order) {
    const a = accountsById[id];
    if (!a || inReport.has(id)) continue;
    const entry = { id, label: a.label };
    if (a.status === 'disabled') add('switched off', entry);
    else if (a.status === 'suspended' || a.status === 'invalid_credentials') add('suspended or refused — waiting for Reactivate', entry);
    else if (isProbeOnly(a.provider)) add('API keys: no quota endpoint, read from responses or Probe key', entry);
    else if (Date.parse(a.createdAt) > Date.parse(report.startedAt)) add('added after this sync', entry);
    else add('not polled', entry);
  }
  return [...groups.values()];
}

const NAMES_SHOWN = 4;

function SyncSummary({ stats, report }: { stats: MonitorStats; report: SyncReport | null }) {
  const order = useAccountsStore((s) => s.order);
  const accountsById = useAccountsStore((s) => s.accountsById);
  const groups = useMemo(() => (report ? notPolled(report, order, accountsById) : []), [report, order, accountsById]);
  if (!report) return stats.paused ? <p className="sync-summary">Paused: no account is polled until you choose Resume in the header.</p> : null;
  const polled = report.accounts - report.skipped;
  const skippedTotal = groups.reduce((n, g) => n + g.accounts.length, 0);
  return (
    <section className="panel sync-summary" aria-labelledby="sync-summary-heading">
      <h2 id="sync-summary-heading">
        Last sync <span className="muted small">{report.trigger === 'manual' ? 'started by hand' : 'scheduled'}, <Age since={report.finishedAt} /></span>
      </h2>
      <p>
        {polled === 0 ? 'No account was polled.' : `${report.successes} of ${polled} polled ${polled === 1 ? 'account' : 'accounts'} succeeded${report.errors > 0 ? `, ${report.errors} failed` : ''}`}
        {polled > 0 && (skippedTotal > 0 ? `; ${skippedTotal} of ${order.length} ${skippedTotal === 1 ? 'was' : 'were'} not polled:` : '.')}
        {stats.paused && ' The monitor is paused now: nothing is polled until Resume.'}
      </p>
      {groups.length > 0 && (
        <ul className="not-polled">
          {groups.map((g) => (
            <li key={g.why}>
              <strong>{g.accounts.length}</strong> {g.why}
              {': '}
              {g.accounts.slice(0, NAMES_SHOWN).map((a, i) => (
                <span key={a.id}>
                  {i > 0 && ', '}
                  <RouteLink route={{ page: 'account', id: a.id }} className="account-link">
                    {a.label}
                  </RouteLink>
                </span>
              ))}
              {g.accounts.length > NAMES_SHOWN && ` and ${g.accounts.length - NAMES_SHOWN} more`}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function ErrorBanner({ report }: { report: SyncReport }) {
  const failed = report.results.filter((r) => r.outcome === 'error');
  const polled = report.accounts - report.skipped;
  return (
    <div className="banner banner-error" role="alert">
      <strong>
        The last sync had {report.errors} {report.errors === 1 ? 'error' : 'errors'}
      </strong>{' '}
      ({report.successes} of {polled} polled accounts succeeded{report.aborted ? ', cycle aborted' : ''}).
      {failed.length > 0 && (
        <details open={failed.length <= 3}>
          <summary>Failing accounts</summary>
          <ul>
            {failed.map((r) => (
              <li key={r.accountId}>
                <RouteLink route={{ page: 'account', id: r.accountId }} className="account-link">
                  {r.label}
                </RouteLink>{' '}
                ({PROVIDER_SHORT[r.provider] ?? r.provider}): <Linkified text={r.message ?? r.errorCode ?? 'error'} />
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
        <span className="muted small"> {PROVIDER_SHORT[item.provider]}</span>
      </span>
      <span className="model" title={q.model}>
        {name}
      </span>
      <QuotaBar fraction={q.remainingFraction} kind={item.kind} label={`${item.label} ${name} remaining`} />
      <DecisionBadge decision={q.decision} />
      <ForecastText quota={q} />
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
