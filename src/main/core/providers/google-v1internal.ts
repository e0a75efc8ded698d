// What the Google v1internal adapters (Antigravity, Gemini CLI) share: the POST helper with
// host fallback, loadCodeAssist (project, tier, AI credits) and the reading helpers.
import { z } from 'zod';
import type { Tier } from '../../../shared/types';
import { classifyGoogleFailure } from './google-errors';
import { badResponse, httpRequest } from './http';
import { USER_AGENT, type DetailValue, type ProviderContext } from './provider-adapter';
import { ProviderError, toProviderError } from './provider-error';

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

export function parseTime(s: string | undefined): number | null {
  if (!s) return null;
  const t = Date.parse(s);
  return Number.isNaN(t) ? null : t;
}

/** Missing is unknown (null), never 0; values above 1 are clamped, below 0 raised to 0. */
export function clampFraction(raw: unknown): number | null {
  return typeof raw === 'number' && Number.isFinite(raw) ? Math.min(1, Math.max(0, raw)) : null;
}

/** Failures worth trying the next host for: 429, 5xx, and a host that could not be reached. */
function fallsOver(e: ProviderError): boolean {
  return e.status === 429 || (e.status ?? 0) >= 500 || e.code === 'network';
}

/**
 * One fetch's conversation with v1internal. A call that fails on a host with 429/5xx or a
 * network error is retried on the next host; later calls of the same fetch start from the
 * host that answered. 401/403, garbage and aborts never fall over. When every host failed,
 * the first 429 is thrown (its reset time is the useful fact), else the last error.
 */
export class GoogleApi {
  private index = 0;

  constructor(
    private readonly ctx: ProviderContext,
    readonly hosts: readonly string[],
  ) {
    if (hosts.length === 0) throw new Error('GoogleApi needs at least one host');
  }

  /** The base URL that answered last (the first one before any call). */
  get host(): string {
    return this.hosts[this.index]!;
  }

  /** Host name of `host`, for details ("cloudcode-pa.googleapis.com"). */
  get hostName(): string {
    try {
      return new URL(this.host).host;
    } catch {
      return this.host;
    }
  }

  async post(method: string, body: unknown): Promise<object> {
    let rateLimited: ProviderError | null = null;
    for (let i = this.index; ; i++) {
      try {
        const json = await this.postTo(this.hosts[i]!, method, body);
        this.index = i;
        return json;
      } catch (err) {
        const e = toProviderError(err, this.ctx.signal);
        if (e.status === 429) rateLimited ??= e;
        if (this.ctx.signal.aborted || !fallsOver(e)) throw e;
        if (i === this.hosts.length - 1) throw rateLimited ?? e;
      }
    }
  }

  private async postTo(base: string, method: string, body: unknown): Promise<object> {
    const res = await httpRequest(this.ctx.fetch, `${base}/v1internal:${method}`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${this.ctx.credentials.accessToken ?? ''}`,
        'Content-Type': 'application/json',
        'User-Agent': USER_AGENT,
      },
      body: JSON.stringify(body),
      signal: this.ctx.signal,
    });
    if (res.status !== 200) throw classifyGoogleFailure(res.status, res.json, res.headers, this.ctx.now(), method, [this.ctx.credentials.accessToken, this.ctx.credentials.refreshToken]);
    if (res.json === undefined || res.json === null || typeof res.json !== 'object') throw badResponse(method, res.status);
    return res.json;
  }
}

const tierSchema = z
  .object({
    id: z.string().optional(),
    name: z.string().optional(),
    availableCredits: z.array(z.unknown()).optional(),
  })
  .passthrough();
const loadAnswer = z
  .object({
    cloudaicompanionProject: z.union([z.string(), z.object({ id: z.string() }).passthrough()]).optional(),
    currentTier: tierSchema.optional(),
    paidTier: tierSchema.optional(),
  })
  .passthrough();
const creditSchema = z.object({ creditType: z.string().min(1), creditAmount: z.union([z.string(), z.number()]).optional() }).passthrough();

export interface CodeAssistInfo {
  projectId: string | null;
  tier: Tier | null;
  tierLabel: string | null;
  /** `credits.<creditType>` → amount (a number when it reads as one). */
  credits: Record<string, DetailValue>;
}

/** Prefix of the flat detail keys that hold AI credits. */
export const CREDITS_PREFIX = 'credits.';

/** loadCodeAssist: project id, tier (paid tier first, then current) and AI credits. */
export async function loadCodeAssist(api: GoogleApi, metadata: Record<string, string>): Promise<CodeAssistInfo> {
  const load = loadAnswer.safeParse(await api.post('loadCodeAssist', { metadata }));
  if (!load.success) throw badResponse('loadCodeAssist', 200);
  const p = load.data.cloudaicompanionProject;
  const tierSource = mapGoogleTier(load.data.paidTier) ? load.data.paidTier : load.data.currentTier;
  const credits: Record<string, DetailValue> = {};
  for (const raw of load.data.paidTier?.availableCredits ?? []) {
    const c = creditSchema.safeParse(raw);
    if (!c.success) continue;
    const amount = c.data.creditAmount;
    const n = typeof amount === 'number' ? amount : amount !== undefined && amount.trim() !== '' ? Number(amount) : NaN;
    credits[`${CREDITS_PREFIX}${c.data.creditType}`] = Number.isFinite(n) ? n : (amount === undefined ? null : String(amount));
  }
  return {
    projectId: (typeof p === 'string' ? p : p?.id) || null,
    tier: mapGoogleTier(tierSource),
    tierLabel: tierSource?.name ?? tierSource?.id ?? null,
    credits,
  };
}
