// One account and model as the window and the control API show it (QuotaView): the reading (fresh
// or last known), its decision and lock, when it is next polled and where it is heading.
import type { QuotaForecast, QuotaView } from '../../../shared/types';
import { isoTimeOrNull as iso } from '../iso-time';
import type { QuotaInfo, QuotaLock } from '../model';
import type { Decision } from './decide';

export interface ViewParts {
  /** The fresh reading, else the last known one. */
  info: QuotaInfo | undefined;
  fresh: boolean;
  lock: QuotaLock | undefined;
  decision: Decision;
  nextPollAt: number | null;
  forecast: QuotaForecast | null;
}

export function quotaView(accountId: string, model: string, now: number, p: ViewParts): QuotaView {
  const { info, lock, decision: d } = p;
  return {
    accountId,
    model,
    displayName: info?.displayName ?? null,
    remainingFraction: info?.remainingFraction ?? null,
    resetAt: iso(info?.resetAt ?? null),
    fetchedAt: iso(info?.fetchedAt ?? now)!,
    ageMs: info ? Math.max(0, now - info.fetchedAt) : 0,
    stale: !p.fresh,
    source: info?.source ?? '429',
    window: info?.window ?? null,
    limit: info?.limit ?? null,
    remaining: info?.remaining ?? null,
    ...(info?.windows ? { windows: info.windows.map((w) => ({ window: w.window, remainingFraction: w.remainingFraction, resetAt: iso(w.resetAt) })) } : {}),
    decision: { kind: d.kind, remainingFraction: d.remainingFraction, resetAt: iso(d.resetAt), reason: d.reason },
    lock: lock ? { accountId, model, kind: lock.kind, lockedUntil: iso(lock.lockedUntil)!, reason: lock.reason } : null,
    nextPollAt: iso(p.nextPollAt),
    forecast: p.forecast,
  };
}
