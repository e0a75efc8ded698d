// Live alerts in the window: quota crossings (low, exhausted, recovered) and usage-limit
// warnings. A sync that moves many quotas at once yields one grouped toast, not a wall of them.
import { create } from 'zustand';
import { burstWindow, type BurstWindow } from '../../../shared/burst-window';
import type { LimitWarningEvent, ThresholdCrossedEvent } from '../../../shared/contract';

export type ToastTone = 'good' | 'warn' | 'bad';

export interface Toast {
  id: number;
  tone: ToastTone;
  title: string;
  body: string;
  /** The account the toast is about (a link to its page), if exactly one. */
  accountId: string | null;
}

interface ToastState {
  toasts: Toast[];
  push(t: Omit<Toast, 'id'>): void;
  dismiss(id: number): void;
  reset(): void;
}

/** At most this many are on screen; the oldest go first. */
export const MAX_TOASTS = 4;
let nextId = 1;

export const useToastStore = create<ToastState>()((set) => ({
  toasts: [],
  push: (t) => set((s) => ({ toasts: [...s.toasts, { ...t, id: nextId++ }].slice(-MAX_TOASTS) })),
  dismiss: (id) => set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) })),
  reset: () => set({ toasts: [] }),
}));

const pct = (f: number | null) => (f === null ? '?' : `${Math.round(f * 1000) / 10}%`);

export function crossingToast(e: ThresholdCrossedEvent): Omit<Toast, 'id'> {
  if (e.to === 'proceed') return { tone: 'good', title: `${e.label}: ${e.model} recovered`, body: `${pct(e.remainingFraction)} remaining`, accountId: e.accountId };
  return {
    tone: e.to === 'exhausted' ? 'bad' : 'warn',
    title: `${e.label}: ${e.model} ${e.to === 'exhausted' ? 'exhausted' : 'low'}`,
    body: `${pct(e.remainingFraction)} remaining${e.resetAt ? `, resets ${new Date(e.resetAt).toLocaleString()}` : ''}`,
    accountId: e.accountId,
  };
}

/** Several crossings that arrived together, as one toast naming the first few. */
export function groupedToast(events: ThresholdCrossedEvent[], shown = 3): Omit<Toast, 'id'> {
  const exhausted = events.filter((e) => e.to === 'exhausted').length;
  const low = events.filter((e) => e.to === 'low').length;
  const recovered = events.length - exhausted - low;
  const parts = [exhausted && `${exhausted} exhausted`, low && `${low} low`, recovered && `${recovered} recovered`].filter(Boolean);
  const names = events.slice(0, shown).map((e) => `${e.label} · ${e.model}`);
  const more = events.length > shown ? ` and ${events.length - shown} more` : '';
  const accounts = new Set(events.map((e) => e.accountId));
  return {
    tone: exhausted > 0 ? 'bad' : low > 0 ? 'warn' : 'good',
    title: `${events.length} quotas changed: ${parts.join(', ')}`,
    body: `${names.join('; ')}${more}`,
    accountId: accounts.size === 1 ? events[0]!.accountId : null,
  };
}

export function limitToast(w: LimitWarningEvent): Omit<Toast, 'id'> {
  const who = w.scope === 'global' ? 'All accounts' : (w.label ?? w.accountId ?? 'An account');
  return {
    tone: w.percent >= 100 ? 'bad' : 'warn',
    title: `${who}: ${w.limit.replace(/_/g, ' ')} at ${w.percent}% of its limit`,
    body: `${w.used} of ${w.max}; the window frees up ${new Date(w.resetAt).toLocaleString()}`,
    accountId: w.scope === 'account' ? w.accountId : null,
  };
}

/** Crossings that arrive together (one sync) become one toast when there are more than `groupAbove`. */
export function crossingFeed(push: (t: Omit<Toast, 'id'>) => void, windowMs = 400, groupAbove = 2): BurstWindow<ThresholdCrossedEvent> {
  return burstWindow<ThresholdCrossedEvent>(windowMs, { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (t) => clearTimeout(t as ReturnType<typeof setTimeout>) }, (batch) => {
    if (batch.length > groupAbove) push(groupedToast(batch));
    else batch.forEach((e) => push(crossingToast(e)));
  });
}
