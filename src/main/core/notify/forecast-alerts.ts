// Tells, once per reset period, that an account+model is forecast to run out before its quota
// resets (the forecaster's `beforeReset`): logged and notified through the same Notifier (tray /
// desktop, grouped in a burst, silenced by the setting) as threshold crossings. A period ends
// when its reset passes; a new period may alert again. The period alerted is kept in a
// ForecastAlertStore (SQLite in the app), so a restart within a period does not alert again.
import type { QuotaForecast } from '../../../shared/types';
import type { Logger, Notifier } from '../ports';
import type { ForecastAlertStore } from './forecast-alert-store';

export class ForecastAlerts {
  /** account\0model → the reset of the period already alerted (null: no reset known). */
  private readonly sent = new Map<string, number | null>();

  constructor(
    private readonly log: Logger,
    private readonly notifier: Notifier | undefined,
    private readonly store?: ForecastAlertStore,
  ) {
    for (const a of store?.load() ?? []) this.sent.set(`${a.accountId}\u0000${a.model}`, a.resetAt);
  }

  /**
   * A fresh forecast for a quota with `remaining` left and its reset: alerts when it runs out
   * before the reset and this period has not been alerted. Answers whether it alerted.
   */
  observe(accountId: string, label: string, model: string, f: QuotaForecast | null, remaining: number | null, resetAt: number | null, now: number): boolean {
    if (!f || !f.beforeReset || f.exhaustsAt === null || remaining === null || remaining <= 0) return false;
    const key = `${accountId}\u0000${model}`;
    const prev = this.sent.get(key);
    // Already told for this period (it ends when its reset passes).
    if (prev !== undefined && (prev === null || now < prev)) return false;
    this.sent.set(key, resetAt);
    try {
      this.store?.save({ accountId, model, resetAt }, now);
    } catch (err) {
      // An account removed meanwhile (foreign key): nothing left to remember; the alert still goes.
      this.log.debug(`forecast alert of ${label} ${model} not kept: ${(err as Error).message}`);
    }
    const reset = resetAt === null ? '' : `, before its reset at ${new Date(resetAt).toISOString()}`;
    const rate = `${Math.round(f.ratePerHour * 1000) / 10}% an hour`;
    this.log.warn(`quota forecast to run out: ${label} ${model} at ${f.exhaustsAt} (${rate})${reset}`);
    this.notifier?.notify({
      title: `${label}: ${model} will run out before it resets`,
      body: `At the current rate (${rate}) it runs out at ${f.exhaustsAt}${reset}.`,
      accountId,
      kind: 'forecast',
    });
    return true;
  }

  forgetAccount(accountId: string): void {
    for (const k of this.sent.keys()) if (k.startsWith(`${accountId}\u0000`)) this.sent.delete(k);
  }
}
