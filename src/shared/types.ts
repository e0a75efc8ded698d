// Data shapes shared by main, preload and renderer. Times on the wire are ISO-8601 strings;
// secrets never appear here (only masked hints).

export const PROVIDER_IDS = [
  'antigravity',
  'gemini-cli',
  'claude',
  'codex',
  'openrouter',
  'openai',
  'anthropic',
] as const;
export type ProviderId = (typeof PROVIDER_IDS)[number];

export const TIERS = ['free', 'pro', 'ultra'] as const;
export type Tier = (typeof TIERS)[number];

export const ACCOUNT_STATUSES = ['active', 'disabled', 'invalid_credentials', 'suspended'] as const;
export type AccountStatus = (typeof ACCOUNT_STATUSES)[number];

export const OAUTH_FAMILIES = ['google', 'claude', 'codex'] as const;
export type OAuthFamily = (typeof OAUTH_FAMILIES)[number];

/** Providers whose accounts can be added by signing in through the browser. */
export const SIGN_IN_PROVIDERS = ['antigravity', 'gemini-cli', 'claude', 'codex'] as const;
export type SignInProvider = (typeof SIGN_IN_PROVIDERS)[number];
/** loopback: the browser comes back to 127.0.0.1 by itself; paste: the user pastes the code shown. */
export const SIGN_IN_MODES = ['loopback', 'paste'] as const;
export type SignInMode = (typeof SIGN_IN_MODES)[number];
export type SignInState = 'pending' | 'done' | 'failed' | 'expired' | 'cancelled';

/** A browser sign-in that has started: open authorizeUrl; it ends by expiresAt at the latest. */
export interface SignInStart {
  flowId: string;
  provider: SignInProvider;
  authorizeUrl: string;
  redirectUri: string;
  mode: SignInMode;
  expiresAt: string;
}

/** Where a sign-in stands (also the payload of accounts:signInFinished when it ends). */
export interface SignInStatus {
  flowId: string;
  provider: SignInProvider;
  state: SignInState;
  /** The account created or updated (state done). */
  accountId?: string;
  /** Who signed in (state done). */
  email?: string | null;
  /** Why it ended (failed, expired, cancelled): a stable code and a message for people. */
  error?: { code: string; message: string };
}

export type QuotaSource = 'poll' | 'headers' | '429' | 'manual';
/** `cooldown`: the upstream was unavailable (5xx, unreachable) a moment ago; not a quota verdict. */
export type DecisionKind = 'proceed' | 'low' | 'exhausted' | 'unknown' | 'cooldown';
/** A lock's kind: `quota` (a 429 or quota error, ends by the bucket's reset) or `cooldown` (5xx/unreachable, reason `unavailable`). */
export const LOCK_KINDS = ['quota', 'cooldown'] as const;
export type LockKind = (typeof LOCK_KINDS)[number];
/**
 * How the selector orders accounts that tie on decision and tier: `priority` (most remaining
 * first), `reset-aware` (the soonest reset first, unless forecast to run out before it; the
 * default), `round-robin` (rotate).
 */
export const SELECTION_STRATEGIES = ['priority', 'reset-aware', 'round-robin'] as const;
export type SelectionStrategy = (typeof SELECTION_STRATEGIES)[number];

export interface AccountView {
  id: string;
  provider: ProviderId;
  email: string | null;
  label: string;
  tier: Tier;
  /** The provider's own tier name, e.g. "g1-pro-tier". */
  tierLabel: string | null;
  status: AccountStatus;
  statusReason: string | null;
  projectId: string | null;
  /** Masked hint of the stored credential, e.g. "1//0g…x9Qa". Never the secret. */
  secretHint: string;
  /** Remaining fraction below which the selector stops using this account (null: none). */
  reserve: number | null;
  /** Own base URL (OpenAI-compatible services), or null for the provider's. */
  baseUrl: string | null;
  /** Models this account serves (globs), or null for the provider's default / its answer. */
  models: string[] | null;
  /** Non-secret facts from the last sync: plan, credits, usage. */
  details: Record<string, string | number | boolean | null>;
  modelPrefs: ModelPref[];
  createdAt: string;
  updatedAt: string;
  sync: AccountSyncView;
}

export interface ModelPref {
  model: string;
  reserve: number | null;
  excluded: boolean;
}

export interface AccountSyncView {
  lastSuccessAt: string | null;
  lastAttemptAt: string | null;
  lastErrorCode: string | null;
  lastErrorMessage: string | null;
  consecutiveFailures: number;
  nextAttemptAt: string | null;
}

export interface QuotaLockView {
  accountId: string;
  model: string;
  kind: LockKind;
  lockedUntil: string;
  /** "429, retry after 600s", "429 reported" (quota) or "unavailable" (cooldown). */
  reason: string;
}

export interface DecisionView {
  kind: DecisionKind;
  remainingFraction: number | null;
  resetAt: string | null;
  /** Why, when not simply the quota reading: "locked", "unavailable" (a cooldown), "reserve", "excluded". */
  reason: string | null;
}

export interface QuotaView {
  accountId: string;
  model: string;
  displayName: string | null;
  remainingFraction: number | null;
  resetAt: string | null;
  fetchedAt: string;
  ageMs: number;
  /** True when the value is older than the cache TTL (last known value after failures). */
  stale: boolean;
  source: QuotaSource;
  window: string | null;
  limit: number | null;
  remaining: number | null;
  /** The windows this reading is the tightest of (Claude 5 h and weekly, Codex primary and secondary), each with its reset. */
  windows?: QuotaWindowView[];
  decision: DecisionView;
  lock: QuotaLockView | null;
  /** When this account is next polled (ISO), or null when it is not polled (API keys, inactive, paused). */
  nextPollAt: string | null;
  /** Where this quota is heading within its reset period, or null when too little is known. */
  forecast: QuotaForecast | null;
}

/** The burn rate within the current reset period and what it leads to. */
export interface QuotaForecast {
  /** When the remaining quota runs out at the current rate (ISO), or null when it is not being used. */
  exhaustsAt: string | null;
  /** True when that comes before the quota's known reset. */
  beforeReset: boolean;
  /** Fraction of the quota used per hour (0.1 = 10 % an hour). */
  ratePerHour: number;
}

export interface QuotaWindowView {
  window: string | null;
  remainingFraction: number | null;
  resetAt: string | null;
}

export interface DecisionRow {
  accountId: string;
  provider: ProviderId;
  label: string;
  tier: Tier;
  model: string;
  decision: DecisionKind;
  remainingFraction: number | null;
  resetAt: string | null;
  reason: string | null;
  forecast: QuotaForecast | null;
}

export interface MonitorStats {
  totalAccounts: number;
  activeAccounts: number;
  cachedQuotas: number;
  expiredEntries: number;
  exhaustedQuotas: number;
  lowQuotas: number;
  lastSyncDurationMs: number | null;
  lastSyncAt: string | null;
  nextSyncAt: string | null;
  lastSyncSuccesses: number;
  lastSyncErrors: number;
  lastSyncSkipped: number;
  running: boolean;
  paused: boolean;
  syncing: boolean;
}

export type AccountSyncOutcome = 'ok' | 'error' | 'skipped';

export interface AccountSyncResult {
  accountId: string;
  label: string;
  provider: ProviderId;
  outcome: AccountSyncOutcome;
  /** transient | auth | permanent | aborted — set when outcome is error. */
  errorKind: string | null;
  errorCode: string | null;
  message: string | null;
  durationMs: number;
  models: number;
}

export interface SyncReport {
  id: number;
  trigger: 'schedule' | 'manual';
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  accounts: number;
  successes: number;
  errors: number;
  skipped: number;
  aborted: boolean;
  results: AccountSyncResult[];
}

export interface ImportReport {
  created: number;
  updated: number;
  unchanged: number;
  accounts: AccountView[];
}

export interface ImportIssue {
  /**
   * The entry's zero-based position in the document's account list (0 = the first), the same
   * number the messages and the window show; null for the document itself.
   */
  entry: number | null;
  /** Same as `entry` (zero-based position; null: the document). */
  index: number | null;
  /** The entry's email or label, when it has one. */
  label: string | null;
  field: string;
  message: string;
}

export interface DiscoveredCredential {
  /** Source id to pass to accounts:importDiscovered ("claude-code", "codex-cli", …). */
  id: string;
  provider: ProviderId;
  path: string;
  email: string | null;
  label: string;
  secretHint: string;
  expiresAt: string | null;
  alreadyImported: boolean;
  /** Why the file could not be used, if it could not. */
  error: string | null;
}

export interface ExportReport {
  path: string;
  accounts: number;
  includesSecrets: boolean;
  warning: string | null;
}

export interface Settings {
  syncIntervalSec: number;
  syncTimeoutSec: number;
  concurrency: number;
  providerConcurrency: number;
  /** Cache TTL in seconds; null means derived: 1.1 x the sync interval. */
  cacheTtlSec: number | null;
  lowThreshold: number;
  snapshotRetentionDays: number;
  selectionStrategy: SelectionStrategy;
  /** Lock duration after a 429 with no Retry-After and no known reset time. */
  defaultLockSec: number;
  /** Ceiling of the per-account backoff after transient errors. */
  maxBackoffSec: number;
  /** Base URL per provider (missing: the provider's default; QUOTADECK_<ID>_BASE_URL wins). */
  baseUrls: Partial<Record<ProviderId, string>>;
  /** OAuth token endpoint per family (QUOTADECK_<FAMILY>_OAUTH_TOKEN_URL wins). */
  oauthTokenUrls: Partial<Record<OAuthFamily, string>>;
  /** OAuth authorize page per family for browser sign-in (QUOTADECK_<FAMILY>_OAUTH_AUTHORIZE_URL wins). */
  oauthAuthorizeUrls: Partial<Record<OAuthFamily, string>>;
  /** Google's userinfo endpoint, asked for the signed-in email (QUOTADECK_GOOGLE_USERINFO_URL wins). */
  googleUserinfoUrl: string | null;
  /**
   * Loopback port per sign-in provider (0: any free port). Missing: the port the provider's public
   * client is registered for, else a free one (QUOTADECK_<PROVIDER>_OAUTH_CALLBACK_PORT wins).
   */
  oauthCallbackPorts: Partial<Record<SignInProvider, number>>;
  /** Models served per provider where the upstream does not list them (globs allowed). */
  providerModels: Partial<Record<ProviderId, string[]>>;
  googleClientId: string | null;
  googleClientSecret: string | null;
  controlPort: number;
  /** The local proxy AI clients point at (127.0.0.1). */
  proxyEnabled: boolean;
  proxyPort: number;
  /** Accounts tried per client request before answering 429. */
  proxyMaxAttempts: number;
  /** Ledger rows older than this are deleted (daily rollups are kept). */
  usageRetentionDays: number;
  /** Limits only warn; nothing is suspended. */
  limitsDryRun: boolean;
  /** Desktop notifications on low / exhausted / recovered crossings and limit warnings. */
  notificationsEnabled: boolean;
  /** Closing the window keeps QuotaDeck running in the tray (desktop app). */
  closeToTray: boolean;
  /** The lowest level written to the log file. */
  logLevel: LogLevel;
  /** Proxy: the model a client names → the model the accounts serve (e.g. a dated Claude name → the one served). */
  modelAliases: Record<string, string>;
  /** Proxy: models tried in order when every account for a model is exhausted, locked or over a local limit. */
  modelFallbacks: Record<string, string[]>;
  /** Proxy: a conversation (its session key) stays on the account that served it while that account can. */
  stickySessions: boolean;
  /** Proxy: an idle sticky session is forgotten after this many seconds. */
  stickySessionTtlSec: number;
}

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** A model's remaining fraction over time, from the snapshot history (oldest first). */
export interface QuotaHistorySeries {
  model: string;
  points: Array<{ at: string; remainingFraction: number | null; resetAt: string | null }>;
}

/** Usage counted over some span: requests by outcome, tokens and cost. */
export interface UsageCounts {
  /** Attempts dispatched upstream (pending, completed or failed); rejected ones are apart. */
  requests: number;
  completed: number;
  failed: number;
  rejected: number;
  inputTokens: number;
  outputTokens: number;
  /** USD, from the pricing table at completion time. */
  cost: number;
}

export const USAGE_COUNT_KEYS = ['requests', 'completed', 'failed', 'rejected', 'inputTokens', 'outputTokens', 'cost'] as const satisfies ReadonlyArray<keyof UsageCounts>;
export const NO_USAGE: Readonly<UsageCounts> = { requests: 0, completed: 0, failed: 0, rejected: 0, inputTokens: 0, outputTokens: 0, cost: 0 };

/** One UTC day of usage (from the daily rollups). */
export interface UsageDailyRow extends UsageCounts {
  /** YYYY-MM-DD (UTC). */
  day: string;
}

export interface SelectionView {
  accountId: string;
  provider: ProviderId;
  label: string;
  tier: Tier;
  model: string;
  decision: DecisionView;
}

export interface ProxyInfo {
  enabled: boolean;
  running: boolean;
  /** http://127.0.0.1:PORT when running. */
  url: string | null;
  port: number | null;
  /** Why it is not running although enabled (e.g. the port is taken), when it failed to start. */
  error: string | null;
  /**
   * The key AI clients present to QuotaDeck's own proxy (not an upstream credential): shown so
   * the user can copy it into a client, regenerated on demand.
   */
  key: string;
}

export interface ServiceInfo {
  version: string;
  mode: 'electron' | 'headless';
  dataDir: string;
  startedAt: string;
}

/** A ledger row's state: written pending before dispatch, then completed, failed or rejected. */
export const USAGE_STATUSES = ['pending', 'completed', 'failed', 'rejected'] as const;
export type UsageStatus = (typeof USAGE_STATUSES)[number];

/** Local limits (the same kinds as the proxy's usage port). */
export const LIMIT_KINDS = ['requests_per_hour', 'requests_per_day', 'input_tokens_per_month', 'output_tokens_per_month', 'cost_per_month'] as const;
export type UsageLimitKind = (typeof LIMIT_KINDS)[number];

/** Usage over whole UTC days, grouped by model or by account (from the daily rollups). */
export interface UsageSummaryRow extends UsageCounts {
  /** The model, or the account id ('' for requests refused before any account was chosen). */
  key: string;
  label: string;
}

export interface TopAccountRow {
  accountId: string;
  label: string;
  provider: ProviderId | null;
  requests: number;
  completed: number;
  failed: number;
}

export interface TopAccountsView {
  /** Monday 00:00 UTC of the week. */
  from: string;
  /** The next Monday 00:00 UTC (exclusive). */
  to: string;
  rows: TopAccountRow[];
}

/** One configured limit with its current window's use. */
export interface LimitUsageView {
  scope: 'global' | 'account';
  accountId: string | null;
  label: string;
  limit: UsageLimitKind;
  max: number;
  used: number;
  /** used / max (may pass 1). */
  fraction: number;
  /** When the window frees up. */
  resetAt: string;
  /** At or over the limit and not in dry-run: the account (or every request, for global) is refused until resetAt. */
  suspended: boolean;
}

export interface LimitsView {
  /** 'global' or an account id. */
  scope: string;
  label: string;
  requestsPerHour: number | null;
  requestsPerDay: number | null;
  inputTokensPerMonth: number | null;
  outputTokensPerMonth: number | null;
  /** USD per UTC calendar month. */
  costPerMonth: number | null;
  usage: LimitUsageView[];
}

export interface UsageLogRow {
  id: number;
  requestId: string;
  attempt: number;
  accountId: string | null;
  /** The account's label, or null when there is none (rejected) or it was removed. */
  label: string | null;
  provider: ProviderId | null;
  /** The model served (asked of the upstream). */
  model: string;
  /** The model the client named (before aliases and fallbacks). */
  requestedModel?: string;
  client: string | null;
  route: string;
  status: UsageStatus;
  httpStatus: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  cost: number | null;
  error: string | null;
  /** A stream cut midway: failed, yet its consumed tokens are costed and counted. */
  partial?: boolean;
  startedAt: string;
  endedAt: string | null;
  durationMs: number | null;
}

export interface UsageLogPage {
  rows: UsageLogRow[];
  /** Pass back as `cursor` for the next (older) page; null when there is none. */
  nextCursor: string | null;
  hasMore: boolean;
}

/** USD per million tokens for models matching a glob ("*" = any run of characters). */
export interface PricingRow {
  pattern: string;
  inputPerMTok: number;
  outputPerMTok: number;
  /** A built-in default price, not edited (defaults follow the app's list; edits are kept). */
  isDefault: boolean;
}

/** A model the proxy can serve now (`models:list`, GET /v1/models): each once, with the kinds of account serving it. */
export interface CatalogModel {
  id: string;
  /** As the account reported it (Antigravity), else null. */
  displayName: string | null;
  /** The account kinds (providers) that serve it. */
  kinds: ProviderId[];
  /** How many enabled accounts serve it. */
  accounts: number;
  /** Set when this id is a client alias (setting `modelAliases`) of a served model. */
  aliasOf: string | null;
}
