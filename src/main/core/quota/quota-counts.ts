// The monitor's quota counts (MonitorStats): unexpired readings, and how many of the active
// accounts' readings are low or exhausted (a quota lock without a reading counts as exhausted).
import type { QuotaInfo, QuotaLock } from '../model';
import { decisionKind } from './decide';
import type { LockTable } from './lock-table';
import type { QuotaCache } from './quota-cache';

export interface QuotaCounts {
  cached: number;
  expired: number;
  low: number;
  exhausted: number;
}

const key = (accountId: string, model: string) => `${accountId}\u0000${model}`;

/** One pass over the cache, without iterators or a decision object per reading (stats are counted every second of a cycle). */
export function countQuotas(
  cache: QuotaCache,
  locks: LockTable,
  lockOf: (accountId: string, model: string) => QuotaLock | undefined,
  threshold: number,
  isActive: (accountId: string) => boolean,
  now: number,
): QuotaCounts {
  let low = 0;
  let exhausted = 0;
  let cached = 0;
  // Which readings were counted matters only for locks (rare): no key per reading otherwise.
  const seen = locks.size > 0 ? new Set<string>() : null;
  cache.forEachLive(now, (info: QuotaInfo) => {
    cached++;
    if (!isActive(info.accountId)) return;
    seen?.add(key(info.accountId, info.model));
    const kind = decisionKind(cache.lookup(info.accountId, info.model, now), lockOf(info.accountId, info.model), now, threshold);
    if (kind === 'low') low++;
    else if (kind === 'exhausted') exhausted++;
  });
  for (const l of locks.values()) if (l.kind === 'quota' && l.lockedUntil > now && !seen?.has(key(l.accountId, l.model)) && isActive(l.accountId)) exhausted++;
  return { cached, expired: cache.countExpired(now), low, exhausted };
}
