// Settings: defaults, then what the user saved (SQLite), then environment overrides for
// upstream addresses, then this run's flags. Saving a key drops this run's override of it.
import { OAUTH_FAMILIES, PROVIDER_IDS, SIGN_IN_PROVIDERS, type Settings } from '../../shared/types';
import { settingsPatchSchema } from '../../shared/contract';
import type { Db } from './db/open-database';
import { AppError } from './errors';
import { modelRoutingProblem } from '../../shared/model-routing-rules';

export const DEFAULT_SETTINGS: Settings = {
  syncIntervalSec: 300,
  syncTimeoutSec: 30,
  concurrency: 8,
  providerConcurrency: 4,
  cacheTtlSec: null,
  lowThreshold: 0.1,
  snapshotRetentionDays: 30,
  selectionStrategy: 'reset-aware',
  defaultLockSec: 600,
  maxBackoffSec: 3600,
  baseUrls: {},
  oauthTokenUrls: {},
  oauthAuthorizeUrls: {},
  googleUserinfoUrl: null,
  oauthCallbackPorts: {},
  providerModels: {},
  googleClientId: null,
  googleClientSecret: null,
  controlPort: 4820,
  proxyEnabled: true,
  proxyPort: 4821,
  proxyMaxAttempts: 4,
  usageRetentionDays: 90,
  limitsDryRun: false,
  notificationsEnabled: true,
  closeToTray: true,
  logLevel: 'info',
  modelAliases: {},
  modelFallbacks: {},
  stickySessions: true,
  stickySessionTtlSec: 3600,
};

/** Environment variables that override a setting, by setting key. */
export const ENV_OVERRIDES: Partial<Record<keyof Settings, string>> = {
  googleClientId: 'QUOTADECK_GOOGLE_CLIENT_ID',
  googleClientSecret: 'QUOTADECK_GOOGLE_CLIENT_SECRET',
  googleUserinfoUrl: 'QUOTADECK_GOOGLE_USERINFO_URL',
};

/** QUOTADECK_GEMINI_CLI_BASE_URL for "gemini-cli": upper case, dashes as underscores. */
export const envNameForBaseUrl = (id: string) => `QUOTADECK_${id.toUpperCase().replace(/-/g, '_')}_BASE_URL`;
export const envNameForTokenUrl = (family: string) => `QUOTADECK_${family.toUpperCase()}_OAUTH_TOKEN_URL`;
export const envNameForAuthorizeUrl = (family: string) => `QUOTADECK_${family.toUpperCase()}_OAUTH_AUTHORIZE_URL`;
/** QUOTADECK_GEMINI_CLI_OAUTH_CALLBACK_PORT for "gemini-cli". */
export const envNameForCallbackPort = (id: string) => `QUOTADECK_${id.toUpperCase().replace(/-/g, '_')}_OAUTH_CALLBACK_PORT`;

const MAP_KEYS = new Set<keyof Settings>(['baseUrls', 'oauthTokenUrls', 'oauthAuthorizeUrls', 'oauthCallbackPorts', 'providerModels', 'modelAliases', 'modelFallbacks']);

export function cacheTtlMs(s: Settings): number {
  return (s.cacheTtlSec ?? Math.ceil(s.syncIntervalSec * 1.1)) * 1000;
}

const LEGACY_STRATEGIES: Record<string, Settings['selectionStrategy']> = { 'most-remaining': 'priority', 'soonest-reset': 'reset-aware', 'round-robin': 'round-robin' };

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

export class SettingsStore {
  private saved: Partial<Settings> = {};
  private runOverrides: Partial<Settings>;
  private readonly stmt;

  constructor(
    db: Db,
    private readonly env: Record<string, string | undefined>,
    overrides: Partial<Settings> = {},
  ) {
    this.runOverrides = { ...overrides };
    this.stmt = {
      all: db.prepare<[], { key: string; value: string }>('SELECT key, value FROM settings'),
      put: db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
      tx: db.transaction((entries: Array<[string, string]>) => {
        for (const [k, v] of entries) this.stmt.put.run(k, v);
      }),
    };
    const rows = this.stmt.all.all();
    // The strategy was saved as `selectorStrategy` (most-remaining, round-robin, soonest-reset) before it was renamed.
    const legacy = rows.find((r) => r.key === 'selectorStrategy');
    if (legacy && !rows.some((r) => r.key === 'selectionStrategy')) {
      const mapped = LEGACY_STRATEGIES[String(safeJson(legacy.value))];
      if (mapped) rows.push({ key: 'selectionStrategy', value: JSON.stringify(mapped) });
    }
    for (const { key, value } of rows) {
      if (!(key in DEFAULT_SETTINGS)) continue;
      try {
        const parsed = settingsPatchSchema.safeParse({ [key]: JSON.parse(value) });
        if (parsed.success) Object.assign(this.saved, parsed.data);
      } catch {
        // A corrupted value falls back to the default rather than blocking start-up.
      }
    }
  }

  private memo: Settings | null = null;

  /** The effective settings; rebuilt only after an update (it is read on hot paths). */
  get(): Settings {
    return (this.memo ??= this.compute());
  }

  private compute(): Settings {
    const out: Settings = { ...DEFAULT_SETTINGS, ...this.saved };
    for (const [key, envName] of Object.entries(ENV_OVERRIDES) as Array<[keyof Settings, string]>) {
      const v = this.env[envName];
      if (v) (out as unknown as Record<string, unknown>)[key] = v;
    }
    out.baseUrls = { ...out.baseUrls };
    for (const id of PROVIDER_IDS) {
      const v = this.env[envNameForBaseUrl(id)];
      if (v) out.baseUrls[id] = v;
    }
    out.oauthTokenUrls = { ...out.oauthTokenUrls };
    out.oauthAuthorizeUrls = { ...out.oauthAuthorizeUrls };
    for (const f of OAUTH_FAMILIES) {
      const v = this.env[envNameForTokenUrl(f)];
      if (v) out.oauthTokenUrls[f] = v;
      const a = this.env[envNameForAuthorizeUrl(f)];
      if (a) out.oauthAuthorizeUrls[f] = a;
    }
    out.oauthCallbackPorts = { ...out.oauthCallbackPorts };
    for (const id of SIGN_IN_PROVIDERS) {
      const v = this.env[envNameForCallbackPort(id)];
      const port = v === undefined || v.trim() === '' ? Number.NaN : Number(v);
      if (Number.isInteger(port) && port >= 0 && port <= 65_535) out.oauthCallbackPorts[id] = port;
    }
    return { ...out, ...this.runOverrides };
  }

  /** Validates and saves a patch in one transaction; returns the effective settings. */
  update(patch: unknown): Settings {
    const parsed = settingsPatchSchema.parse(patch) as Partial<Settings>;
    // Maps merge key by key; an empty string or list removes that key's entry.
    const merged: Partial<Settings> = { ...parsed };
    for (const k of MAP_KEYS) {
      const incoming = parsed[k] as Record<string, unknown> | undefined;
      if (!incoming) continue;
      const next: Record<string, unknown> = { ...((this.saved[k] as Record<string, unknown> | undefined) ?? {}) };
      for (const [id, v] of Object.entries(incoming)) {
        if (v === '' || v === null || (Array.isArray(v) && v.length === 0)) delete next[id];
        else next[id] = v;
      }
      (merged as Record<string, unknown>)[k] = next;
    }
    if (merged.modelAliases || merged.modelFallbacks) {
      // The patch was checked alone; the maps it merges into must still form no cycle.
      const problem = modelRoutingProblem(merged.modelAliases ?? this.saved.modelAliases ?? {}, merged.modelFallbacks ?? this.saved.modelFallbacks ?? {});
      if (problem) throw new AppError('bad_request', problem, 400, { field: merged.modelFallbacks ? 'modelFallbacks' : 'modelAliases' });
    }
    this.stmt.tx(Object.entries(merged).map(([k, v]) => [k, JSON.stringify(v)]));
    Object.assign(this.saved, merged);
    this.memo = null;
    for (const k of Object.keys(parsed)) delete (this.runOverrides as Record<string, unknown>)[k];
    return this.get();
  }
}
