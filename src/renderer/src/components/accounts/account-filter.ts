// Which accounts the Accounts page lists, and in what order: text search over label, email,
// provider and model names; provider, status and decision filters; a sort key. Pure, so the
// page recomputes it once per store update (a coalesced burst is one update).
import type { AccountStatus, AccountView, DecisionKind, ProviderId, QuotaView, Tier } from '../../../../shared/types';

export type StatusFilter = 'all' | AccountStatus | 'sync-error';
/** 'attention': any model low or exhausted. */
export type DecisionFilter = 'all' | 'attention' | 'low' | 'exhausted' | 'unknown';
export type SortKey = 'default' | 'label' | 'provider' | 'tier' | 'remaining' | 'reset';
export type SortDir = 'asc' | 'desc';

export interface AccountQuery {
  text: string;
  provider: 'all' | ProviderId;
  status: StatusFilter;
  decision: DecisionFilter;
  sort: SortKey;
  dir: SortDir;
}

export const EMPTY_QUERY: AccountQuery = { text: '', provider: 'all', status: 'all', decision: 'all', sort: 'default', dir: 'asc' };

export function isFiltered(q: AccountQuery): boolean {
  return q.text.trim() !== '' || q.provider !== 'all' || q.status !== 'all' || q.decision !== 'all';
}

const NONE: QuotaView[] = [];
// Held once: localeCompare with options builds a collator per call, and a sort makes ~10,000 calls.
const labelCollator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });
const TIER_RANK: Record<Tier, number> = { ultra: 0, pro: 1, free: 2 };

export function hasSyncError(a: AccountView): boolean {
  return a.sync.consecutiveFailures > 0 || a.sync.lastErrorMessage !== null;
}

/** The soonest reset still to come over an account's readings, as epoch ms (null: none known). */
export function soonestReset(quotas: readonly QuotaView[], now: number): number | null {
  let soon: number | null = null;
  for (const q of quotas) {
    const t = q.resetAt ? Date.parse(q.resetAt) : NaN;
    if (Number.isFinite(t) && t > now && (soon === null || t < soon)) soon = t;
  }
  return soon;
}

/** The lowest remaining fraction over an account's readings (null: no reading has one). */
export function lowestRemaining(quotas: readonly QuotaView[]): number | null {
  let low: number | null = null;
  for (const q of quotas) if (q.remainingFraction !== null && (low === null || q.remainingFraction < low)) low = q.remainingFraction;
  return low;
}

function decisionMatches(filter: DecisionFilter, quotas: readonly QuotaView[]): boolean {
  if (filter === 'all') return true;
  if (filter === 'unknown') return quotas.length === 0 || quotas.some((q) => q.decision.kind === 'unknown');
  const wanted: DecisionKind[] = filter === 'attention' ? ['low', 'exhausted'] : [filter];
  return quotas.some((q) => wanted.includes(q.decision.kind));
}

function statusMatches(filter: StatusFilter, a: AccountView): boolean {
  if (filter === 'all') return true;
  if (filter === 'sync-error') return hasSyncError(a);
  return a.status === filter;
}

function textMatches(needles: string[], a: AccountView, quotas: readonly QuotaView[]): boolean {
  if (needles.length === 0) return true;
  const hay = [a.label, a.email ?? '', a.provider, ...quotas.flatMap((q) => (q.displayName ? [q.model, q.displayName] : [q.model]))].join('\n').toLowerCase();
  // Every word must match somewhere ("claude work" finds the claude account labelled work).
  return needles.every((n) => hay.includes(n));
}

/** The ids to show, in order. `order` is the service's order (the 'default' sort). */
export function selectAccounts(
  order: readonly string[],
  byId: Readonly<Record<string, AccountView>>,
  quotasByAccount: Readonly<Record<string, QuotaView[]>>,
  q: AccountQuery,
  now = Date.now(),
): string[] {
  const needles = q.text.toLowerCase().split(/\s+/).filter(Boolean);
  const out: AccountView[] = [];
  for (const id of order) {
    const a = byId[id];
    if (!a) continue;
    if (q.provider !== 'all' && a.provider !== q.provider) continue;
    if (!statusMatches(q.status, a)) continue;
    const quotas = quotasByAccount[id] ?? NONE;
    if (!decisionMatches(q.decision, quotas)) continue;
    if (!textMatches(needles, a, quotas)) continue;
    out.push(a);
  }
  if (q.sort !== 'default') {
    const sign = q.dir === 'asc' ? 1 : -1;
    const label = (a: AccountView, b: AccountView) => labelCollator.compare(a.label, b.label);
    // Per account, the number the sort reads (lowest remaining, or soonest reset); null sorts last.
    const low = new Map<string, number | null>();
    if (q.sort === 'remaining') for (const a of out) low.set(a.id, lowestRemaining(quotasByAccount[a.id] ?? NONE));
    if (q.sort === 'reset') for (const a of out) low.set(a.id, soonestReset(quotasByAccount[a.id] ?? NONE, now));
    const byNumber = q.sort === 'remaining' || q.sort === 'reset';
    const primary = (a: AccountView, b: AccountView): number => {
      switch (q.sort) {
        case 'label':
          return label(a, b);
        case 'provider':
          return a.provider.localeCompare(b.provider);
        case 'tier':
          return TIER_RANK[a.tier] - TIER_RANK[b.tier];
        case 'reset':
        case 'remaining': {
          const x = low.get(a.id) ?? null;
          const y = low.get(b.id) ?? null;
          if (x === null || y === null) return 0; // handled below: no readings sort last either way
          return x - y;
        }
        default:
          return 0;
      }
    };
    out.sort((a, b) => {
      if (byNumber) {
        const x = low.get(a.id) ?? null;
        const y = low.get(b.id) ?? null;
        if (x === null !== (y === null)) return x === null ? 1 : -1;
      }
      return sign * primary(a, b) || label(a, b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
    });
  }
  return out.map((a) => a.id);
}
