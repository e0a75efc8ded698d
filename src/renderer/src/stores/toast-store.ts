// Live alerts in the window: quota crossings (low, exhausted, recovered) and usage-limit
// warnings. A sync that moves many quotas at once yields one grouped toast, not a wall of them.
import { create } from 'zustand';
import { burstWindow, type BurstWindow } from '../../../shared/burst-window';
import type { LimitWarningEvent, ThresholdCrossedEvent } from '../../../shared/contract';
import { quotaName } from '../components/accounts/quota-name';
import { formatDuration } from '../format';
import { useAccountsStore } from './accounts-store';
import { useQuotaStore } from './quota-store';

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
export const MAX_TOASTS = 3;
let nextId = 1;

export const useToastStore = create<ToastState>()((set) => ({
  toasts: [],
  push: (t) => set((s) => ({ toasts: [...s.toasts, { ...t, id: nextId++ }].slice(-MAX_TOASTS) })),
  dismiss: (id) => set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) })),
  reset: () => set({ toasts: [] }),
}));

const pct = (f: number | null) => (f === null ? '?' : `${Math.round(f * 1000) / 10}%`);

/** The window's name for people ("Opus · weekly", "Gemini 3 Pro (High)"), from the reading the window holds when it can. */
export function modelName(accountId: string, model: string): string {
  const q = useQuotaStore.getState().byAccount[accountId]?.find((r) => r.model === model);
  return quotaName(q ?? { model, displayName: null, window: null });
}

/** The account's current label (a renamed account is named as it is now). */
function accountName(accountId: string | null, fallback: string | undefined): string {
  return (accountId ? useAccountsStore.getState().accountsById[accountId]?.label : undefined) ?? fallback ?? 'An account';
}

/** "in 3h 05m (Sat 14:05)": relative first, then the moment in the user's own locale. */
export function whenText(iso: string, now = Date.now()): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return '';
  const ms = at.getTime() - now;
  const sameDay = at.toDateString() === new Date(now).toDateString();
  const local = at.toLocaleString(undefined, sameDay ? { hour: '2-digit', minute: '2-digit' } : { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
  return ms > 0 ? `in ${formatDuration(ms)} (${local})` : local;
}

export function crossingToast(e: ThresholdCrossedEvent, now = Date.now()): Omit<Toast, 'id'> {
  const who = `${accountName(e.accountId, e.label)}: ${modelName(e.accountId, e.model)}`;
  if (e.to === 'proceed') return { tone: 'good', title: `${who} recovered`, body: `${pct(e.remainingFraction)} left`, accountId: e.accountId };
  // Exhausted with quota left: a 429 locked it until its reset.
  const locked = e.to === 'exhausted' && (e.remainingFraction ?? 0) > 0;
  if (locked) return { tone: 'bad', title: `${who} is rate-limited`, body: `locked${e.resetAt ? `, frees up ${whenText(e.resetAt, now)}` : ''}`, accountId: e.accountId };
  return {
    tone: e.to === 'exhausted' ? 'bad' : 'warn',
    title: `${who} ${e.to === 'exhausted' ? 'ran out' : 'is low'}`,
    body: `${pct(e.remainingFraction)} left${e.resetAt ? `, resets ${whenText(e.resetAt, now)}` : ''}`,
    accountId: e.accountId,
  };
}

/** Several crossings that arrived together, as one toast naming the first few. */
export function groupedToast(events: ThresholdCrossedEvent[], shown = 3): Omit<Toast, 'id'> {
  const exhausted = events.filter((e) => e.to === 'exhausted').length;
  const low = events.filter((e) => e.to === 'low').length;
  const recovered = events.length - exhausted - low;
  const parts = [exhausted && `${exhausted} exhausted`, low && `${low} low`, recovered && `${recovered} recovered`].filter(Boolean);
  const names = events.slice(0, shown).map((e) => `${accountName(e.accountId, e.label)}: ${modelName(e.accountId, e.model)}`);
  const more = events.length > shown ? ` and ${events.length - shown} more` : '';
  const accounts = new Set(events.map((e) => e.accountId));
  return {
    tone: exhausted > 0 ? 'bad' : low > 0 ? 'warn' : 'good',
    title: `${events.length} quotas changed: ${parts.join(', ')}`,
    body: `${names.join('; ')}${more}`,
    accountId: accounts.size === 1 ? events[0]!.accountId : null,
  };
}

const LIMIT_WORDS: Record<string, { name: string; amount: (n: number) => string }> = {
  requests_per_hour: { name: 'requests per hour', amount: (n) => n.toLocaleString() },
  requests_per_day: { name: 'requests per day', amount: (n) => n.toLocaleString() },
  input_tokens_per_month: { name: 'input tokens this month', amount: (n) => n.toLocaleString() },
  output_tokens_per_month: { name: 'output tokens this month', amount: (n) => n.toLocaleString() },
  cost_per_month: { name: 'spending this month', amount: (n) => `$${n.toFixed(2)}` },
};

export function limitToast(w: LimitWarningEvent, now = Date.now()): Omit<Toast, 'id'> {
  const who = w.scope === 'global' ? 'All accounts' : accountName(w.accountId, w.label);
  const words = LIMIT_WORDS[w.limit] ?? { name: w.limit.replace(/_/g, ' '), amount: (n: number) => n.toLocaleString() };
  return {
    tone: w.percent >= 100 ? 'bad' : 'warn',
    title: `${who}: ${words.name} at ${w.percent}% of the limit`,
    body: `${words.amount(w.used)} of ${words.amount(w.max)}; frees up ${whenText(w.resetAt, now)}`,
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
