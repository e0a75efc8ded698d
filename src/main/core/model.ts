// Internal shapes of the core (times in epoch ms). Views for the contract are built in api/.
import type { AccountStatus, LockKind, ProviderId, QuotaSource, Tier } from '../../shared/types';

export interface Credentials {
  refreshToken?: string;
  accessToken?: string;
  /** Epoch ms at which the access token expires. */
  accessTokenExpiresAt?: number;
  apiKey?: string;
  /** OpenID id_token (Codex): carries the ChatGPT account id claim. */
  idToken?: string;
  /** Provider-side account id sent with requests (ChatGPT-Account-Id). */
  accountId?: string;
  /** Per-account OAuth client (imports from tools that use their own client). */
  clientId?: string;
  clientSecret?: string;
}

export interface AccountRecord {
  id: string;
  provider: ProviderId;
  identity: string;
  email: string | null;
  label: string;
  tier: Tier;
  tierLabel: string | null;
  status: AccountStatus;
  statusReason: string | null;
  projectId: string | null;
  secretHint: string;
  reserve: number | null;
  /** Own base URL (OpenAI-compatible services); null: the provider's setting/default. */
  baseUrl: string | null;
  /** Models this account serves (globs); null: the provider's setting/default or its answer. */
  models: string[] | null;
  /** Non-secret facts from the last sync: plan, credits, usage. */
  details: Record<string, string | number | boolean | null>;
  createdAt: number;
  updatedAt: number;
}

export interface ModelPrefRecord {
  accountId: string;
  model: string;
  reserve: number | null;
  excluded: boolean;
}

export interface QuotaInfo {
  accountId: string;
  model: string;
  displayName: string | null;
  /** 0..1, or null when the upstream did not say (unknown, never 0). */
  remainingFraction: number | null;
  resetAt: number | null;
  fetchedAt: number;
  source: QuotaSource;
  window: string | null;
  limit: number | null;
  remaining: number | null;
  /**
   * The windows this reading binds, when it stands for several (Claude's 5-hour and weekly,
   * Codex's primary and secondary): each with its own remaining and reset, for display. The
   * reading itself is the tightest of them. Not stored in snapshots.
   */
  windows?: QuotaWindowPart[];
}

export interface QuotaWindowPart {
  window: string | null;
  remainingFraction: number | null;
  resetAt: number | null;
}

export interface QuotaLock {
  accountId: string;
  model: string;
  /** quota: a 429 or quota error; cooldown: the upstream was unavailable (5xx, unreachable). */
  kind: LockKind;
  lockedUntil: number;
  reason: string;
  createdAt: number;
  /** The bucket's reset known when the lock was made (null: unknown); the lock never outlives it. */
  bucketResetAt: number | null;
}

export interface SyncState {
  accountId: string;
  lastSuccessAt: number | null;
  lastAttemptAt: number | null;
  lastErrorCode: string | null;
  lastErrorMessage: string | null;
  consecutiveFailures: number;
  nextAttemptAt: number | null;
}

export const TIER_PRIORITY: Record<Tier, number> = { ultra: 3, pro: 2, free: 1 };
