// The quota decision for one account and model: proceed, low, exhausted or unknown.
// Pure: the reading, an optional 429 lock, the threshold and the time decide everything.
import type { DecisionKind } from '../../../shared/types';
import type { QuotaInfo, QuotaLock } from '../model';

export interface Decision {
  kind: DecisionKind;
  remainingFraction: number | null;
  resetAt: number | null;
  /**
   * "locked" (a reported 429), "unavailable" (a cooldown after a 5xx or an unreachable upstream),
   * "reset_passed" (exhausted reading whose reset time passed).
   */
  reason: string | null;
}

export const DEFAULT_LOW_THRESHOLD = 0.1;

export function decide(
  info: QuotaInfo | undefined,
  lock: QuotaLock | undefined,
  now: number,
  lowThreshold = DEFAULT_LOW_THRESHOLD,
): Decision {
  return decideInto({ kind: 'unknown', remainingFraction: null, resetAt: null, reason: null }, info, lock, now, lowThreshold);
}

/**
 * decide() written into `out` (a caller's scratch object that nothing keeps): the engine tells
 * the threshold tracker a decision per reading, 200,000 per cycle at 10,000 accounts.
 */
export function decideInto(out: Decision, info: QuotaInfo | undefined, lock: QuotaLock | undefined, now: number, lowThreshold = DEFAULT_LOW_THRESHOLD): Decision {
  const fraction = info?.remainingFraction ?? null;
  const resetAt = info?.resetAt ?? null;
  // A lock from a real 429 outranks any poll: some upstreams report ~1.0 while exhausted.
  if (lock && lock.lockedUntil > now) {
    // A cooldown says the upstream was unavailable, nothing about the quota.
    if (lock.kind === 'cooldown') return set(out, 'cooldown', fraction, lock.lockedUntil, 'unavailable');
    return set(out, 'exhausted', fraction, lock.lockedUntil, 'locked');
  }
  if (fraction === null) return set(out, 'unknown', null, resetAt, null);
  if (fraction <= 0) {
    if (resetAt !== null && resetAt <= now) return set(out, 'unknown', fraction, resetAt, 'reset_passed');
    return set(out, 'exhausted', 0, resetAt, null);
  }
  if (fraction < lowThreshold) return set(out, 'low', fraction, resetAt, null);
  return set(out, 'proceed', fraction, resetAt, null);
}

function set(out: Decision, kind: DecisionKind, remainingFraction: number | null, resetAt: number | null, reason: string | null): Decision {
  out.kind = kind;
  out.remainingFraction = remainingFraction;
  out.resetAt = resetAt;
  out.reason = reason;
  return out;
}

/** decide(...).kind without building the decision (counts over every reading). */
export function decisionKind(info: QuotaInfo | undefined, lock: QuotaLock | undefined, now: number, lowThreshold = DEFAULT_LOW_THRESHOLD): DecisionKind {
  const fraction = info?.remainingFraction ?? null;
  if (lock && lock.lockedUntil > now) return lock.kind === 'cooldown' ? 'cooldown' : 'exhausted';
  if (fraction === null) return 'unknown';
  if (fraction <= 0) return info!.resetAt !== null && info!.resetAt <= now ? 'unknown' : 'exhausted';
  return fraction < lowThreshold ? 'low' : 'proceed';
}

/** When this decision may change by the passage of time alone (or Infinity). */
export function decisionExpiry(d: Decision, info: QuotaInfo | undefined, lock: QuotaLock | undefined, now: number): number {
  let t = Infinity;
  if (lock && lock.lockedUntil > now) t = Math.min(t, lock.lockedUntil);
  if (d.kind === 'exhausted' && d.reason === null && info?.resetAt) t = Math.min(t, info.resetAt);
  return t;
}
