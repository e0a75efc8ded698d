// Google Antigravity / Cloud Code (v1internal): loadCodeAssist for project, tier and AI credits,
// fetchAvailableModels for per-model remaining fraction and reset time (keyed by exact model
// id), and, best effort, retrieveUserQuotaSummary for the 5-hour and weekly windows (keyed by
// a glob of the group's model family, kept only when tighter than the models they bind).
// Calls fall over to the next known host on 429/5xx or a network error.
import type { QuotaInfo } from '../model';
import { googleHosts } from './google-hosts';
import { GOOGLE_CODE_ASSIST } from './google-oauth';
import { clampFraction, CREDITS_PREFIX, GoogleApi, loadCodeAssist, parseTime } from './google-v1internal';
import { badResponse } from './http';
import { modelMatches, type DetailValue, type ProviderAdapter, type ProviderContext, type QuotaResult } from './provider-adapter';

export { mapGoogleTier } from './google-v1internal';

/** loadCodeAssist runs again for fresh AI credits once the last check is this old. */
export const CREDITS_MAX_AGE_MS = 6 * 60 * 60 * 1000;

// The two answers polled on every cycle are read by hand rather than through zod: a zod parse
// copies every object of the answer (passthrough), ~28 MB per cycle at 1,000 accounts.
// The rules are those of the zod schemas they replace (test/unit/antigravity-answers.test.ts
// checks both agree): objects are non-array objects, optional fields are absent or of their
// type (null is malformed), numbers are finite, `__proto__` keys are skipped.

interface ModelEntry {
  displayName?: string;
  quotaInfo?: { remainingFraction?: number; resetTime?: string };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const optString = (v: unknown) => v === undefined || typeof v === 'string';

/** fetchAvailableModels: `{ models?: Record<id, { displayName?, quotaInfo?: { remainingFraction?, resetTime? } }> }`; null when malformed. */
export function readModelsAnswer(json: unknown): Array<[string, ModelEntry]> | null {
  if (!isObject(json)) return null;
  const models = json['models'];
  if (models === undefined) return [];
  if (!isObject(models)) return null;
  const out: Array<[string, ModelEntry]> = [];
  for (const id of Object.keys(models)) {
    if (id === '__proto__') continue;
    const m = models[id];
    if (!isObject(m) || !optString(m['displayName'])) return null;
    const q = m['quotaInfo'];
    if (q !== undefined && (!isObject(q) || !(q['remainingFraction'] === undefined || Number.isFinite(q['remainingFraction'])) || !optString(q['resetTime']))) return null;
    out.push([id, m as ModelEntry]);
  }
  return out;
}

interface SummaryBucket {
  bucketId?: string;
  window?: string;
  remainingFraction?: unknown;
  resetTime?: string;
}
interface SummaryGroup {
  displayName?: string;
  buckets?: SummaryBucket[];
}

/** retrieveUserQuotaSummary: `{ groups?: [{ displayName?, buckets?: [{ bucketId?, window?, remainingFraction?, resetTime? }] }] }`; null when malformed. */
export function readSummaryAnswer(json: unknown): SummaryGroup[] | null {
  if (!isObject(json)) return null;
  const groups = json['groups'];
  if (groups === undefined) return [];
  if (!Array.isArray(groups)) return null;
  for (const g of groups) {
    if (!isObject(g) || !optString(g['displayName'])) return null;
    const buckets = g['buckets'];
    if (buckets === undefined) continue;
    if (!Array.isArray(buckets)) return null;
    for (const b of buckets) if (!isObject(b) || !optString(b['bucketId']) || !optString(b['window']) || !optString(b['resetTime'])) return null;
  }
  return groups as SummaryGroup[];
}

const VENDORS = new Set(['gemini', 'claude', 'gpt', 'gemma']);
const FAMILIES = new Set(['pro', 'flash', 'lite', 'image', 'sonnet', 'opus', 'haiku', 'mini', 'nano', 'oss']);

function computeFamily(text: string): string | null {
  const words = text.toLowerCase().split(/[^a-z]+/).filter(Boolean);
  const at = words.findIndex((w) => VENDORS.has(w));
  if (at < 0) return null;
  const parts = [words[at]!, ...words.slice(at + 1).filter((w) => FAMILIES.has(w))];
  return `*${[...new Set(parts)].join('*')}*`;
}

/** Group names and bucket ids repeat on every poll of every account: each is parsed once. */
const families = new Map<string, string | null>();

function familyOf(text: string | undefined): string | null {
  if (!text) return null;
  let f = families.get(text);
  if (f === undefined) {
    f = computeFamily(text);
    // Names come from the upstream: few and reused. The bound only guards memory.
    if (families.size >= 2_000) families.clear();
    families.set(text, f);
  }
  return f;
}

/**
 * The key of a quota-summary group's readings: a glob of the model family its name (or else a
 * bucket id) names — a vendor word (gemini, claude, gpt, gemma) followed by the family words
 * after it (pro, flash, lite, image, sonnet, opus, haiku, mini, nano, oss), versions and
 * variants dropped: "Gemini 3 Pro (High)" → "*gemini*pro*", "Claude Sonnet 4.5" →
 * "*claude*sonnet*", "gemini-2.5-flash-lite-5h" → "*gemini*flash*lite*". A group that names
 * no family binds every model of the account: "*".
 */
export function windowPattern(displayName: string | undefined, bucketIds: readonly (string | undefined)[] = []): string {
  const p = familyOf(displayName);
  if (p) return p;
  for (const id of bucketIds) {
    const q = familyOf(id);
    if (q) return q;
  }
  return '*';
}

/** windowPattern of a summary group, without the array of bucket ids. */
function groupPattern(g: SummaryGroup): string {
  const p = familyOf(g.displayName);
  if (p) return p;
  for (const b of g.buckets ?? []) {
    const q = familyOf(b.bucketId);
    if (q) return q;
  }
  return '*';
}

/** True when `a` says strictly less is left than `b`: a known fraction beats unknown, lower beats higher. */
function lower(a: QuotaInfo, b: QuotaInfo): boolean {
  if (a.remainingFraction === null) return false;
  return b.remainingFraction === null || a.remainingFraction < b.remainingFraction;
}

/** Of two buckets sharing a key, the tighter one: lower fraction, on a tie the later reset. */
function tighter(fraction: number | null, resetAt: number | null, b: QuotaInfo): boolean {
  if (fraction !== null && (b.remainingFraction === null || fraction < b.remainingFraction)) return true;
  return fraction === b.remainingFraction && (resetAt ?? 0) > (b.resetAt ?? 0);
}

/**
 * Drops window readings that tell nothing the per-model readings do not: a window is kept when
 * it binds no listed model, or is lower than the per-model reading of at least one model it
 * binds (e.g. a weekly window nearly spent while the model itself reads 0.8).
 */
export function informativeWindows(windows: readonly QuotaInfo[], models: readonly QuotaInfo[]): QuotaInfo[] {
  return windows.filter((w) => {
    let binds = false;
    for (const m of models) {
      if (!modelMatches(w.model, m.model)) continue;
      if (lower(w, m)) return true;
      binds = true;
    }
    return !binds;
  });
}

/** Window readings from a retrieveUserQuotaSummary answer, one per glob key (the tighter bucket wins). */
export function summaryReadings(json: unknown, accountId: string, fetchedAt: number): QuotaInfo[] {
  const groups = readSummaryAnswer(json);
  if (!groups) return [];
  const byKey = new Map<string, QuotaInfo>();
  for (const g of groups) {
    const buckets = g.buckets ?? [];
    const key = groupPattern(g);
    for (const b of buckets) {
      if (!b.window) continue;
      const remainingFraction = clampFraction(b.remainingFraction);
      const resetAt = parseTime(b.resetTime);
      const prev = byKey.get(key);
      // A reading only for the bucket that wins its key.
      if (prev && !tighter(remainingFraction, resetAt, prev)) continue;
      byKey.set(key, {
        accountId,
        model: key,
        displayName: g.displayName ?? null,
        remainingFraction,
        resetAt,
        fetchedAt,
        source: 'poll',
        window: b.window,
        limit: null,
        remaining: null,
      });
    }
  }
  return [...byKey.values()];
}

export interface AntigravityOptions {
  /** Base URLs tried, in order, after the ones googleHosts() gives for ctx.baseUrl. */
  fallbackBaseUrls?: readonly string[];
}

function creditsStale(ctx: ProviderContext): boolean {
  const at = ctx.account.details['creditsCheckedAt'];
  return typeof at !== 'number' || ctx.now() - at >= CREDITS_MAX_AGE_MS;
}

export function createAntigravityAdapter(opts: AntigravityOptions = {}): ProviderAdapter {
  return {
    id: 'antigravity',
    displayName: 'Google Antigravity',
    // fetchAvailableModels lists the models each account serves.
    ...GOOGLE_CODE_ASSIST,

    async fetchQuota(ctx): Promise<QuotaResult> {
      const api = new GoogleApi(ctx, googleHosts(ctx.baseUrl, opts.fallbackBaseUrls));
      const result: QuotaResult = { quotas: [] };
      const details: Record<string, DetailValue> = {};
      let projectId = ctx.account.projectId;
      const needIdentity = !projectId || !ctx.account.tierLabel;
      if (needIdentity || creditsStale(ctx)) {
        try {
          const info = await loadCodeAssist(api, { ideType: 'ANTIGRAVITY' });
          projectId = info.projectId ?? projectId;
          result.projectId = projectId ?? null;
          result.tier = info.tier;
          result.tierLabel = info.tierLabel;
          // Credits that disappeared are cleared (details are merged into the account's).
          for (const k of Object.keys(ctx.account.details)) if (k.startsWith(CREDITS_PREFIX)) details[k] = null;
          Object.assign(details, info.credits);
          details['creditsCheckedAt'] = ctx.now();
        } catch (err) {
          // A credits-only check is not worth failing the sync over, unless the account itself
          // is refused (auth: refresh and retry; permanent: mark it).
          const kind = (err as { kind?: string }).kind;
          if (needIdentity || ctx.signal.aborted || kind === 'auth' || kind === 'permanent') throw err;
        }
      }
      const body = projectId ? { project: projectId } : {};
      // One request at a time per account: the sync's caps bound requests in flight (per host),
      // so a second request at once would only wait for a slot (or take one another account
      // needs). The windows call after the models call is best effort: whatever goes wrong
      // there (error, garbage), the per-model readings stand.
      const models = readModelsAnswer(await api.post('fetchAvailableModels', body));
      if (!models) throw badResponse('fetchAvailableModels', 200);
      const fetchedAt = ctx.now();
      for (const [model, m] of models) {
        result.quotas.push({
          accountId: ctx.account.id,
          model,
          displayName: m.displayName ?? null,
          remainingFraction: clampFraction(m.quotaInfo?.remainingFraction),
          resetAt: parseTime(m.quotaInfo?.resetTime),
          fetchedAt,
          source: 'poll',
          window: null,
          limit: null,
          remaining: null,
        });
      }
      const { summary, err } = await api.post('retrieveUserQuotaSummary', body).then(
        (summary) => ({ summary, err: null as unknown }),
        (err: unknown) => ({ summary: null, err }),
      );
      if (err !== null) {
        if (ctx.signal.aborted) throw err;
      } else {
        try {
          result.quotas.push(...informativeWindows(summaryReadings(summary, ctx.account.id, ctx.now()), result.quotas));
        } catch {
          // Garbage in the windows answer: ignored, as above.
        }
      }
      details['apiHost'] = api.hostName;
      result.details = details;
      return result;
    },
  };
}

export const antigravityAdapter: ProviderAdapter = createAntigravityAdapter();
