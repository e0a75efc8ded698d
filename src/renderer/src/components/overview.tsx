// MonitorStats as cards, and a banner when the last sync cycle had errors.
import type { ReactNode } from 'react';
import type { MonitorStats, SyncReport } from '../../../shared/types';
import { formatElapsed } from '../format';
import { useStatsStore } from '../stores/stats-store';
import { Age, Countdown } from './time-text';

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
    </section>
  );
}

function Cards({ stats }: { stats: MonitorStats }) {
  return (
    <dl className="cards">
      <Card label="Accounts" value={stats.totalAccounts} note={`${stats.activeAccounts} active`} />
      <Card label="Cached" value={stats.cachedQuotas} note="quota readings" />
      <Card label="Expired" value={stats.expiredEntries} tone={stats.expiredEntries > 0 ? 'warn' : undefined} />
      <Card label="Low" value={stats.lowQuotas} tone={stats.lowQuotas > 0 ? 'warn' : undefined} />
      <Card label="Exhausted" value={stats.exhaustedQuotas} tone={stats.exhaustedQuotas > 0 ? 'bad' : undefined} />
      <Card label="Last sync" value={formatElapsed(stats.lastSyncDurationMs)} note={stats.lastSyncAt ? <Age since={stats.lastSyncAt} /> : 'never'} />
      <Card label="Successes" value={stats.lastSyncSuccesses} tone={stats.lastSyncSuccesses > 0 ? 'good' : undefined} />
      <Card label="Errors" value={stats.lastSyncErrors} tone={stats.lastSyncErrors > 0 ? 'bad' : undefined} note={stats.lastSyncSkipped > 0 ? `${stats.lastSyncSkipped} skipped` : undefined} />
      <Card label="Next sync" value={<NextSync stats={stats} />} />
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

function Card({ label, value, note, tone }: { label: string; value: ReactNode; note?: ReactNode; tone?: 'good' | 'warn' | 'bad' }) {
  return (
    <div className={`card${tone ? ` card-${tone}` : ''}`}>
      <dt>{label}</dt>
      <dd>
        <span className="card-value">{value}</span>
        {note !== undefined && <span className="card-note">{note}</span>}
      </dd>
    </div>
  );
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
        <details>
          <summary>Show failing accounts</summary>
          <ul>
            {failed.map((r) => (
              <li key={r.accountId}>
                <strong>{r.label}</strong> ({r.provider}): {r.message ?? r.errorCode ?? 'error'}
                {r.errorKind && <span className="muted"> [{r.errorKind}]</span>}
              </li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}
