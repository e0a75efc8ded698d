// Gemini CLI accounts (Code Assist, v1internal): loadCodeAssist for project and tier (only until
// both are known), retrieveUserQuota for per-model buckets — one per token type, the lowest
// fraction of a model (with its reset time) is the model's reading.
import { z } from 'zod';
import type { QuotaInfo } from '../model';
import { GOOGLE_CODE_ASSIST } from './google-oauth';
import { clampFraction, GoogleApi, loadCodeAssist, parseTime } from './google-v1internal';
import { badResponse } from './http';
import type { ProviderAdapter, QuotaResult } from './provider-adapter';

/** What the Gemini CLI itself sends (PROVIDERS.md names no ideType for it). */
export const GEMINI_CLI_METADATA = { ideType: 'IDE_UNSPECIFIED', pluginType: 'GEMINI' } as const;

const quotaAnswer = z
  .object({
    buckets: z
      .array(
        z
          .object({
            modelId: z.string().optional(),
            tokenType: z.string().optional(),
            remainingFraction: z.unknown().optional(),
            resetTime: z.string().optional(),
          })
          .passthrough(),
      )
      .optional(),
  })
  .passthrough();

export const geminiCliAdapter: ProviderAdapter = {
  id: 'gemini-cli',
  displayName: 'Gemini CLI (Code Assist)',
  // retrieveUserQuota lists the models each account serves.
  ...GOOGLE_CODE_ASSIST,

  async fetchQuota(ctx): Promise<QuotaResult> {
    // One host: the daily hosts are Antigravity's; a relay or test sets the base URL.
    const api = new GoogleApi(ctx, [ctx.baseUrl.replace(/\/+$/, '')]);
    const result: QuotaResult = { quotas: [] };
    let projectId = ctx.account.projectId;
    if (!projectId || !ctx.account.tierLabel) {
      const info = await loadCodeAssist(api, GEMINI_CLI_METADATA);
      projectId = info.projectId ?? projectId;
      result.projectId = projectId ?? null;
      result.tier = info.tier;
      result.tierLabel = info.tierLabel;
    }
    const parsed = quotaAnswer.safeParse(await api.post('retrieveUserQuota', projectId ? { project: projectId } : {}));
    if (!parsed.success) throw badResponse('retrieveUserQuota', 200);
    const fetchedAt = ctx.now();
    const byModel = new Map<string, QuotaInfo>();
    for (const b of parsed.data.buckets ?? []) {
      if (!b.modelId) continue;
      const info: QuotaInfo = {
        accountId: ctx.account.id,
        model: b.modelId,
        displayName: null,
        remainingFraction: clampFraction(b.remainingFraction),
        resetAt: parseTime(b.resetTime),
        fetchedAt,
        source: 'poll',
        window: null,
        limit: null,
        remaining: null,
      };
      const prev = byModel.get(b.modelId);
      // The lowest known fraction wins; an unknown one never hides a known one.
      const lowest = !prev || (info.remainingFraction !== null && (prev.remainingFraction === null || info.remainingFraction < prev.remainingFraction));
      if (lowest) byModel.set(b.modelId, info);
    }
    result.quotas = [...byModel.values()];
    return result;
  },
};
