// Builds a ProviderContext for calling one adapter directly over real HTTP (fake upstreams on
// 127.0.0.1), without the rest of the core.
import type { AccountRecord, Credentials } from '../../src/main/core/model';
import type { ProviderAdapter, ProviderContext } from '../../src/main/core/providers/provider-adapter';
import { systemClock } from '../../src/main/core/ports';
import { deadline } from '../../src/main/core/quota/sync-deadline';
import { DEFAULT_SETTINGS } from '../../src/main/core/settings-store';
import type { Settings } from '../../src/shared/types';

export function testAccount(adapter: ProviderAdapter, patch: Partial<AccountRecord> = {}): AccountRecord {
  return {
    id: 'acc-1',
    provider: adapter.id,
    identity: 'someone@example.com',
    email: 'someone@example.com',
    label: 'someone@example.com',
    tier: 'free',
    tierLabel: null,
    status: 'active',
    statusReason: null,
    projectId: null,
    secretHint: '',
    reserve: null,
    baseUrl: null,
    models: null,
    details: {},
    createdAt: 0,
    updatedAt: 0,
    ...patch,
  };
}

export interface ContextOptions {
  credentials: Credentials;
  baseUrl: string;
  oauthTokenUrl?: string | null;
  account?: Partial<AccountRecord>;
  settings?: Partial<Settings>;
  now?: () => number;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export function providerContext(adapter: ProviderAdapter, o: ContextOptions): ProviderContext {
  return {
    account: testAccount(adapter, o.account),
    credentials: o.credentials,
    // The core's own deadline (a SyncTimeoutError when it passes), as the QuotaService applies it.
    signal: o.signal ?? deadline(systemClock, o.timeoutMs ?? 5000).signal,
    fetch,
    now: o.now ?? (() => Date.now()),
    settings: { ...DEFAULT_SETTINGS, googleClientId: 'test-client', googleClientSecret: 'test-secret', ...o.settings },
    baseUrl: o.baseUrl,
    oauthTokenUrl: o.oauthTokenUrl ?? null,
  };
}
