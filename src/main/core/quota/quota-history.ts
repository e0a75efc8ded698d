// The account detail's chart data: each model's snapshot history over a range, thinned so a
// month of five-minute polls does not ship thousands of points per model to the window.
import type { QuotaHistorySeries } from '../../../shared/types';
import { AppError } from '../errors';
import type { QuotaRepository } from './quota-repository';

const DEFAULT_RANGE_MS = 7 * 24 * 3600_000;
const DEFAULT_MAX_POINTS = 500;

export interface HistoryQuery {
  model?: string;
  from?: string;
  to?: string;
  maxPoints?: number;
}

type Row = { remainingFraction: number | null; resetAt: number | null; fetchedAt: number };

export function quotaHistory(repo: QuotaRepository, accountId: string, q: HistoryQuery, now: number): QuotaHistorySeries[] {
  const to = q.to === undefined ? now + 1 : Date.parse(q.to);
  const from = q.from === undefined ? to - DEFAULT_RANGE_MS : Date.parse(q.from);
  if (!(to > from)) throw new AppError('bad_request', 'The history range must end after it starts');
  const byModel = new Map<string, Row[]>();
  for (const r of repo.historyRange(accountId, from, to)) {
    if (q.model !== undefined && r.model !== q.model) continue;
    let rows = byModel.get(r.model);
    if (!rows) byModel.set(r.model, (rows = []));
    rows.push(r);
  }
  const max = q.maxPoints ?? DEFAULT_MAX_POINTS;
  return [...byModel].map(([model, rows]) => ({
    model,
    points: thin(rows, max, from, to).map((r) => ({
      at: new Date(r.fetchedAt).toISOString(),
      remainingFraction: r.remainingFraction,
      resetAt: r.resetAt === null ? null : new Date(r.resetAt).toISOString(),
    })),
  }));
}

/**
 * At most `max` points: the range is cut into equal time buckets and each keeps its lowest
 * reading (a dip to 0 must survive thinning), plus the very last reading as it is.
 */
function thin(rows: Row[], max: number, from: number, to: number): Row[] {
  if (rows.length <= max) return rows;
  const buckets = max - 1;
  const width = (to - from) / buckets;
  const kept: Row[] = [];
  let bucket = -1;
  for (let i = 0; i < rows.length - 1; i++) {
    const r = rows[i]!;
    const b = Math.min(buckets - 1, Math.floor((r.fetchedAt - from) / width));
    if (b !== bucket) {
      kept.push(r);
      bucket = b;
    } else if (lower(r, kept[kept.length - 1]!)) kept[kept.length - 1] = r;
  }
  kept.push(rows[rows.length - 1]!);
  return kept;
}

const lower = (a: Row, b: Row) => (a.remainingFraction ?? 2) < (b.remainingFraction ?? 2);
