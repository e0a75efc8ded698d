// Account detail (#/accounts/<id>): who the account is and how its syncs go, each model's
// current quota and preferences, quota history per model, its usage over the chosen range and
// its recent requests. History, usage and requests refresh (throttled) after its quotas change.
import { useCallback, useState } from 'react';
import type { QuotaView } from '../../../shared/types';
import { AccountHeader } from '../components/account-detail/account-header';
import { AccountDialogs } from '../components/accounts/account-dialogs';
import { useActionNotes } from '../components/accounts/account-actions';
import { ModelQuotas } from '../components/account-detail/model-quotas';
import { QuotaHistory } from '../components/account-detail/quota-history';
import { useQuotaChangedRefresh } from '../components/account-detail/use-throttled-refresh';
import { LimitsEditor } from '../components/settings/limits-editor';
import { useContractQuery } from '../components/use-contract-query';
import { DailyCharts } from '../components/usage/daily-charts';
import { LogTable } from '../components/usage/log-table';
import { QueryError } from '../components/usage/query-state';
import { addDays, utcDay } from '../components/usage/ranges';
import { Segmented } from '../components/usage/segmented';
import { UsageTotals } from '../components/usage/usage-totals';
import { useAccountsStore } from '../stores/accounts-store';
import { useQuotaStore } from '../stores/quota-store';
import { routeHash, useRouteStore } from '../stores/route-store';
import { useUsageStore } from '../stores/usage-store';

const HOUR = 3600_000;
export const HISTORY_RANGES = [
  { value: '24h', label: '24 h', ms: 24 * HOUR, words: 'the last 24 hours' },
  { value: '7d', label: '7 d', ms: 7 * 24 * HOUR, words: 'the last 7 days' },
  { value: '30d', label: '30 d', ms: 30 * 24 * HOUR, words: 'the last 30 days' },
] as const;
export type HistoryRange = (typeof HISTORY_RANGES)[number]['value'];

/** Points per model: about one per two pixels of a wide chart. */
const MAX_POINTS = 300;
const RECENT_REQUESTS = 15;
const DEFAULT_LOW_THRESHOLD = 0.1;
const NO_QUOTAS: QuotaView[] = [];

export function AccountPage({ id, refreshEveryMs = 10_000 }: { id: string; refreshEveryMs?: number }) {
  const loaded = useAccountsStore((s) => s.loaded);
  const exists = useAccountsStore((s) => id in s.accountsById);
  if (!loaded)
    return (
      <section className="panel" aria-busy="true">
        <p className="muted">Loading account…</p>
      </section>
    );
  if (!exists) return <NotFound id={id} />;
  return <AccountDetail id={id} refreshEveryMs={refreshEveryMs} />;
}

function AccountDetail({ id, refreshEveryMs }: { id: string; refreshEveryMs: number }) {
  const account = useAccountsStore((s) => s.accountsById[id]!);
  const quotas = useQuotaStore((s) => s.byAccount[id] ?? NO_QUOTAS);
  const [range, setRange] = useState<HistoryRange>('7d');
  // The moment the ranges end; moved to "now" on a range change and on (throttled) quota events.
  const [anchor, setAnchor] = useState(() => Date.now());
  const span = HISTORY_RANGES.find((r) => r.value === range)!;
  const from = anchor - span.ms;

  const history = useContractQuery('quota:history', { accountId: id, from: new Date(from).toISOString(), to: new Date(anchor).toISOString(), maxPoints: MAX_POINTS });
  const daily = useContractQuery('usage:daily', { accountId: id, from: utcDay(from), to: addDays(utcDay(anchor), 1) });
  const recent = useContractQuery('usage:log', { accountId: id, limit: RECENT_REQUESTS });
  const settings = useContractQuery('settings:get', undefined);
  const lowThreshold = settings.data?.lowThreshold ?? DEFAULT_LOW_THRESHOLD;

  const refetchRecent = recent.refetch;
  const refresh = useCallback(() => {
    setAnchor(Date.now());
    refetchRecent();
  }, [refetchRecent]);
  useQuotaChangedRefresh(id, refresh, refreshEveryMs);

  return (
    <AccountDialogs
      onRemoved={(a) => {
        useActionNotes.getState().set(a.id, null);
        useRouteStore.getState().navigate({ page: 'accounts' });
      }}
    >
      <BackLink />
      <AccountHeader account={account} quotas={quotas} />
      <ModelQuotas account={account} quotas={quotas} />

      <section className="panel" aria-labelledby="history-heading">
        <div className="panel-head">
          <h2 id="history-heading">Quota history</h2>
          <Segmented
            legend="History and usage range"
            value={range}
            options={HISTORY_RANGES}
            onChange={(r) => {
              setRange(r);
              setAnchor(Date.now());
            }}
          />
        </div>
        <QuotaHistory history={history} from={from} to={anchor} quotas={quotas} lowThreshold={lowThreshold} />
      </section>

      <section className="panel" aria-labelledby="account-usage-heading" aria-busy={daily.loading || undefined}>
        <div className="panel-head">
          <h2 id="account-usage-heading">Usage</h2>
          <span className="muted small">
            {span.words}, whole UTC days ({utcDay(from)} to {utcDay(anchor)})
          </span>
        </div>
        {daily.error && <QueryError what="this account's usage" error={daily.error} retry={daily.refetch} />}
        {!daily.data && daily.loading && <p className="muted">Loading usage…</p>}
        {daily.data && (
          <>
            <UsageTotals rows={daily.data} label={`Usage of ${account.label} over ${span.words}`} />
            <DailyCharts rows={daily.data} scope={`${account.label}, ${span.words}`} />
          </>
        )}
      </section>

      <section className="panel" aria-labelledby="account-limits-heading">
        <div className="panel-head">
          <h2 id="account-limits-heading">Limits</h2>
        </div>
        {settings.data && <LimitsEditor scope={id} dryRun={settings.data.limitsDryRun ?? false} label={`Limits of ${account.label}`} />}
      </section>

      <section className="panel" aria-labelledby="recent-heading" aria-busy={recent.loading || undefined}>
        <div className="panel-head">
          <h2 id="recent-heading">Recent requests</h2>
          <a
            className="small"
            href={routeHash({ page: 'usage' })}
            onClick={(e) => {
              e.preventDefault();
              useUsageStore.getState().setFilters({ accountId: id, model: '', status: '' });
              useRouteStore.getState().navigate({ page: 'usage' });
            }}
          >
            All requests of this account →
          </a>
        </div>
        {recent.error && <QueryError what="recent requests" error={recent.error} retry={recent.refetch} />}
        {!recent.data && recent.loading && <p className="muted">Loading requests…</p>}
        {recent.data &&
          (recent.data.rows.length === 0 ? (
            <p className="muted empty">No requests through QuotaDeck for this account yet.</p>
          ) : (
            <LogTable rows={recent.data.rows} showAccount={false} caption={`Recent requests of ${account.label}`} />
          ))}
      </section>
    </AccountDialogs>
  );
}

function BackLink() {
  return (
    <nav aria-label="Breadcrumb" className="back-link">
      <a
        href={routeHash({ page: 'accounts' })}
        onClick={(e) => {
          e.preventDefault();
          useRouteStore.getState().navigate({ page: 'accounts' });
        }}
      >
        ← Accounts
      </a>
    </nav>
  );
}

function NotFound({ id }: { id: string }) {
  return (
    <>
      <BackLink />
      <section className="panel not-found" role="alert" aria-labelledby="not-found-heading">
        <h2 id="not-found-heading">Account not found</h2>
        <p>
          There is no account with the id <code>{id}</code>. It may have been removed.
        </p>
        <p>
          <a
            href={routeHash({ page: 'accounts' })}
            onClick={(e) => {
              e.preventDefault();
              useRouteStore.getState().navigate({ page: 'accounts' });
            }}
          >
            Back to Accounts
          </a>
        </p>
      </section>
    </>
  );
}
