// What the tray shows, as pure functions of MonitorStats (and the time): the icon state and the
// one-line summary used as tooltip and as the menu's first line (Linux tray menus have no tooltip).
import type { MonitorStats } from '../../shared/types';

export type TrayState = 'ok' | 'low' | 'exhausted';
export const TRAY_STATES: readonly TrayState[] = ['ok', 'low', 'exhausted'];

/** The worst news wins: any exhausted quota, else any low one, else all is well. */
export function trayState(s: Pick<MonitorStats, 'lowQuotas' | 'exhaustedQuotas'>): TrayState {
  if (s.exhaustedQuotas > 0) return 'exhausted';
  if (s.lowQuotas > 0) return 'low';
  return 'ok';
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** "just now", "2 min ago", "3 h ago", "2 d ago" (a future time counts as just now). */
export function timeAgo(ms: number): string {
  const min = Math.floor(ms / 60_000);
  if (min < 1) return 'just now';
  if (min < 60) return `${min} min ago`;
  const h = Math.floor(min / 60);
  if (h < 24) return `${h} h ago`;
  return `${Math.floor(h / 24)} d ago`;
}

/** "QuotaDeck — 40 accounts · 3 low · 1 exhausted · synced 2 min ago". */
export function traySummary(s: MonitorStats, now: number): string {
  const parts = [plural(s.totalAccounts, 'account')];
  if (s.lowQuotas > 0) parts.push(`${s.lowQuotas} low`);
  if (s.exhaustedQuotas > 0) parts.push(`${s.exhaustedQuotas} exhausted`);
  if (s.lastSyncErrors > 0) parts.push(plural(s.lastSyncErrors, 'sync error'));
  if (s.paused) parts.push('paused');
  if (s.syncing) parts.push('syncing…');
  else if (s.lastSyncAt) parts.push(`synced ${timeAgo(now - Date.parse(s.lastSyncAt))}`);
  else parts.push('not synced yet');
  return `QuotaDeck — ${parts.join(' · ')}`;
}
