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
  const fraction = info?.remainingFraction ?? null;
  const resetAt = info?.resetAt ?? null;
  // A lock from a real 429 outranks any poll: some upstreams report ~1.0 while exhausted.
  if (lock && lock.lockedUntil > now) {
    // A cooldown says the upstream was unavailable, nothing about the quota.
    if (lock.kind === 'cooldown') return { kind: 'cooldown', remainingFraction: fraction, resetAt: lock.lockedUntil, reason: 'unavailable' };
    return { kind: 'exhausted', remainingFraction: fraction, resetAt: lock.lockedUntil, reason: 'locked' };
  }
  if (fraction === null) return { kind: 'unknown', remainingFraction: null, resetAt, reason: null };
  if (fraction <= 0) {
    if (resetAt !== null && resetAt <= now) {
      return { kind: 'unknown', remainingFraction: fraction, resetAt, reason: 'reset_passed' };
    }
    return { kind: 'exhausted', remainingFraction: 0, resetAt, reason: null };
  }
  if (fraction < lowThreshold) return { kind: 'low', remainingFraction: fraction, resetAt, reason: null };
  return { kind: 'proceed', remainingFraction: fraction, resetAt, reason: null };
}

/** When this decision may change by the passage of time alone (or Infinity). */
export function decisionExpiry(d: Decision, info: QuotaInfo | undefined, lock: QuotaLock | undefined, now: number): number {
  let t = Infinity;
  if (lock && lock.lockedUntil > now) t = Math.min(t, lock.lockedUntil);
  if (d.kind === 'exhausted' && d.reason === null && info?.resetAt) t = Math.min(t, info.resetAt);
  return t;
}
