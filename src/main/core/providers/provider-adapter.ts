// The shape every upstream adapter has: refresh credentials, fetch quota (and, for services
// without a quota endpoint, probe); errors come out as classified ProviderErrors.
// Readings may be keyed by an exact model id, by "*" (every model the account serves) or by a
// glob such as "*opus*" (a family with its own window); the most specific one applies.
import type { ProviderId, Settings, Tier } from '../../../shared/types';
import type { AccountRecord, Credentials, QuotaInfo } from '../model';
import type { FetchFn } from '../ports';

export interface ProviderContext {
  account: AccountRecord;
  credentials: Credentials;
  signal: AbortSignal;
  fetch: FetchFn;
  now: () => number;
  settings: Settings;
  /** This provider's base URL: the account's own, else the setting (env), else the default. */
  baseUrl: string;
  /** The OAuth token endpoint of this provider's family, when it has one. */
  oauthTokenUrl: string | null;
}

export type DetailValue = string | number | boolean | null;

export interface QuotaResult {
  quotas: QuotaInfo[];
  /** Discovered along the way; written back to the account when they differ. */
  projectId?: string | null;
  tier?: Tier | null;
  tierLabel?: string | null;
  /** Non-secret facts shown with the account: plan, credits, usage, limits. */
  details?: Record<string, DetailValue>;
  /** Credentials learned while fetching (e.g. an account id decoded from an id_token). */
  credentials?: Credentials;
}

export interface ProviderAdapter {
  readonly id: ProviderId;
  readonly displayName: string;
  readonly auth: 'oauth' | 'api-key';
  readonly defaultBaseUrl: string;
  /** OAuth family whose token endpoint setting applies ("google", "claude", "codex"). */
  readonly oauthFamily?: 'google' | 'claude' | 'codex';
  /** False when no quota endpoint exists (plain API keys): only probes and passive updates. */
  readonly pollable: boolean;
  /** Least time between two polls of one account (Claude's usage endpoint: 5 minutes). */
  readonly minPollIntervalMs?: number;
  /** Model patterns served when the upstream does not list them (a setting can replace them). */
  readonly defaultModels: readonly string[];
  /** True when the access token is missing or expires within the refresh skew. */
  needsRefresh(c: Credentials, now: number): boolean;
  refreshCredentials(ctx: ProviderContext): Promise<Credentials>;
  fetchQuota(ctx: ProviderContext): Promise<QuotaResult>;
  /** One minimal real request that reads rate-limit headers (API-key providers). */
  probe?(ctx: ProviderContext, model: string | null): Promise<QuotaResult>;
}

export type ProviderRegistry = ReadonlyMap<ProviderId, ProviderAdapter>;

export const USER_AGENT = 'QuotaDeck/0.1.0';

/** The account's own base URL (OpenAI-compatible services), else the setting, else the default. */
export function resolveBaseUrl(adapter: ProviderAdapter, settings: Settings, account: AccountRecord): string {
  return (account.baseUrl ?? settings.baseUrls[adapter.id] ?? adapter.defaultBaseUrl).replace(/\/+$/, '');
}

// Globs live in shared/ so the window matches them the same way.
export { modelMatches, patternSpecificity } from '../../../shared/model-glob';
