// The shape every upstream adapter has: refresh credentials, fetch quota; errors come out
// as classified ProviderErrors.
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
}

export interface QuotaResult {
  quotas: QuotaInfo[];
  /** Discovered along the way; written back to the account when they differ. */
  projectId?: string | null;
  tier?: Tier | null;
  tierLabel?: string | null;
}

export interface ProviderAdapter {
  readonly id: ProviderId;
  /** True when the access token is missing or expires within the refresh skew. */
  needsRefresh(c: Credentials, now: number): boolean;
  refreshCredentials(ctx: ProviderContext): Promise<Credentials>;
  fetchQuota(ctx: ProviderContext): Promise<QuotaResult>;
}

export type ProviderRegistry = ReadonlyMap<ProviderId, ProviderAdapter>;

export const USER_AGENT = 'QuotaDeck/0.1.0';
