// What the Usage page is looking at: the range (a preset or custom dates), the request log's
// filters and its page stack. UI state only; the numbers come from the contract per view. Kept
// in a store so leaving the page and coming back finds the same range, filters and page.
import { create } from 'zustand';
import type { UsageStatus } from '../../../shared/types';
import type { RangePreset } from '../components/usage/ranges';

export interface LogFilters {
  /** '' = any. */
  accountId: string;
  model: string;
  status: UsageStatus | '';
}

interface UsageState {
  preset: RangePreset;
  /** Custom range, both days inclusive ("YYYY-MM-DD", UTC). */
  customFirst: string;
  customLast: string;
  filters: LogFilters;
  /** Cursors of the older pages opened so far; the last one is the page shown ([] = newest). */
  cursors: string[];
  setPreset(preset: RangePreset): void;
  setCustom(first: string, last: string): void;
  setFilters(patch: Partial<LogFilters>): void;
  older(cursor: string): void;
  newer(): void;
  newest(): void;
  reset(): void;
}

const initial = {
  preset: '7d' as RangePreset,
  customFirst: '',
  customLast: '',
  filters: { accountId: '', model: '', status: '' } as LogFilters,
  cursors: [] as string[],
};

export const useUsageStore = create<UsageState>()((set) => ({
  ...initial,
  // A new range or filter starts the log again from its newest page.
  setPreset: (preset) => set({ preset, cursors: [] }),
  setCustom: (customFirst, customLast) => set({ customFirst, customLast, cursors: [] }),
  setFilters: (patch) => set((s) => ({ filters: { ...s.filters, ...patch }, cursors: [] })),
  older: (cursor) => set((s) => ({ cursors: [...s.cursors, cursor] })),
  newer: () => set((s) => ({ cursors: s.cursors.slice(0, -1) })),
  newest: () => set({ cursors: [] }),
  reset: () => set(initial),
}));
