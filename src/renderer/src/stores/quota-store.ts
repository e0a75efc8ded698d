// Quota readings mirrored from main, by account id (each list sorted by model).
// `quota:changed` replaces one account's list; a full `quota:list` fetch replaces the rest but
// leaves alone accounts that received an event after the fetch began (their data is newer).
// Events arrive in batches (see event-coalescer): a batch is one set(), one seq step.
import { create } from 'zustand';
import type { QuotaChangedEvent } from '../../../shared/contract';
import type { QuotaView } from '../../../shared/types';

interface QuotaState {
  byAccount: Record<string, QuotaView[]>;
  /**
   * Whether a full list has been loaded: until then an account without readings may simply not
   * have them here yet (a cold window asks for them once its rows are painted).
   */
  loaded: boolean;
  /** Event counter, and the counter value of each account's last event. */
  seq: number;
  touched: Record<string, number>;
  applyChanged(event: QuotaChangedEvent): void;
  /** Several events in one update (in arrival order: a later one for an account wins). */
  applyChangedBatch(events: readonly QuotaChangedEvent[]): void;
  loadAll(list: QuotaView[], asOf: number): void;
  /** Drops the readings of accounts that no longer exist. */
  retainAccounts(ids: readonly string[]): void;
  reset(): void;
}

const byModel = (a: QuotaView, b: QuotaView) => a.model.localeCompare(b.model);
const initial = { byAccount: {}, seq: 0, touched: {}, loaded: false };

type SetQuota = (fn: (s: QuotaState) => Partial<QuotaState>) => void;

function applyBatch(set: SetQuota, events: readonly QuotaChangedEvent[]): void {
  if (events.length === 0) return;
  set((s) => {
    const seq = s.seq + 1;
    const byAccount = { ...s.byAccount };
    const touched = { ...s.touched };
    for (const { accountId, quotas } of events) {
      if (quotas.length > 0) byAccount[accountId] = [...quotas].sort(byModel);
      else delete byAccount[accountId];
      touched[accountId] = seq;
    }
    return { byAccount, seq, touched };
  });
}

export const useQuotaStore = create<QuotaState>()((set) => ({
  ...initial,
  applyChanged: (event) => applyBatch(set, [event]),
  applyChangedBatch: (events) => applyBatch(set, events),
  loadAll: (list, asOf) =>
    set((s) => {
      const fresh = (id: string) => (s.touched[id] ?? 0) > asOf;
      const byAccount: Record<string, QuotaView[]> = {};
      for (const [id, quotas] of Object.entries(s.byAccount)) if (fresh(id)) byAccount[id] = quotas;
      for (const q of list) {
        if (fresh(q.accountId)) continue;
        (byAccount[q.accountId] ??= []).push(q);
      }
      for (const [id, quotas] of Object.entries(byAccount)) if (!fresh(id)) quotas.sort(byModel);
      return { byAccount, loaded: true };
    }),
  retainAccounts: (ids) =>
    set((s) => {
      const keep = new Set(ids);
      const gone = Object.keys(s.byAccount).filter((id) => !keep.has(id));
      if (gone.length === 0) return {};
      const byAccount = { ...s.byAccount };
      for (const id of gone) delete byAccount[id];
      return { byAccount };
    }),
  reset: () => set(initial),
}));
