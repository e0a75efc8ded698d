// Read-only usage queries for the contract: cost and tokens by model or account over whole UTC
// days and the week's top accounts (both from the daily rollups), limits near their maximum
// (from UsageLimits' windows), and the request log (from the ledger) with a keyset cursor on
// (started_at, id): rows added while someone pages never shift a page, so no gaps, no repeats.
import { NO_USAGE, USAGE_COUNT_KEYS, type UsageCounts } from '../../../shared/types';
import type {
  UsageDailyRow,
  LimitUsageView,
  ProviderId,
  TopAccountsView,
  UsageLogPage,
  UsageLogRow,
  UsageStatus,
  UsageSummaryRow,
} from '../../../shared/types';
import type { Db } from '../db/open-database';
import { AppError } from '../errors';
import type { Statement } from 'better-sqlite3';
import { NO_ACCOUNT } from './ledger-deltas';
import type { UsageLimits, LimitUsage } from './usage-limits';
import { DAY_MS, utcDay, weekWindow } from './usage-windows';

export const LOG_MAX_LIMIT = 100;
export const NO_ACCOUNT_LABEL = 'No account';
const MAX_DAILY_DAYS = 400;
export const GLOBAL_LABEL = 'Global';

export interface LogQuery {
  accountId?: string;
  model?: string;
  status?: UsageStatus;
  /** Epoch ms, inclusive. */
  from?: number;
  /** Epoch ms, exclusive. */
  to?: number;
  cursor?: string;
  limit: number;
}

interface SumRow extends UsageCounts {
  key: string;
  label: string | null;
}

interface LedgerRow {
  id: number;
  request_id: string;
  attempt: number;
  account_id: string | null;
  label: string | null;
  provider: string | null;
  model: string;
  requested_model: string | null;
  client: string | null;
  route: string;
  status: UsageStatus;
  http_status: number | null;
  input_tokens: number | null;
  output_tokens: number | null;
  cost: number | null;
  error: string | null;
  started_at: number;
  ended_at: number | null;
  partial: number;
}

const SUMS = `SUM(u.requests) AS requests, SUM(u.completed) AS completed, SUM(u.failed) AS failed, SUM(u.rejected) AS rejected,
  SUM(u.input_tokens) AS inputTokens, SUM(u.output_tokens) AS outputTokens, SUM(u.cost) AS cost`;

const iso = (t: number) => new Date(t).toISOString();

/** The opaque log cursor: the last row's (started_at, id). */
export function encodeCursor(startedAt: number, id: number): string {
  return Buffer.from(`${startedAt}:${id}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): { startedAt: number; id: number } {
  const m = /^(\d{1,16}):(\d{1,16})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) throw new AppError('bad_request', 'Invalid usage log cursor (pass back nextCursor as it was given)');
  return { startedAt: Number(m[1]), id: Number(m[2]) };
}

export interface UsageAnalyticsDeps {
  db: Db;
  limits: UsageLimits;
  dryRun: () => boolean;
  labelOf: (accountId: string) => string | null;
  /** Writes the ledger's queued rows before a query reads them. */
  flush?: () => void;
}

export class UsageAnalytics {
  private readonly stmt;
  /** Log statements by filter shape, each prepared once. */
  private readonly logStmts = new Map<string, Statement<Record<string, unknown>, LedgerRow>>();
  private readonly dailyStmts = new Map<string, Statement<Record<string, unknown>, SumRow>>();

  constructor(private readonly d: UsageAnalyticsDeps) {
    const { db } = d;
    this.stmt = {
      byModel: db.prepare<[string, string], SumRow>(
        `SELECT u.model AS key, NULL AS label, ${SUMS} FROM usage_daily u WHERE u.day >= ? AND u.day <= ?
         GROUP BY u.model ORDER BY cost DESC, requests DESC, key`,
      ),
      byAccount: db.prepare<[string, string], SumRow>(
        `SELECT u.account_id AS key, a.label AS label, ${SUMS} FROM usage_daily u LEFT JOIN accounts a ON a.id = u.account_id
         WHERE u.day >= ? AND u.day <= ? GROUP BY u.account_id ORDER BY cost DESC, requests DESC, key`,
      ),
      topAccounts: db.prepare<[string, string, number], { account_id: string; label: string | null; provider: string | null; requests: number; completed: number; failed: number }>(
        `SELECT u.account_id, a.label, a.provider, SUM(u.requests) AS requests, SUM(u.completed) AS completed, SUM(u.failed) AS failed
         FROM usage_daily u LEFT JOIN accounts a ON a.id = u.account_id
         WHERE u.day >= ? AND u.day < ? AND u.account_id <> '' GROUP BY u.account_id HAVING SUM(u.requests) > 0
         ORDER BY requests DESC, completed DESC, u.account_id LIMIT ?`,
      ),
    };
  }

  /** Totals by model or account over the whole UTC days from `from` up to `to` (exclusive). */
  summary(from: number, to: number, groupBy: 'model' | 'account'): UsageSummaryRow[] {
    this.d.flush?.();
    if (!(to > from)) throw new AppError('bad_request', 'The summary range must end after it starts');
    const stmt = groupBy === 'model' ? this.stmt.byModel : this.stmt.byAccount;
    return stmt.all(utcDay(from), utcDay(to - 1)).map((r) => ({
      ...r,
      label: groupBy === 'model' ? r.key : r.key === NO_ACCOUNT ? NO_ACCOUNT_LABEL : (r.label ?? `${r.key} (removed)`),
    }));
  }

  /** One row per UTC day from `from` up to `to` (exclusive), zeros where nothing was used (at most 400 days). */
  daily(from: number, to: number, filter: { accountId?: string; model?: string } = {}): UsageDailyRow[] {
    this.d.flush?.();
    if (!(to > from)) throw new AppError('bad_request', 'The range must end after it starts');
    const first = utcDay(from);
    const last = utcDay(to - 1);
    const days: string[] = [];
    for (let t = Date.parse(`${first}T00:00:00Z`); utcDay(t) <= last; t += DAY_MS) {
      if (days.length >= MAX_DAILY_DAYS) throw new AppError('bad_request', `The range covers more than ${MAX_DAILY_DAYS} days`);
      days.push(utcDay(t));
    }
    const key = `${filter.accountId === undefined ? '' : 'a'}${filter.model === undefined ? '' : 'm'}`;
    let stmt = this.dailyStmts.get(key);
    if (!stmt) {
      const where = ['u.day >= @first', 'u.day <= @last'];
      if (filter.accountId !== undefined) where.push('u.account_id = @accountId');
      if (filter.model !== undefined) where.push('u.model = @model');
      stmt = this.d.db.prepare(`SELECT u.day AS key, NULL AS label, ${SUMS} FROM usage_daily u WHERE ${where.join(' AND ')} GROUP BY u.day`);
      this.dailyStmts.set(key, stmt);
    }
    const byDay = new Map(stmt.all({ first, last, ...filter }).map((r) => [r.key, r]));
    return days.map((day) => {
      const r = byDay.get(day);
      const counts: UsageCounts = { ...NO_USAGE };
      if (r) for (const k of USAGE_COUNT_KEYS) counts[k] = r[k];
      return { day, ...counts };
    });
  }

  /** The ISO week (Monday 00:00 UTC) holding `weekOf`: accounts by requests, with completed and failed. */
  topAccounts(weekOf: number, limit = 10): TopAccountsView {
    this.d.flush?.();
    const w = weekWindow(weekOf);
    const rows = this.stmt.topAccounts.all(utcDay(w.from), utcDay(w.to), limit).map((r) => ({
      accountId: r.account_id,
      label: r.label ?? `${r.account_id} (removed)`,
      provider: (r.provider as ProviderId | null) ?? null,
      requests: r.requests,
      completed: r.completed,
      failed: r.failed,
    }));
    return { from: iso(w.from), to: iso(w.to), rows };
  }

  /** Limits whose window is at least `threshold` used (0..1), most used first or soonest reset first. */
  nearLimits(now: number, threshold: number, sort: 'percent' | 'resetAt'): LimitUsageView[] {
    const rows = this.d.limits
      .usage(now)
      .filter((u) => u.used >= u.max * threshold)
      .map((u) => this.limitView(u));
    const byPercent = (a: LimitUsageView, b: LimitUsageView) => b.fraction - a.fraction;
    const byReset = (a: LimitUsageView, b: LimitUsageView) => a.resetAt.localeCompare(b.resetAt);
    return rows.sort(sort === 'percent' ? (a, b) => byPercent(a, b) || byReset(a, b) : (a, b) => byReset(a, b) || byPercent(a, b));
  }

  limitView(u: LimitUsage): LimitUsageView {
    return {
      scope: u.scope,
      accountId: u.accountId,
      label: u.accountId === null ? GLOBAL_LABEL : (this.d.labelOf(u.accountId) ?? u.accountId),
      limit: u.limit,
      max: u.max,
      used: u.used,
      fraction: u.used / u.max,
      resetAt: iso(u.resetAt),
      suspended: u.used >= u.max && !this.d.dryRun(),
    };
  }

  /** The request log, newest first, filtered; `limit` at most 100; `nextCursor` continues after the last row. */
  log(q: LogQuery): UsageLogPage {
    this.d.flush?.();
    const limit = Math.max(1, Math.min(LOG_MAX_LIMIT, Math.floor(q.limit)));
    const after = q.cursor === undefined ? null : decodeCursor(q.cursor);
    const where: string[] = [];
    const params: Record<string, unknown> = { take: limit + 1 };
    const add = (cond: string, name: string, value: unknown) => {
      where.push(cond);
      params[name] = value;
    };
    if (q.accountId !== undefined) add('l.account_id = @accountId', 'accountId', q.accountId);
    if (q.model !== undefined) add('l.model = @model', 'model', q.model);
    if (q.from !== undefined) add('l.started_at >= @from', 'from', q.from);
    if (q.to !== undefined) add('l.started_at < @to', 'to', q.to);
    if (after) {
      where.push('(l.started_at < @cursorAt OR (l.started_at = @cursorAt AND l.id < @cursorId))');
      params['cursorAt'] = after.startedAt;
      params['cursorId'] = after.id;
    }
    // Pending rows and ended ones sit in different partial indexes (migration 9): each part is
    // read newest first on its own index, then the two are merged.
    let parts: string[];
    if (q.status === undefined) parts = [ENDED, PENDING];
    else if (q.status === 'pending') parts = [PENDING];
    else {
      params['status'] = q.status;
      parts = [q.status === 'completed' ? `${ENDED} AND l.status = @status` : `${ENDED} AND ${RARE} AND l.status = @status`];
    }
    const lists = parts.map((part) => this.logPart([part, ...where]).all(params));
    const found = lists.length === 1 ? lists[0]! : newestFirst(lists[0]!, lists[1]!, limit + 1);
    const hasMore = found.length > limit;
    const rows = (hasMore ? found.slice(0, limit) : found).map(toLogRow);
    const last = rows[rows.length - 1];
    return { rows, hasMore, nextCursor: hasMore && last ? encodeCursor(Date.parse(last.startedAt), last.id) : null };
  }

  private logPart(where: string[]): Statement<Record<string, unknown>, LedgerRow> {
    const sql = `SELECT l.*, a.label AS label FROM usage_ledger l LEFT JOIN accounts a ON a.id = l.account_id
      WHERE ${where.join(' AND ')} ORDER BY l.started_at DESC, l.id DESC LIMIT @take`;
    let stmt = this.logStmts.get(sql);
    if (!stmt) {
      stmt = this.d.db.prepare<Record<string, unknown>, LedgerRow>(sql);
      this.logStmts.set(sql, stmt);
    }
    return stmt;
  }
}

/** The log's parts, each matching a partial index's condition as written in migration 9. */
const ENDED = "l.status <> 'pending'";
const PENDING = "l.status = 'pending'";
const RARE = "l.status IN ('failed', 'rejected')";

/** Two lists each newest first (started_at, then id), merged into one of at most `take` rows. */
function newestFirst(a: LedgerRow[], b: LedgerRow[], take: number): LedgerRow[] {
  const out: LedgerRow[] = [];
  let i = 0;
  let j = 0;
  while (out.length < take && (i < a.length || j < b.length)) {
    const x = a[i];
    const y = b[j];
    if (y === undefined || (x !== undefined && (x.started_at > y.started_at || (x.started_at === y.started_at && x.id > y.id)))) {
      out.push(x!);
      i++;
    } else {
      out.push(y);
      j++;
    }
  }
  return out;
}

function toLogRow(r: LedgerRow): UsageLogRow {
  return {
    id: r.id,
    requestId: r.request_id,
    attempt: r.attempt,
    accountId: r.account_id,
    label: r.label,
    provider: r.provider as ProviderId | null,
    model: r.model,
    requestedModel: r.requested_model ?? r.model,
    client: r.client,
    route: r.route,
    status: r.status,
    httpStatus: r.http_status,
    inputTokens: r.input_tokens,
    outputTokens: r.output_tokens,
    cost: r.cost,
    error: r.error,
    partial: r.partial === 1,
    startedAt: iso(r.started_at),
    endedAt: r.ended_at === null ? null : iso(r.ended_at),
    durationMs: r.ended_at === null ? null : r.ended_at - r.started_at,
  };
}
