// Detects threshold crossings per account+model (into low, into exhausted, back to proceed)
// so warnings are logged and notified once per crossing, not once per cycle. A model that
// went low recovers only once it clears the threshold by a margin: a value hovering around
// the threshold (9.9%, 10.1%, 9.8% …) would otherwise notify on every poll.
import { burstWindow, type BurstWindow, type WindowTimers } from '../../../shared/burst-window';
import type { ThresholdCrossedEvent } from '../../../shared/contract';
import type { DecisionKind } from '../../../shared/types';
import { DEFAULT_LOW_THRESHOLD, type Decision } from '../quota/decide';
import type { Logger, Notifier } from '../ports';
import { ModelMap } from '../quota/model-map';

type Level = Exclude<DecisionKind, 'unknown' | 'cooldown'>;

/** Fraction above the low threshold a low model must reach to count as recovered (2 points). */
export const DEFAULT_RECOVERY_MARGIN = 0.02;

export interface ThresholdTrackerOptions {
  /** The current low threshold (a setting, so read on every observation). */
  lowThreshold?: () => number;
  recoveryMargin?: number;
  /**
   * Log lines of a burst (a sync cycle where many models cross at once) are written as one
   * message per level after this window, one line per crossing as before: each log message
   * costs a few milliseconds of formatting and synchronous writes, which a first cycle paid
   * once per exhausted model (the first sync of 1,000 accounts spent ~5 s in the logger).
   * Absent: every line is written at once.
   */
  logWindow?: { windowMs: number; timers: WindowTimers };
}

export class ThresholdTracker {
  /** account id → model → last level (nested, a ModelMap per account: no key string per account and model). */
  private readonly last = new Map<string, ModelMap<Level>>();
  private readonly lowThreshold: () => number;
  private readonly margin: number;
  private readonly lines: BurstWindow<{ warn: boolean; text: string }> | null;

  constructor(
    private readonly log: Logger,
    private readonly notifier: Notifier | undefined,
    private readonly emit: (e: ThresholdCrossedEvent) => void,
    options: ThresholdTrackerOptions = {},
  ) {
    this.lowThreshold = options.lowThreshold ?? (() => DEFAULT_LOW_THRESHOLD);
    this.margin = options.recoveryMargin ?? DEFAULT_RECOVERY_MARGIN;
    const w = options.logWindow;
    this.lines = w && w.windowMs > 0 ? burstWindow(w.windowMs, w.timers, (batch) => this.writeLines(batch)) : null;
  }

  private writeLines(batch: Array<{ warn: boolean; text: string }>): void {
    const warn = batch.filter((l) => l.warn).map((l) => l.text);
    const info = batch.filter((l) => !l.warn).map((l) => l.text);
    if (warn.length > 0) this.log.warn(warn.join('\n'));
    if (info.length > 0) this.log.info(info.join('\n'));
  }

  private line(warn: boolean, text: string): void {
    if (this.lines) this.lines.add({ warn, text });
    else if (warn) this.log.warn(text);
    else this.log.info(text);
  }

  /** Writes the log lines held for the current burst (shutdown, tests). */
  flush(): void {
    this.lines?.flush();
  }

  observe(accountId: string, label: string, model: string, d: Decision): ThresholdCrossedEvent | null {
    // No data, or an upstream briefly unavailable, says nothing about a crossing.
    if (d.kind === 'unknown' || d.kind === 'cooldown') return null;
    let byModel = this.last.get(accountId);
    if (!byModel) this.last.set(accountId, (byModel = new ModelMap()));
    const prev = byModel.get(model);
    // Still inside the hysteresis band: the model stays low (no event, no state change).
    // The epsilon keeps exactly threshold + margin outside it (0.1 + 0.02 is 0.12000000000000001).
    if (prev === 'low' && d.kind === 'proceed' && d.remainingFraction !== null && d.remainingFraction < this.lowThreshold() + this.margin - 1e-9) return null;
    byModel.set(model, d.kind);
    // The first observation of a healthy model is not news; a first low/exhausted one is.
    if (prev === d.kind || (prev === undefined && d.kind === 'proceed')) return null;
    const event: ThresholdCrossedEvent = {
      accountId,
      label,
      model,
      from: prev ?? 'unknown',
      to: d.kind,
      remainingFraction: d.remainingFraction,
      resetAt: d.resetAt === null ? null : new Date(d.resetAt).toISOString(),
    };
    const pct = d.remainingFraction === null ? '?' : `${Math.round(d.remainingFraction * 1000) / 10}%`;
    const when = event.resetAt ? `, resets ${event.resetAt}` : '';
    if (d.kind === 'low') this.line(true, `quota low: ${label} ${model} at ${pct}${when}`);
    else if (d.kind === 'exhausted') this.line(true, `quota exhausted: ${label} ${model}${when}`);
    else this.line(false, `quota recovered: ${label} ${model} at ${pct}`);
    this.notifier?.notify({
      title: d.kind === 'proceed' ? `${label}: ${model} recovered` : `${label}: ${model} ${d.kind}`,
      body: d.kind === 'proceed' ? `${pct} remaining` : `${pct} remaining${when}`,
      accountId,
      kind: d.kind === 'proceed' ? 'recovered' : d.kind,
    });
    this.emit(event);
    return event;
  }

  forgetAccount(accountId: string): void {
    this.last.delete(accountId);
  }
}
