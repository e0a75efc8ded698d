// Builds the usage side for createApp: pricing, ledger, limits and analytics over one database.
// On creation, rows a crash left pending become 'interrupted'; limit warnings are logged,
// notified and emitted; `maintain()` applies the ledger's retention (at most once an hour).
import type { LimitWarningEvent } from '../../../shared/contract';
import type { Settings } from '../../../shared/types';
import type { Db } from '../db/open-database';
import type { Clock, Logger, Notifier } from '../ports';
import { Pricing } from './pricing';
import { UsageAnalytics } from './usage-analytics';
import { UsageLedger } from './usage-ledger';
import { UsageLimits } from './usage-limits';
import { HOUR_MS } from './usage-windows';

export interface UsageServicesDeps {
  db: Db;
  clock: Clock;
  settings: () => Settings;
  labelOf: (accountId: string) => string | null;
  emit: (w: LimitWarningEvent) => void;
  notifier?: Notifier;
  log: Logger;
  /** Told after each batch the ledger writes (the WAL checkpointer starts on writes). */
  afterWrite?: () => void;
}

export interface UsageServices {
  pricing: Pricing;
  ledger: UsageLedger;
  limits: UsageLimits;
  analytics: UsageAnalytics;
  /** Rows found pending at creation and marked interrupted. */
  interrupted: number;
  /** Prunes ledger rows past usageRetentionDays (rollups are kept); skipped within an hour of the last run unless forced. */
  maintain(force?: boolean): number;
}

const LIMIT_NAMES: Record<LimitWarningEvent['limit'], string> = {
  requests_per_hour: 'requests per hour',
  requests_per_day: 'requests per day',
  input_tokens_per_month: 'input tokens per month',
  output_tokens_per_month: 'output tokens per month',
  cost_per_month: 'cost per month',
};

export function createUsageServices(d: UsageServicesDeps): UsageServices {
  const dryRun = () => d.settings().limitsDryRun;
  const pricing = new Pricing(d.db, d.clock);
  const ledger = new UsageLedger(d.db, pricing, d.afterWrite);
  const interrupted = ledger.markInterrupted();
  if (interrupted > 0) d.log.warn(`${interrupted} usage ledger row(s) left pending by the last run marked interrupted`);

  const onWarning = (w: LimitWarningEvent) => {
    const who = w.scope === 'global' ? 'Global' : (w.label ?? w.accountId ?? 'account');
    const what = `${LIMIT_NAMES[w.limit]} at ${w.percent}% (${+w.used.toFixed(4)} of ${w.max})`;
    const action = w.percent < 100 ? '' : dryRun() ? ' (dry-run: not enforced)' : w.scope === 'global' ? ', requests refused' : ', account skipped';
    d.log.warn(`usage limit: ${who} ${what}${action}; window frees up at ${w.resetAt}`);
    d.notifier?.notify({
      title: `${who}: ${LIMIT_NAMES[w.limit]} ${w.percent}%`,
      body: `${what}${action}; frees up at ${w.resetAt}`,
      ...(w.accountId === null ? {} : { accountId: w.accountId }),
    });
    d.emit(w);
  };
  const flush = () => ledger.flush();
  const limits = new UsageLimits({ db: d.db, dryRun, onWarning, labelOf: d.labelOf, flush });
  ledger.listen(limits);
  const analytics = new UsageAnalytics({ db: d.db, limits, dryRun, labelOf: d.labelOf, flush });

  let lastPrune = Number.NEGATIVE_INFINITY;
  return {
    pricing,
    ledger,
    limits,
    analytics,
    interrupted,
    maintain(force = false) {
      const now = d.clock.now();
      if (!force && now - lastPrune < HOUR_MS) return 0;
      lastPrune = now;
      try {
        const n = ledger.prune(now, d.settings().usageRetentionDays);
        if (n > 0) d.log.info(`usage ledger: ${n} row(s) past retention pruned`);
        return n;
      } catch (err) {
        d.log.error('usage ledger prune failed', err);
        return 0;
      }
    },
  };
}
