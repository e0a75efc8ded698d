// Monitor state mirrored from main: MonitorStats and the last sync cycle's report.
// `seq` counts pushed updates so a slower initial fetch never overwrites a newer event.
import { create } from 'zustand';
import type { SyncProgressEvent } from '../../../shared/contract';
import type { MonitorStats, SyncReport } from '../../../shared/types';

interface StatsState {
  stats: MonitorStats | null;
  lastReport: SyncReport | null;
  /** The running cycle's progress (`monitor:syncProgress`), cleared when the cycle's report lands. */
  progress: SyncProgressEvent | null;
  seq: number;
  /** From the `monitor:stats` event (always the newest). */
  applyStats(stats: MonitorStats): void;
  /** From a fetch started when `seq` was `asOf`: ignored if an event arrived meanwhile. */
  loadStats(stats: MonitorStats, asOf: number): void;
  applyReport(report: SyncReport | null): void;
  applyProgress(progress: SyncProgressEvent): void;
  reset(): void;
}

const initial = { stats: null, lastReport: null, progress: null, seq: 0 };

export const useStatsStore = create<StatsState>()((set) => ({
  ...initial,
  applyStats: (stats) => set((s) => ({ stats, seq: s.seq + 1 })),
  loadStats: (stats, asOf) => set((s) => (s.seq === asOf ? { stats } : {})),
  applyReport: (report) => set((s) => (report && s.lastReport && s.lastReport.id > report.id ? {} : { lastReport: report, progress: null })),
  // An older cycle's late event never replaces a newer one's.
  applyProgress: (progress) => set((s) => (s.progress && s.progress.cycleId > progress.cycleId ? {} : { progress })),
  reset: () => set(initial),
}));
