// Settings: defaults, then what the user saved (SQLite), then environment overrides for
// upstream addresses, then this run's flags. Saving a key drops this run's override of it.
import type { Settings } from '../../shared/types';
import { settingsPatchSchema } from '../../shared/contract';
import type { Db } from './db/open-database';

export const DEFAULT_SETTINGS: Settings = {
  syncIntervalSec: 300,
  syncTimeoutSec: 30,
  concurrency: 8,
  providerConcurrency: 4,
  cacheTtlSec: null,
  lowThreshold: 0.1,
  snapshotRetentionDays: 30,
  selectorStrategy: 'most-remaining',
  defaultLockSec: 600,
  maxBackoffSec: 3600,
  antigravityBaseUrl: 'https://cloudcode-pa.googleapis.com',
  googleOAuthTokenUrl: 'https://oauth2.googleapis.com/token',
  googleClientId: null,
  googleClientSecret: null,
  controlPort: 4820,
};

/** Environment variables that override a setting, by setting key. */
export const ENV_OVERRIDES: Partial<Record<keyof Settings, string>> = {
  antigravityBaseUrl: 'QUOTADECK_ANTIGRAVITY_BASE_URL',
  googleOAuthTokenUrl: 'QUOTADECK_GOOGLE_OAUTH_TOKEN_URL',
  googleClientId: 'QUOTADECK_GOOGLE_CLIENT_ID',
  googleClientSecret: 'QUOTADECK_GOOGLE_CLIENT_SECRET',
};

export function cacheTtlMs(s: Settings): number {
  return (s.cacheTtlSec ?? Math.ceil(s.syncIntervalSec * 1.1)) * 1000;
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
    for (const { key, value } of this.stmt.all.all()) {
      if (!(key in DEFAULT_SETTINGS)) continue;
      try {
        const parsed = settingsPatchSchema.safeParse({ [key]: JSON.parse(value) });
        if (parsed.success) Object.assign(this.saved, parsed.data);
      } catch {
        // A corrupted value falls back to the default rather than blocking start-up.
      }
    }
  }

  get(): Settings {
    const out: Settings = { ...DEFAULT_SETTINGS, ...this.saved };
    for (const [key, envName] of Object.entries(ENV_OVERRIDES) as Array<[keyof Settings, string]>) {
      const v = this.env[envName];
      if (v) (out as unknown as Record<string, unknown>)[key] = v;
    }
    return { ...out, ...this.runOverrides };
  }

  /** Validates and saves a patch in one transaction; returns the effective settings. */
  update(patch: unknown): Settings {
    const parsed = settingsPatchSchema.parse(patch);
    this.stmt.tx(Object.entries(parsed).map(([k, v]) => [k, JSON.stringify(v)]));
    Object.assign(this.saved, parsed);
    for (const k of Object.keys(parsed)) delete (this.runOverrides as Record<string, unknown>)[k];
    return this.get();
  }
}
