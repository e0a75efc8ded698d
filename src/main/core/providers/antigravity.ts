// Google Antigravity / Cloud Code (v1internal): loadCodeAssist for project and tier (only until
// both are known), fetchAvailableModels for per-model remaining fraction and reset time.
import { z } from 'zod';
import type { Tier } from '../../../shared/types';
import type { QuotaInfo } from '../model';
import { classifyGoogleFailure } from './google-errors';
import { googleNeedsRefresh, refreshGoogleToken } from './google-oauth';
import { badResponse, httpRequest } from './http';
import { USER_AGENT, type ProviderAdapter, type ProviderContext, type QuotaResult } from './provider-adapter';

const tierSchema = z.object({ id: z.string().optional(), name: z.string().optional() }).passthrough();
const loadAnswer = z
  .object({
    cloudaicompanionProject: z.union([z.string(), z.object({ id: z.string() }).passthrough()]).optional(),
    currentTier: tierSchema.optional(),
    paidTier: tierSchema.optional(),
  })
  .passthrough();

const modelsAnswer = z
  .object({
    models: z
      .record(
        z.string(),
        z
          .object({
            displayName: z.string().optional(),
            quotaInfo: z
              .object({ remainingFraction: z.number().optional(), resetTime: z.string().optional() })
              .passthrough()
              .optional(),
          })
          .passthrough(),
      )
      .optional(),
  })
  .passthrough();

/** Maps Google's tier names/ids ("g1-ultra-tier", "Gemini Code Assist Pro") to our priority tiers. */
export function mapGoogleTier(t: { id?: string; name?: string } | undefined): Tier | null {
  for (const s of [t?.name, t?.id]) {
    const u = (s ?? '').toUpperCase();
    if (u.includes('ULTRA')) return 'ultra';
    if (u.includes('PRO') || u.includes('STANDARD')) return 'pro';
    if (u.includes('FREE')) return 'free';
  }
  return null;
}

function headers(token: string): Record<string, string> {
  return { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'User-Agent': USER_AGENT };
}

async function post(ctx: ProviderContext, method: string, body: unknown) {
  const res = await httpRequest(ctx.fetch, `${ctx.baseUrl.replace(/\/+$/, '')}/v1internal:${method}`, {
    method: 'POST',
    headers: headers(ctx.credentials.accessToken ?? ''),
    body: JSON.stringify(body),
    signal: ctx.signal,
  });
  if (res.status !== 200) throw classifyGoogleFailure(res.status, res.json, res.headers, ctx.now(), method);
  if (res.json === undefined || res.json === null || typeof res.json !== 'object') throw badResponse(method, res.status);
  return res.json;
}

function parseTime(s: string | undefined): number | null {
  if (!s) return null;
  const t = Date.parse(s);
  return Number.isNaN(t) ? null : t;
}

export const antigravityAdapter: ProviderAdapter = {
  id: 'antigravity',
  displayName: 'Google Antigravity',
  auth: 'oauth',
  defaultBaseUrl: 'https://cloudcode-pa.googleapis.com',
  oauthFamily: 'google',
  pollable: true,
  // fetchAvailableModels lists the models each account serves.
  defaultModels: [],
  needsRefresh: googleNeedsRefresh,
  refreshCredentials: refreshGoogleToken,

  async fetchQuota(ctx): Promise<QuotaResult> {
    const result: QuotaResult = { quotas: [] };
    let projectId = ctx.account.projectId;
    if (!projectId || !ctx.account.tierLabel) {
      const load = loadAnswer.safeParse(await post(ctx, 'loadCodeAssist', { metadata: { ideType: 'ANTIGRAVITY' } }));
      if (!load.success) throw badResponse('loadCodeAssist', 200);
      const p = load.data.cloudaicompanionProject;
      projectId = (typeof p === 'string' ? p : p?.id) || projectId;
      const tierSource = mapGoogleTier(load.data.paidTier) ? load.data.paidTier : load.data.currentTier;
      result.projectId = projectId ?? null;
      result.tier = mapGoogleTier(tierSource);
      result.tierLabel = tierSource?.name ?? tierSource?.id ?? null;
    }
    const parsed = modelsAnswer.safeParse(await post(ctx, 'fetchAvailableModels', projectId ? { project: projectId } : {}));
    if (!parsed.success) throw badResponse('fetchAvailableModels', 200);
    const fetchedAt = ctx.now();
    for (const [model, m] of Object.entries(parsed.data.models ?? {})) {
      const raw = m.quotaInfo?.remainingFraction;
      const info: QuotaInfo = {
        accountId: ctx.account.id,
        model,
        displayName: m.displayName ?? null,
        // Missing is unknown, never 0; values above 1 are clamped.
        remainingFraction: typeof raw === 'number' && Number.isFinite(raw) ? Math.min(1, Math.max(0, raw)) : null,
        resetAt: parseTime(m.quotaInfo?.resetTime),
        fetchedAt,
        source: 'poll',
        window: null,
        limit: null,
        remaining: null,
      };
      result.quotas.push(info);
    }
    return result;
  },
};
