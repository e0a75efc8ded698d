// Local usage limits, global and per account, all optional (the `usage_limits` table), checked
// before dispatch. Each window is what the stored rows say at the time of the check, kept in
// memory per limited scope (loaded from SQLite once, then moved by the ledger's deltas, see
// LimitWindows): no query on the proxy's hot path.
//
// - requests per hour: the rolling 60 minutes, counted in the ledger (pending, completed and
//   failed attempts; rejected ones are not requests); frees up when its oldest requests age out;
// - requests per day: the current UTC day in the rollups; frees up at the next UTC midnight;
// - input/output tokens and cost per month: the current UTC calendar month in the rollups
//   (completed attempts only); frees up on the 1st of the next month, 00:00 UTC.
// Warnings at 80% and 90% (and 100%) go to `onWarning` once per window and level. At 100% the
// scope is refused until its window frees up (nothing to undo later: the next check simply
// computes a smaller use), unless dry-run is on, which only warns.
import type { LimitWarningEvent } from '../../../shared/contract';
import type { UsageLimitKind } from '../../../shared/types';
import type { Db } from '../db/open-database';
import type { LedgerDelta, LedgerListener } from './ledger-deltas';
import type { LimitBreach, LimitDecision, LimitKind, UsageLimitsPort } from './usage-ports';
import { dayWindow, DAY_MS, HourWindow, hourWindowStart, HOUR_MS, monthWindow } from './usage-windows';

// The port's kinds and the contract's are the same list.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const kindsAgree: Same<LimitKind, UsageLimitKind> = true;
void kindsAgree;

/** The limits of one scope; null means no limit of that kind. */
export interface LimitSet {
  requestsPerHour: number | null;
  requestsPerDay: number | null;
  inputTokensPerMonth: number | null;
  outputTokensPerMonth: number | null;
  /** USD */
  costPerMonth: number | null;
}

/** A change: a number sets, null clears, a missing key keeps. */
export type LimitPatch = Partial<LimitSet>;

export const GLOBAL_SCOPE = 'global';

/** One configured limit and its current window's use (same shape as a breach). */
export type LimitUsage = LimitBreach;

export const WARNING_LEVELS = [80, 90, 100] as const;
export type WarningLevel = (typeof WARNING_LEVELS)[number];

const FIELD_OF: Record<LimitKind, keyof LimitSet> = {
  requests_per_hour: 'requestsPerHour',
  requests_per_day: 'requestsPerDay',
  input_tokens_per_month: 'inputTokensPerMonth',
  output_tokens_per_month: 'outputTokensPerMonth',
  cost_per_month: 'costPerMonth',
};
const KINDS = Object.keys(FIELD_OF) as LimitKind[];

const EMPTY: LimitSet = { requestsPerHour: null, requestsPerDay: null, inputTokensPerMonth: null, outputTokensPerMonth: null, costPerMonth: null };

interface LimitsRow {
  scope: string;
  requests_per_hour: number | null;
  requests_per_day: number | null;
  input_tokens_per_month: number | null;
  output_tokens_per_month: number | null;
  cost_per_month: number | null;
}

const toSet = (r: LimitsRow): LimitSet => ({
  requestsPerHour: r.requests_per_hour,
  requestsPerDay: r.requests_per_day,
  inputTokensPerMonth: r.input_tokens_per_month,
  outputTokensPerMonth: r.output_tokens_per_month,
  costPerMonth: r.cost_per_month,
});

const isEmpty = (s: LimitSet) => KINDS.every((k) => s[FIELD_OF[k]] === null);

/** The highest warning level `used` has reached (exact for integers: no float division). */
export function levelOf(used: number, max: number): WarningLevel | null {
  for (let i = WARNING_LEVELS.length - 1; i >= 0; i--) {
    const level = WARNING_LEVELS[i]!;
    if (used * 100 >= max * level) return level;
  }
  return null;
}

export interface UsageLimitsDeps {
  db: Db;
  /** limitsDryRun: warn only, never refuse. */
  dryRun: () => boolean;
  onWarning?: (w: LimitWarningEvent) => void;
  /** An account's label for warnings and views. */
  labelOf?: (accountId: string) => string | null;
  /** Writes the ledger's queued rows (before a window is loaded from SQLite). */
  flush?: () => void;
}

/** One limited scope's windows: the rolling hour, the UTC day, the UTC month (each loaded when first needed). */
interface ScopeWindows {
  hour: HourWindow | null;
  day: { from: number; to: number; n: number } | null;
  month: { from: number; to: number; input: number; output: number; cost: number } | null;
}

export class UsageLimits implements UsageLimitsPort, LedgerListener {
  private readonly stmt;
  /** scope → limits; the hot path reads only this (no query when a scope has no limits). */
  private limits = new Map<string, LimitSet>();
  /** `${scope}\0${kind}` → highest level warned in the window that ends at `until`. */
  private readonly warned = new Map<string, { level: WarningLevel; until: number }>();
  /** scope → its windows, for scopes with limits that were checked. */
  private readonly windows = new Map<string, ScopeWindows>();

  constructor(private readonly d: UsageLimitsDeps) {
    const { db } = d;
    // Ended rows and pending ones apart, each on its own partial index (migration 9).
    const hourSql = (where: string) =>
      `SELECT started_at FROM usage_ledger WHERE ${where} started_at > @since AND status <> 'pending' AND status <> 'rejected'
       UNION ALL
       SELECT started_at FROM usage_ledger WHERE ${where} started_at > @since AND status = 'pending'
       ORDER BY started_at`;
    this.stmt = {
      all: db.prepare<[], LimitsRow>('SELECT * FROM usage_limits'),
      upsert: db.prepare(
        `INSERT INTO usage_limits (scope, requests_per_hour, requests_per_day, input_tokens_per_month, output_tokens_per_month, cost_per_month, updated_at)
         VALUES (@scope, @requestsPerHour, @requestsPerDay, @inputTokensPerMonth, @outputTokensPerMonth, @costPerMonth, @updatedAt)
         ON CONFLICT (scope) DO UPDATE SET requests_per_hour = excluded.requests_per_hour, requests_per_day = excluded.requests_per_day,
           input_tokens_per_month = excluded.input_tokens_per_month, output_tokens_per_month = excluded.output_tokens_per_month,
           cost_per_month = excluded.cost_per_month, updated_at = excluded.updated_at`,
      ),
      remove: db.prepare<[string]>('DELETE FROM usage_limits WHERE scope = ?'),
      hourGlobal: db.prepare<[{ since: number }], number>(hourSql('')).pluck(),
      hourAccount: db.prepare<[{ account: string; since: number }], number>(hourSql('account_id = @account AND')).pluck(),
      // The rollups count a request once its row ends; the rows still in flight are added.
      dayGlobal: db.prepare<[{ day: string; from: number; to: number }], { n: number }>(
        `SELECT (SELECT COALESCE(SUM(requests), 0) FROM usage_daily WHERE day = @day)
              + (SELECT COUNT(*) FROM usage_ledger WHERE started_at >= @from AND started_at < @to AND status = 'pending') AS n`,
      ),
      dayAccount: db.prepare<[{ account: string; day: string; from: number; to: number }], { n: number }>(
        `SELECT (SELECT COALESCE(SUM(requests), 0) FROM usage_daily WHERE account_id = @account AND day = @day)
              + (SELECT COUNT(*) FROM usage_ledger WHERE started_at >= @from AND started_at < @to AND status = 'pending' AND account_id = @account) AS n`,
      ),
      monthGlobal: db.prepare<[string, string], { input: number; output: number; cost: number }>(
        `SELECT COALESCE(SUM(input_tokens), 0) AS input, COALESCE(SUM(output_tokens), 0) AS output, COALESCE(SUM(cost), 0) AS cost
         FROM usage_daily WHERE day >= ? AND day < ?`,
      ),
      monthAccount: db.prepare<[string, string, string], { input: number; output: number; cost: number }>(
        `SELECT COALESCE(SUM(input_tokens), 0) AS input, COALESCE(SUM(output_tokens), 0) AS output, COALESCE(SUM(cost), 0) AS cost
         FROM usage_daily WHERE account_id = ? AND day >= ? AND day < ?`,
      ),
    };
    this.reload();
  }

  private reload(): Map<string, LimitSet> {
    this.limits = new Map(this.stmt.all.all().map((r) => [r.scope, toSet(r)]));
    return this.limits;
  }

  /** Global limits, checked once per client request before any account is chosen. */
  checkGlobal(now: number): LimitDecision {
    return this.check(GLOBAL_SCOPE, now);
  }

  /** An account's own limits, checked before dispatching to it (over: skip the account). */
  checkAccount(accountId: string, now: number): LimitDecision {
    return this.check(accountId, now);
  }

  private check(scope: string, now: number): LimitDecision {
    const set = this.limits.get(scope);
    if (!set) return OK;
    // The hot path: windows loaded and moved, every use compared without building a view; the
    // views (and warnings) only once some use has reached the first warning level.
    const w = this.load(scope, set, now);
    if (belowWarnings(set, w)) return OK;
    let worst: LimitBreach | null = null;
    for (const u of this.measure(scope, set, now)) {
      this.warnIfDue(u, now);
      // Refused until every full window frees up: the latest reset is the one that matters.
      if (u.used >= u.max && (!worst || u.resetAt > worst.resetAt)) worst = u;
    }
    if (worst && !this.d.dryRun()) return { ok: false, breach: worst };
    return OK;
  }

  /** The ledger's change, applied to every loaded window it falls in (its account's and the global one). */
  delta(d: LedgerDelta): void {
    if (this.windows.size === 0) return;
    const g = this.windows.get(GLOBAL_SCOPE);
    if (g) applyDelta(g, d);
    if (d.accountId !== null) {
      const w = this.windows.get(d.accountId);
      if (w) applyDelta(w, d);
    }
  }

  /** Forgets every loaded window (the next check reads SQLite again). */
  reset(): void {
    this.windows.clear();
  }

  private windowsOf(scope: string): ScopeWindows {
    let w = this.windows.get(scope);
    if (!w) this.windows.set(scope, (w = { hour: null, day: null, month: null }));
    return w;
  }

  /** A scope's windows for the limits it has, loaded from SQLite when missing or stale, the hour moved to `now`. */
  private load(scope: string, set: LimitSet, now: number): ScopeWindows {
    const accountId = scope === GLOBAL_SCOPE ? null : scope;
    const w = this.windowsOf(scope);
    if (set.requestsPerHour !== null) {
      const since = hourWindowStart(now);
      if (!w.hour || since < w.hour.loadedSince) {
        this.d.flush?.();
        w.hour = new HourWindow(since, accountId === null ? this.stmt.hourGlobal.all({ since }) : this.stmt.hourAccount.all({ account: accountId, since }));
      }
      w.hour.advance(since);
    }
    if (set.requestsPerDay !== null) {
      const dw = dayWindow(now);
      const from = dw.resetAt - DAY_MS;
      if (!w.day || w.day.from !== from) {
        this.d.flush?.();
        const q = { day: dw.day, from, to: dw.resetAt };
        w.day = { from, to: dw.resetAt, n: accountId === null ? this.stmt.dayGlobal.get(q)!.n : this.stmt.dayAccount.get({ ...q, account: accountId })!.n };
      }
    }
    if (set.inputTokensPerMonth !== null || set.outputTokensPerMonth !== null || set.costPerMonth !== null) {
      const mw = monthWindow(now);
      if (!w.month || w.month.from !== mw.from) {
        this.d.flush?.();
        const m = accountId === null ? this.stmt.monthGlobal.get(mw.fromDay, mw.toDay)! : this.stmt.monthAccount.get(accountId, mw.fromDay, mw.toDay)!;
        w.month = { from: mw.from, to: mw.resetAt, input: m.input, output: m.output, cost: m.cost };
      }
    }
    return w;
  }

  /** Every configured limit of a scope with its window's use now. */
  measure(scope: string, set: LimitSet, now: number): LimitUsage[] {
    const accountId = scope === GLOBAL_SCOPE ? null : scope;
    const base = { scope: accountId === null ? ('global' as const) : ('account' as const), accountId };
    const out: LimitUsage[] = [];
    const w = this.load(scope, set, now);
    if (set.requestsPerHour !== null && w.hour) {
      const max = set.requestsPerHour;
      const h = w.hour;
      const n = h.count;
      // Over (concurrent requests, or a lowered limit): free once enough have aged out to be under.
      const resetAt = ((n > max ? h.at(n - max) : h.at(0)) ?? now) + HOUR_MS;
      out.push({ ...base, limit: 'requests_per_hour', max, used: n, resetAt });
    }
    if (set.requestsPerDay !== null && w.day) {
      out.push({ ...base, limit: 'requests_per_day', max: set.requestsPerDay, used: w.day.n, resetAt: w.day.to });
    }
    if (w.month && (set.inputTokensPerMonth !== null || set.outputTokensPerMonth !== null || set.costPerMonth !== null)) {
      const mw = monthWindow(now);
      const m = w.month;
      const month = { ...base, resetAt: mw.resetAt };
      if (set.inputTokensPerMonth !== null) out.push({ ...month, limit: 'input_tokens_per_month', max: set.inputTokensPerMonth, used: m.input });
      if (set.outputTokensPerMonth !== null) out.push({ ...month, limit: 'output_tokens_per_month', max: set.outputTokensPerMonth, used: m.output });
      if (set.costPerMonth !== null) out.push({ ...month, limit: 'cost_per_month', max: set.costPerMonth, used: m.cost });
    }
    return out;
  }

  /**
   * Once per window and level: a level is announced when first reached (only the highest one
   * when several are passed at once) and not again until its window ends — the calendar day or
   * month, or, for the rolling hour, an hour after the first warning.
   */
  private warnIfDue(u: LimitUsage, now: number): void {
    const level = levelOf(u.used, u.max);
    if (level === null) return;
    const key = `${u.accountId ?? GLOBAL_SCOPE}\u0000${u.limit}`;
    const prev = this.warned.get(key);
    const sameWindow = prev !== undefined && now < prev.until;
    if (sameWindow && prev.level >= level) return;
    const until = sameWindow ? prev.until : u.limit === 'requests_per_hour' ? now + HOUR_MS : u.resetAt;
    this.warned.set(key, { level, until });
    const label = u.accountId === null ? undefined : (this.d.labelOf?.(u.accountId) ?? undefined);
    this.d.onWarning?.({
      scope: u.scope,
      accountId: u.accountId,
      ...(label === undefined ? {} : { label }),
      limit: u.limit,
      max: u.max,
      used: u.used,
      percent: level,
      resetAt: new Date(u.resetAt).toISOString(),
    });
  }

  /** Use of every configured limit (global and each account's), without warning. */
  usage(now: number): LimitUsage[] {
    const out: LimitUsage[] = [];
    for (const [scope, set] of this.reload()) out.push(...this.measure(scope, set, now));
    return out;
  }

  /** Every scope with at least one limit. */
  list(): Array<{ scope: string; limits: LimitSet }> {
    const rank = (scope: string) => (scope === GLOBAL_SCOPE ? 0 : 1);
    return [...this.reload()]
      .map(([scope, limits]) => ({ scope, limits }))
      .sort((a, b) => rank(a.scope) - rank(b.scope) || (a.scope < b.scope ? -1 : a.scope > b.scope ? 1 : 0));
  }

  /** A scope's limits (all null when none are set). */
  get(scope: string): LimitSet {
    return this.reload().get(scope) ?? { ...EMPTY };
  }

  /** Applies a patch to a scope ('global' or an account id; the caller checks the account exists). */
  set(scope: string, patch: LimitPatch, now: number): LimitSet {
    const next: LimitSet = { ...this.get(scope) };
    for (const k of KINDS) {
      const f = FIELD_OF[k];
      if (patch[f] !== undefined) next[f] = patch[f];
    }
    if (isEmpty(next)) {
      this.stmt.remove.run(scope);
      this.windows.delete(scope);
    } else this.stmt.upsert.run({ scope, ...next, updatedAt: now });
    this.reload();
    // New limits, new count: a level already warned under the old maximum may be due again.
    for (const k of KINDS) this.warned.delete(`${scope}\u0000${k}`);
    return next;
  }
}

const OK: LimitDecision = Object.freeze({ ok: true });

/** Whether `used` is under the first warning level of `max` (or `max` is not set). */
const under = (used: number, max: number | null): boolean => max === null || used * 100 < max * WARNING_LEVELS[0];

/** Every limit of the set below its first warning level (nothing to warn about, nothing refused). */
function belowWarnings(set: LimitSet, w: ScopeWindows): boolean {
  if (set.requestsPerHour !== null && !(w.hour && under(w.hour.count, set.requestsPerHour))) return false;
  if (set.requestsPerDay !== null && !(w.day && under(w.day.n, set.requestsPerDay))) return false;
  const m = w.month;
  if (set.inputTokensPerMonth !== null && !(m && under(m.input, set.inputTokensPerMonth))) return false;
  if (set.outputTokensPerMonth !== null && !(m && under(m.output, set.outputTokensPerMonth))) return false;
  if (set.costPerMonth !== null && !(m && under(m.cost, set.costPerMonth))) return false;
  return true;
}

function applyDelta(w: ScopeWindows, d: LedgerDelta): void {
  const t = d.startedAt;
  if (d.requests !== 0 && w.hour) {
    if (d.requests > 0) w.hour.add(t);
    else w.hour.remove(t);
  }
  if (w.day && t >= w.day.from && t < w.day.to) w.day.n += d.requests;
  const m = w.month;
  if (m && t >= m.from && t < m.to) {
    m.input += d.inputTokens;
    m.output += d.outputTokens;
    m.cost += d.cost;
  }
}
