// The one contract between main, preload, renderer and the headless control API.
// Methods are `domain:verb`; each has a zod request schema (validated at every boundary)
// and a response type. Events are pushed from main with typed payloads.
import { z } from 'zod';
import {
  OAUTH_FAMILIES,
  PROVIDER_IDS,
  SIGN_IN_MODES,
  SIGN_IN_PROVIDERS,
  type SignInStart,
  type SignInStatus,
  SELECTION_STRATEGIES,
  TIERS,
  type AccountView,
  type DecisionRow,
  type ImportReport,
  type MonitorStats,
  type QuotaView,
  type SelectionView,
  type ServiceInfo,
  type Settings,
  type SyncReport,
  type QuotaLockView,
  type DiscoveredCredential,
  type ProxyInfo,
  type ExportReport,
  type UsageLimitKind,
  type LimitsView,
  type LimitUsageView,
  type PricingRow,
  type TopAccountsView,
  type UsageLogPage,
  type UsageSummaryRow,
  USAGE_STATUSES,
  LOG_LEVELS,
  type QuotaHistorySeries,
  type UsageDailyRow,
  type CatalogModel,
} from './types';
import { CLIENT_IDS, type ClientPreview, type ClientRow } from './client-setup';
import { modelRoutingProblem } from './model-routing-rules';

// The zod-free part (envelope, error codes, event names, ContractError) lives in contract-wire,
// so a bundle that only calls methods (the renderer's entry chunk) does not build the schemas.
export { ContractError, EVENT_NAMES, type Envelope, type ErrorCode, type ErrorPayload } from './contract-wire';

const id = z.string().min(1).max(200);
const model = z.string().min(1).max(200);
const fraction = z.number().min(0).max(1);
const empty = z.object({}).strict().optional();
/** A time on the wire: ISO-8601 with offset, or a date alone (00:00 UTC). */
const isoTime = z.union([z.iso.datetime({ offset: true }), z.iso.date()]);
const positiveInt = z.number().int().min(1).max(1e15);
/** The longest wait a report may carry (7 days): a negative or longer one is refused, naming the field. */
export const MAX_RETRY_AFTER_SEC = 604_800;
export const retryAfterSchema = z
  .number({ error: 'retryAfter must be a number of seconds' })
  .min(0, 'retryAfter must not be negative')
  .max(MAX_RETRY_AFTER_SEC, `retryAfter must be at most ${MAX_RETRY_AFTER_SEC} seconds (7 days)`);
/** A model name in routing rules: what clients send, no spaces or globs. */
const modelName = z.string().trim().min(1).max(200).regex(/^[^\s*]+$/, 'a model name without spaces or *');
const modelKey = z.string().min(1).max(200).regex(/^[^\s*]+$/, 'a model name without spaces or *');
const MAX_MODEL_RULES = 500;

export const accountAddSchema = z
  .object({
    provider: z.enum(PROVIDER_IDS),
    email: z.string().email().max(320).optional(),
    label: z.string().max(200).optional(),
    refreshToken: z.string().min(1).max(8192).optional(),
    accessToken: z.string().min(1).max(16384).optional(),
    expiresAt: z.union([z.number(), z.string()]).optional(),
    apiKey: z.string().min(1).max(8192).optional(),
    idToken: z.string().min(1).max(16384).optional(),
    accountId: z.string().min(1).max(200).optional(),
    projectId: z.string().max(200).optional(),
    tier: z.enum(TIERS).optional(),
    baseUrl: z.string().url().max(2000).optional(),
    models: z.array(z.string().min(1).max(200)).max(500).optional(),
  })
  .strict();

export const settingsPatchSchema = z
  .object({
    syncIntervalSec: z.number().int().min(10).max(86_400),
    syncTimeoutSec: z.number().min(1).max(600),
    concurrency: z.number().int().min(1).max(256),
    providerConcurrency: z.number().int().min(1).max(256),
    cacheTtlSec: z.number().int().min(10).max(604_800).nullable(),
    lowThreshold: z.number().gt(0).lt(1),
    snapshotRetentionDays: z.number().int().min(1).max(3650),
    selectionStrategy: z.enum(SELECTION_STRATEGIES),
    defaultLockSec: z.number().int().min(1).max(604_800),
    maxBackoffSec: z.number().int().min(10).max(604_800),
    // An empty string removes a provider's entry.
    baseUrls: z.partialRecord(z.enum(PROVIDER_IDS), z.union([z.string().url().max(2000), z.literal('')])),
    oauthTokenUrls: z.partialRecord(z.enum(OAUTH_FAMILIES), z.union([z.string().url().max(2000), z.literal('')])),
    oauthAuthorizeUrls: z.partialRecord(z.enum(OAUTH_FAMILIES), z.union([z.string().url().max(2000), z.literal('')])),
    googleUserinfoUrl: z.string().url().max(2000).nullable(),
    // A port per sign-in provider; null removes the entry (back to the provider's own port).
    oauthCallbackPorts: z.partialRecord(z.enum(SIGN_IN_PROVIDERS), z.number().int().min(0).max(65_535).nullable()),
    providerModels: z.partialRecord(z.enum(PROVIDER_IDS), z.array(z.string().min(1).max(200)).max(500)),
    googleClientId: z.string().max(500).nullable(),
    googleClientSecret: z.string().max(500).nullable(),
    controlPort: z.number().int().min(0).max(65_535),
    proxyEnabled: z.boolean(),
    proxyPort: z.number().int().min(0).max(65_535),
    proxyMaxAttempts: z.number().int().min(1).max(20),
    usageRetentionDays: z.number().int().min(1).max(3650),
    limitsDryRun: z.boolean(),
    notificationsEnabled: z.boolean(),
    closeToTray: z.boolean(),
    logLevel: z.enum(LOG_LEVELS),
    // An empty string (alias) or list (fallbacks) removes that model's entry.
    modelAliases: z.record(modelKey, z.union([modelName, z.literal('')])).refine((m) => Object.keys(m).length <= MAX_MODEL_RULES, `at most ${MAX_MODEL_RULES} aliases`),
    modelFallbacks: z.record(modelKey, z.array(modelName).max(10)).refine((m) => Object.keys(m).length <= MAX_MODEL_RULES, `at most ${MAX_MODEL_RULES} fallback chains`),
    stickySessions: z.boolean(),
    stickySessionTtlSec: z.number().int().min(10).max(604_800),
  })
  .partial()
  .strict()
  .superRefine((patch, ctx) => {
    if (!patch.modelAliases && !patch.modelFallbacks) return;
    const problem = modelRoutingProblem(withoutRemovals(patch.modelAliases ?? {}), withoutRemovals(patch.modelFallbacks ?? {}));
    if (problem) ctx.addIssue({ code: 'custom', path: [patch.modelFallbacks ? 'modelFallbacks' : 'modelAliases'], message: problem });
  });

/** A settings map without the entries a patch removes ('' or []). */
export function withoutRemovals<V extends string | string[]>(m: Record<string, V>): Record<string, V> {
  const out: Record<string, V> = {};
  for (const [k, v] of Object.entries(m)) if (v.length > 0) out[k] = v;
  return out;
}

export const requestSchemas = {
  'app:info': empty,
  'accounts:list': empty,
  'accounts:add': accountAddSchema,
  'accounts:update': z
    .object({
      id,
      label: z.string().max(200).optional(),
      tier: z.enum(TIERS).optional(),
      reserve: fraction.nullable().optional(),
      projectId: z.string().max(200).nullable().optional(),
      baseUrl: z.string().url().max(2000).nullable().optional(),
      models: z.array(z.string().min(1).max(200)).max(500).nullable().optional(),
    })
    .strict(),
  'accounts:setEnabled': z.object({ id, enabled: z.boolean() }).strict(),
  'accounts:setModelPref': z
    .object({ id, model, reserve: fraction.nullable().optional(), excluded: z.boolean().optional() })
    .strict(),
  'accounts:remove': z.object({ id }).strict(),
  // A suspended or invalid account made active and checked at once (a poll, or a probe for API keys).
  'accounts:reactivate': z.object({ id }).strict(),
  // The import document is validated by the importer itself, which names entry and field.
  'accounts:import': z.unknown(),
  'accounts:discover': empty,
  'accounts:importDiscovered': z.object({ ids: z.array(z.string().min(1).max(100)).min(1).max(20) }).strict(),
  // Written by main to a file (0600); secrets never travel back over the contract.
  'accounts:export': z.object({ path: z.string().min(1).max(4096), includeSecrets: z.boolean().default(false), overwrite: z.boolean().default(false) }).strict(),
  // Browser sign-in (PKCE). mode: 'paste' asks for the code-display page where the provider has one.
  'accounts:signIn': z.object({ provider: z.enum(SIGN_IN_PROVIDERS), mode: z.enum(SIGN_IN_MODES).optional() }).strict(),
  // The code the provider showed: "code", "code#state", or the whole address the browser landed on.
  'accounts:signInComplete': z.object({ flowId: id, code: z.string().trim().min(1).max(8192) }).strict(),
  'accounts:signInStatus': z.object({ flowId: id }).strict(),
  'accounts:signInCancel': z.object({ flowId: id }).strict(),
  'monitor:getStats': empty,
  'monitor:syncNow': empty,
  'monitor:pause': empty,
  'monitor:resume': empty,
  'monitor:lastReport': empty,
  // One account polled now, through the monitor's gate (poll floor, backoff) and timeout.
  'monitor:syncAccount': z.object({ id }).strict(),
  'quota:list': z.object({ accountId: id.optional(), model: model.optional() }).strict().optional(),
  'quota:getDecisions': z.object({ model: model.optional() }).strict().optional(),
  'quota:check': z.object({ accountId: id, model }).strict(),
  'quota:listLocks': empty,
  // A 5xx `status` or the outcome 'unavailable' (the upstream failed or was unreachable) is a
  // short cooldown (lock kind 'cooldown', reason 'unavailable'), never a quota lock.
  'quota:report': z
    .object({
      accountId: id,
      model,
      outcome: z.enum(['ok', '429', 'unavailable']),
      retryAfter: retryAfterSchema.optional(),
      status: z.number().int().min(100).max(599).optional(),
    })
    .strict(),
  'quota:clearLock': z.object({ accountId: id, model }).strict(),
  // Snapshot history per model (default: the last 7 days), thinned to at most maxPoints per model.
  'quota:history': z
    .object({ accountId: id, model: model.optional(), from: isoTime.optional(), to: isoTime.optional(), maxPoints: z.number().int().min(2).max(2000).optional() })
    .strict(),
  'quota:probe': z.object({ accountId: id, model: model.optional() }).strict(),
  'selector:select': z.object({ model }).strict(),
  'proxy:getInfo': empty,
  'proxy:regenerateKey': empty,
  'settings:get': empty,
  'settings:update': settingsPatchSchema,
  // Usage: rollups are per UTC day, so a summary covers the whole days its range touches.
  'usage:summary': z.object({ from: isoTime, to: isoTime, groupBy: z.enum(['model', 'account']).default('model') }).strict(),
  // One row per UTC day in the range (days without usage included as zeros), optionally one account or model.
  'usage:daily': z.object({ from: isoTime, to: isoTime, accountId: id.optional(), model: model.optional() }).strict(),
  'usage:topAccounts': z.object({ weekOf: isoTime.optional(), limit: z.number().int().min(1).max(100).optional() }).strict().optional(),
  'usage:nearLimits': z.object({ threshold: z.number().min(0).max(10).optional(), sort: z.enum(['percent', 'resetAt']).optional() }).strict().optional(),
  'usage:log': z
    .object({
      accountId: id.optional(),
      model: model.optional(),
      status: z.enum(USAGE_STATUSES).optional(),
      from: isoTime.optional(),
      to: isoTime.optional(),
      cursor: z.string().min(1).max(200).optional(),
      limit: z.number().int().min(1).max(100).optional(),
    })
    .strict()
    .optional(),
  // Scope: 'global' or an account id. Each limit: a number sets it, null clears it, absent keeps it.
  'limits:get': z.object({ scope: id.optional() }).strict().optional(),
  'limits:set': z
    .object({
      scope: id,
      requestsPerHour: positiveInt.nullable().optional(),
      requestsPerDay: positiveInt.nullable().optional(),
      inputTokensPerMonth: positiveInt.nullable().optional(),
      outputTokensPerMonth: positiveInt.nullable().optional(),
      costPerMonth: z.number().positive().max(1e9).nullable().optional(),
    })
    .strict(),
  'pricing:list': empty,
  'pricing:set': z
    .object({
      pattern: z
        .string()
        .trim()
        .min(1)
        .max(200)
        .regex(/^[\w.:\/@+*-]+$/, 'letters, digits, . : / @ + - _ and * only'),
      inputPerMTok: z.number().min(0).max(100_000),
      outputPerMTok: z.number().min(0).max(100_000),
    })
    .strict(),
  'pricing:remove': z.object({ pattern: z.string().min(1).max(200) }).strict(),
  // Client setup: point Claude Code, Codex CLI and Gemini CLI at the proxy (backup first, undo).
  'clients:list': empty,
  // The exact change Configure (or Restore) would write, secrets masked; writes nothing.
  'clients:preview': z.object({ id: z.enum(CLIENT_IDS), action: z.enum(['configure', 'restore']).default('configure') }).strict(),
  'clients:configure': z.object({ id: z.enum(CLIENT_IDS) }).strict(),
  'clients:restore': z.object({ id: z.enum(CLIENT_IDS) }).strict(),
  // The model catalog: every model an enabled account serves now (and aliases of them).
  'models:list': empty,
} as const;

export interface ResponseMap {
  'app:info': ServiceInfo;
  'accounts:list': AccountView[];
  'accounts:add': AccountView;
  'accounts:update': AccountView;
  'accounts:setEnabled': AccountView;
  'accounts:setModelPref': AccountView;
  'accounts:remove': { removed: boolean };
  'accounts:reactivate': AccountView;
  'accounts:import': ImportReport;
  'accounts:discover': DiscoveredCredential[];
  'accounts:importDiscovered': ImportReport;
  'accounts:export': ExportReport;
  'accounts:signIn': SignInStart;
  /** Answers once the flow has ended (done or failed). */
  'accounts:signInComplete': SignInStatus;
  'accounts:signInStatus': SignInStatus;
  'accounts:signInCancel': SignInStatus;
  'monitor:getStats': MonitorStats;
  'monitor:syncNow': SyncReport;
  'monitor:pause': MonitorStats;
  'monitor:resume': MonitorStats;
  'monitor:lastReport': SyncReport | null;
  /** The account's readings after the poll (as they were, when its gate did not allow one). */
  'monitor:syncAccount': QuotaView[];
  'quota:list': QuotaView[];
  'quota:getDecisions': DecisionRow[];
  'quota:check': QuotaView | null;
  'quota:listLocks': QuotaLockView[];
  'quota:report': { lockedUntil: string | null };
  'quota:clearLock': { cleared: boolean };
  'quota:history': QuotaHistorySeries[];
  'quota:probe': QuotaView[];
  'selector:select': SelectionView;
  'proxy:getInfo': ProxyInfo;
  'proxy:regenerateKey': ProxyInfo;
  'settings:get': Settings;
  'settings:update': Settings;
  'usage:summary': UsageSummaryRow[];
  'usage:daily': UsageDailyRow[];
  'usage:topAccounts': TopAccountsView;
  'usage:nearLimits': LimitUsageView[];
  'usage:log': UsageLogPage;
  'limits:get': LimitsView[];
  'limits:set': LimitsView;
  'pricing:list': PricingRow[];
  'pricing:set': PricingRow;
  /** A built-in pattern is not removed but restored to its default price. */
  'pricing:remove': { removed: boolean; restored: PricingRow | null };
  'clients:list': ClientRow[];
  'clients:preview': ClientPreview;
  'clients:configure': ClientRow;
  'clients:restore': ClientRow;
  'models:list': CatalogModel[];
}

export type MethodName = keyof typeof requestSchemas;
export const METHOD_NAMES = Object.keys(requestSchemas) as MethodName[];
export type RequestOf<M extends MethodName> = z.input<(typeof requestSchemas)[M]>;
export type ParsedRequestOf<M extends MethodName> = z.output<(typeof requestSchemas)[M]>;
export type ResponseOf<M extends MethodName> = ResponseMap[M];

export function isMethodName(name: string): name is MethodName {
  return Object.prototype.hasOwnProperty.call(requestSchemas, name);
}

export interface QuotaChangedEvent {
  accountId: string;
  quotas: QuotaView[];
}

export interface ThresholdCrossedEvent {
  accountId: string;
  label: string;
  model: string;
  from: 'proceed' | 'low' | 'exhausted' | 'unknown';
  to: 'proceed' | 'low' | 'exhausted';
  remainingFraction: number | null;
  resetAt: string | null;
}

/** A local usage limit reached 80%, 90% or 100% of its window (once per window and level). */
export interface LimitWarningEvent {
  scope: 'global' | 'account';
  accountId: string | null;
  label?: string;
  limit: UsageLimitKind;
  max: number;
  used: number;
  percent: 80 | 90 | 100;
  /** When the window frees up. */
  resetAt: string;
}

/** A sync cycle's progress: at most ~10 a second while it runs, and always one at its end. */
export interface SyncProgressEvent {
  /** Counts up per cycle (per run of the service). */
  cycleId: number;
  /** Accounts finished (polled, failed or skipped) of `total` this cycle polls or skips. */
  done: number;
  total: number;
  /** Of those done, how many failed. */
  failed: number;
  /** The label of the account most recently started (absent in the final event). */
  current?: string;
}

export interface EventMap {
  'monitor:stats': MonitorStats;
  'monitor:syncFinished': SyncReport;
  'monitor:syncProgress': SyncProgressEvent;
  'quota:changed': QuotaChangedEvent;
  'quota:threshold': ThresholdCrossedEvent;
  'accounts:changed': { accountIds: string[] };
  /** A browser sign-in ended (done, failed, expired or cancelled). */
  'accounts:signInFinished': SignInStatus;
  'settings:changed': Settings;
  'usage:limitWarning': LimitWarningEvent;
}
export type EventName = keyof EventMap;


/** What a transport (IPC bridge or HTTP) offers the renderer. */
export interface ContractClient {
  invoke<M extends MethodName>(method: M, request?: RequestOf<M>): Promise<ResponseOf<M>>;
  on<E extends EventName>(event: E, listener: (payload: EventMap[E]) => void): () => void;
}
