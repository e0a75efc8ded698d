// Builders for contract shapes used by the renderer tests; each takes overrides.
import type { AccountView, MonitorStats, QuotaView, SyncReport } from '../../src/shared/types';

export function account(over: Partial<AccountView> & { id: string }): AccountView {
  return {
    provider: 'antigravity',
    email: `${over.id}@example.com`,
    label: over.id,
    tier: 'pro',
    tierLabel: null,
    status: 'active',
    statusReason: null,
    projectId: null,
    secretHint: '1//0g…x9Qa',
    reserve: null,
    baseUrl: null,
    models: null,
    details: {},
    modelPrefs: [],
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    sync: { lastSuccessAt: null, lastAttemptAt: null, lastErrorCode: null, lastErrorMessage: null, consecutiveFailures: 0, nextAttemptAt: null },
    ...over,
  };
}

export function quota(over: Partial<QuotaView> & { accountId: string; model: string }): QuotaView {
  const remainingFraction = over.remainingFraction === undefined ? 0.5 : over.remainingFraction;
  return {
    displayName: null,
    remainingFraction,
    resetAt: null,
    fetchedAt: '2026-01-01T00:00:00.000Z',
    ageMs: 0,
    stale: false,
    source: 'poll',
    window: null,
    limit: null,
    remaining: null,
    decision: { kind: 'proceed', remainingFraction, resetAt: null, reason: null },
    lock: null,
    nextPollAt: null,
    forecast: null,
    ...over,
  };
}

export function stats(over: Partial<MonitorStats> = {}): MonitorStats {
  return {
    totalAccounts: 0,
    activeAccounts: 0,
    cachedQuotas: 0,
    expiredEntries: 0,
    exhaustedQuotas: 0,
    lowQuotas: 0,
    lastSyncDurationMs: null,
    lastSyncAt: null,
    nextSyncAt: null,
    lastSyncSuccesses: 0,
    lastSyncErrors: 0,
    lastSyncSkipped: 0,
    running: true,
    paused: false,
    syncing: false,
    ...over,
  };
}

export function report(over: Partial<SyncReport> = {}): SyncReport {
  return {
    id: 1,
    trigger: 'schedule',
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:00:01.000Z',
    durationMs: 1000,
    accounts: 0,
    successes: 0,
    errors: 0,
    skipped: 0,
    aborted: false,
    results: [],
    ...over,
  };
}
