// "Next attempt" on the account page, told truthfully: API keys without a quota endpoint are
// never polled, suspended or refused accounts wait for Reactivate, a switched-off account or a
// paused monitor is not polled; otherwise the monitor's plan for this account (nextPollAt, which
// already waits out poll floors and backoff), else the account's retry time, else the next cycle.
import type { AccountView, MonitorStats, QuotaView } from '../../../../shared/types';
import { isProbeOnly } from '../accounts/provider-fields';

export type NextAttempt = { kind: 'at'; at: string; why: string | null } | { kind: 'never'; text: string };

export function nextAttempt(account: Pick<AccountView, 'provider' | 'status' | 'sync'>, quotas: readonly Pick<QuotaView, 'nextPollAt'>[], stats: Pick<MonitorStats, 'paused' | 'running' | 'nextSyncAt'> | null): NextAttempt {
  if (account.status === 'disabled') return { kind: 'never', text: 'not polled — the account is switched off' };
  if (account.status === 'suspended' || account.status === 'invalid_credentials') return { kind: 'never', text: 'none — it waits until you reactivate it' };
  if (isProbeOnly(account.provider)) return { kind: 'never', text: 'not polled — this API key has no quota endpoint; readings come from responses or Probe key' };
  if (stats?.paused) return { kind: 'never', text: 'not polled while the monitor is paused (Resume in the header)' };
  if (stats && !stats.running) return { kind: 'never', text: 'not scheduled — the monitor is not running (Sync now in the header)' };
  const planned = quotas
    .map((q) => q.nextPollAt)
    .filter((t): t is string => t !== null && !Number.isNaN(Date.parse(t)))
    .sort((a, b) => Date.parse(a) - Date.parse(b))[0];
  const retry = account.sync.nextAttemptAt;
  // A later plan than the next cycle means a gate (poll floor or backoff) holds the account back.
  if (planned) {
    const held = stats?.nextSyncAt && Date.parse(planned) > Date.parse(stats.nextSyncAt) + 1000;
    return { kind: 'at', at: planned, why: held ? (account.sync.consecutiveFailures > 0 ? 'backing off after failures' : "the provider's poll floor") : null };
  }
  if (retry) return { kind: 'at', at: retry, why: account.sync.consecutiveFailures > 0 ? 'backing off after failures' : null };
  if (stats?.nextSyncAt) return { kind: 'at', at: stats.nextSyncAt, why: null };
  return { kind: 'never', text: 'with the next cycle' };
}
