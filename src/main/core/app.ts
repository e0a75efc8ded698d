// Composition root: createApp(config, ports) opens the database and wires the services.
// Electron and the headless entry both call it; neither adds behaviour of its own.
import { startProxyServer, type ProxyServer } from './proxy/proxy-server';
import { declaredModels, ModelCatalog } from './proxy/model-catalog';
import { ProviderModelLists } from './proxy/provider-model-lists';
import { loadOrCreateProxyKey, regenerateProxyKey } from './proxy/proxy-key';
import { createNodeHttpClient } from './net/node-http-client';
import { limitRequests } from './net/request-limiter';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ProviderId, ProxyInfo, ServiceInfo, Settings } from '../../shared/types';
import type { CoreApp } from './core-app';
import { AccountService } from './accounts/account-service';
import { AccountStore } from './accounts/account-store';
import { createDispatcher, createHandlers } from './api/contract-handlers';
import { openDatabase } from './db/open-database';
import { ensurePrivateDir } from './fs/private-dir';
import { EventBus } from './events/event-bus';
import { createNotificationBatcher } from './notify/notification-batcher';
import { ThresholdTracker } from './notify/threshold-tracker';
import { systemClock, type Clock, type FetchFn, type Logger, type Notifier, type SecretBox } from './ports';
import { antigravityAdapter } from './providers/antigravity';
import { geminiCliAdapter } from './providers/gemini-cli';
import { claudeAdapter } from './providers/claude';
import { codexAdapter } from './providers/codex';
import { openrouterAdapter } from './providers/openrouter';
import { anthropicApiAdapter, openaiAdapter } from './providers/api-key-probe';
import type { ProviderAdapter } from './providers/provider-adapter';
import { AccountSyncer } from './quota/account-syncer';
import { QuotaEngine } from './quota/quota-engine';
import { QuotaForecaster } from './quota/quota-forecast';
import { ForecastAlerts } from './notify/forecast-alerts';
import { sqliteForecastAlertStore } from './notify/forecast-alert-store';
import { QuotaMonitor } from './quota/quota-monitor';
import { QuotaRepository } from './quota/quota-repository';
import { QuotaService } from './quota/quota-service';
import { SyncRepository } from './quota/sync-repository';
import { TokenSelector } from './selector/token-selector';
import { cacheTtlMs, SettingsStore } from './settings-store';
import { SignInService } from './auth/sign-in-service';
import { createUsageServices } from './usage/usage-services';
import { WalCheckpointer } from './db/wal-checkpointer';
import { ClientSetup } from './clients/client-setup';
import { FirstReadings } from './quota/first-readings';

export type { CoreApp } from './core-app';

export interface AppConfig {
  dataDir: string;
  mode: ServiceInfo['mode'];
  /** This run's overrides (command-line flags); not saved. */
  overrides?: Partial<Settings>;
  env?: Record<string, string | undefined>;
  version?: string;
  /** Where other tools' credential files are looked for (default: the user's home). */
  homeDir?: string;
  /** Start the local proxy on start() when the settings enable it (default true). */
  startProxy?: boolean;
  /** Start the sync loop on start() (default true). */
  autoSync?: boolean;
  /**
   * Check a newly added or imported API key at once (one probe or poll) so it has a reading
   * (default: as autoSync — a service told not to sync makes no upstream call on its own).
   */
  probeNewKeys?: boolean;
  /**
   * What a proxy that cannot start (its port taken) does to start(): 'fail' rejects (the
   * headless service exits with a hint), 'report' starts everything else and shows why in
   * proxyInfo().error (the desktop app, which should not die over a busy port).
   */
  proxyStartFailure?: 'fail' | 'report';
  /** 'adaptive' (default): each account's next poll follows its state; 'fixed': every interval (a baseline). */
  pollPlan?: 'adaptive' | 'fixed';
  /** Notifications are collected this long and a burst is grouped (default 0: each at once). */
  notificationWindowMs?: number;
}

export interface AppPorts {
  logger: Logger;
  secretBox: SecretBox;
  clock?: Clock;
  fetch?: FetchFn;
  notifier?: Notifier;
  providers?: ProviderAdapter[];
  monitorJitterRatio?: number;
}

export const DEFAULT_PROVIDERS: ProviderAdapter[] = [
  antigravityAdapter,
  geminiCliAdapter,
  claudeAdapter,
  codexAdapter,
  openrouterAdapter,
  openaiAdapter,
  anthropicApiAdapter,
];

export async function createApp(config: AppConfig, ports: AppPorts): Promise<CoreApp> {
  const clock = ports.clock ?? systemClock;
  // The app's own keep-alive client unless a port was given (closed with the app).
  const ownClient = ports.fetch ? null : createNodeHttpClient();
  const httpClient = ports.fetch ?? ownClient!;
  // Providers' requests (polls, probes, refreshes) go through the request caps: per host and in all.
  const providerHttp = limitRequests(httpClient, () => ({ perHost: settings.get().providerConcurrency, total: settings.get().concurrency }));
  const log = ports.logger;
  ensurePrivateDir(config.dataDir);
  const dbFile = join(config.dataDir, 'quotadeck.db');
  const db = openDatabase(dbFile);
  // Checkpoints on a worker thread while the proxy writes the ledger (see wal-checkpointer.ts).
  const checkpointer = new WalCheckpointer({ db, file: dbFile, log: log.scope('db') });
  const bus = new EventBus(log.scope('events'));
  const settings = new SettingsStore(db, config.env ?? process.env, config.overrides);
  const registry = new Map<ProviderId, ProviderAdapter>((ports.providers ?? DEFAULT_PROVIDERS).map((p) => [p.id, p]));
  const store = new AccountStore(db, ports.secretBox, clock);
  const quotaRepo = new QuotaRepository(db);
  const syncRepo = new SyncRepository(db);
  // Every notification passes the `notificationsEnabled` setting and the burst grouping.
  const notifier = ports.notifier
    ? createNotificationBatcher(ports.notifier, { clock, windowMs: config.notificationWindowMs ?? 0, enabled: () => settings.get().notificationsEnabled })
    : undefined;
  const tracker = new ThresholdTracker(log.scope('quota'), notifier, (e) => bus.emit('quota:threshold', e), {
    lowThreshold: () => settings.get().lowThreshold,
    // Crossings of one burst are logged as one message (same window as the notifications).
    logWindow: { windowMs: config.notificationWindowMs ?? 0, timers: clock },
  });
  // A key's own model list narrows its provider's default patterns; fetched after sync cycles.
  const modelLists = new ProviderModelLists({ store, registry, settings, fetch: httpClient, clock, log: log.scope('models'), onChanged: () => engine.bump(), healthy: (id) => syncRepo.state(id).consecutiveFailures === 0 });
  const engine: QuotaEngine = new QuotaEngine({
    clock,
    repo: quotaRepo,
    tracker,
    ttlMs: cacheTtlMs(settings.get()),
    lowThreshold: () => settings.get().lowThreshold,
    defaultLockMs: () => settings.get().defaultLockSec * 1000,
    labelOf: (id) => store.get(id)?.label ?? id,
    log: log.scope('quota'),
    declaredModels: (account) => declaredModels({ settings, registry, lists: modelLists }, account),
    onChanged: (accountId, views) => {
      if (bus.hasListeners('quota:changed')) bus.emit('quota:changed', { accountId, quotas: views() });
    },
    nextPollAt: (id): number | null => monitor.nextPollAt(id),
    forecaster: new QuotaForecaster(),
    forecastAlerts: new ForecastAlerts(log.scope('quota'), notifier, sqliteForecastAlertStore(db)),
  });
  // The store is the one announcer of account changes (whoever made them: the API, a sync, the
  // proxy, the token API); the selector's index and the event follow from here alone.
  store.onChange((ids) => {
    engine.bump();
    bus.emit('accounts:changed', { accountIds: ids });
  });
  const syncer = new AccountSyncer({
    accounts: store,
    registry,
    engine,
    syncRepo,
    fetch: providerHttp.fetch,
    clock,
    settings: () => settings.get(),
    log: log.scope('sync'),
  });
  const accounts = new AccountService({
    store,
    engine,
    quotaRepo,
    syncRepo,
    tracker,
    supported: () => new Set(registry.keys()),
    homeDir: config.homeDir ?? homedir(),
    dataDir: config.dataDir,
  });
  const quota = new QuotaService({
    store,
    registry,
    engine,
    syncer,
    quotaRepo,
    syncRepo,
    clock,
    settings: () => settings.get(),
    log: log.scope('sync'),
    activate: (id) => accounts.activate(id),
  });
  const firstReadings = new FirstReadings({ store, registry, engine, quota, log: log.scope('sync'), enabled: config.probeNewKeys ?? config.autoSync !== false });
  const monitor: QuotaMonitor = new QuotaMonitor({
    accounts: store,
    registry,
    engine,
    quota,
    quotaRepo,
    syncRepo,
    clock,
    settings: () => settings.get(),
    log: log.scope('monitor'),
    onStats: (s) => bus.emit('monitor:stats', s),
    onFinished: (r) => bus.emit('monitor:syncFinished', r),
    onProgress: (p) => bus.emit('monitor:syncProgress', p),
    jitterRatio: ports.monitorJitterRatio,
    pollPlan: config.pollPlan,
  });
  const selector = new TokenSelector(engine, store, clock, () => settings.get().selectionStrategy);
  const catalog = new ModelCatalog({ store, engine, settings, registry, lists: modelLists });

  // Usage ledger, limits, analytics (pending rows a crash left behind are marked interrupted here).
  const usage = createUsageServices({
    db,
    clock,
    settings: () => settings.get(),
    labelOf: (id) => store.get(id)?.label ?? null,
    emit: (w) => bus.emit('usage:limitWarning', w),
    notifier,
    log: log.scope('usage'),
    afterWrite: () => checkpointer.wrote(),
  });
  bus.on('monitor:syncFinished', () => usage.maintain());
  bus.on('monitor:syncFinished', () => void modelLists.refreshDue());

  const signIn = new SignInService({
    settings: () => settings.get(),
    fetch: httpClient,
    clock,
    log: log.scope('sign-in'),
    saveAccount: (provider, signedIn) => accounts.saveSignedIn(provider, signedIn.email, signedIn.credentials),
    syncAccount: async (id) => {
      await quota.pollIfAllowed(id);
    },
    onFinished: (s) => bus.emit('accounts:signInFinished', s),
  });

  const warm = engine.warmStart();
  log.scope('app').info(`database open in ${config.dataDir}: ${store.list().length} accounts, ${warm.cached} cached readings, ${warm.locks} locks`);

  const info: ServiceInfo = { version: config.version ?? '0.1.0', mode: config.mode, dataDir: config.dataDir, startedAt: new Date(clock.now()).toISOString() };
  let proxy: ProxyServer | null = null;
  let proxyError: string | null = null;
  let currentProxyKey: string | null = null;
  const proxyKey = () => (currentProxyKey ??= loadOrCreateProxyKey(config.dataDir));
  function proxyInfo(): ProxyInfo {
    const s = settings.get();
    return { enabled: s.proxyEnabled, running: proxy !== null, url: proxy?.url ?? null, port: proxy?.port ?? null, error: proxyError, key: proxyKey() };
  }

  // Client setup writes other tools' configs under the user's home; backups stay in the data dir.
  const clients = new ClientSetup({
    homeDir: config.homeDir ?? homedir(),
    backupDir: join(config.dataDir, 'client-backups'),
    env: config.env ?? process.env,
    clock,
    log: log.scope('clients'),
    target: () => {
      const p = proxyInfo();
      if (p.running && p.url) return { url: p.url, key: p.key, problem: null };
      const port = settings.get().proxyPort;
      const url = port > 0 ? `http://127.0.0.1:${port}` : null;
      const problem = !p.enabled
        ? 'The local proxy is turned off: turn it on (Settings → Proxy) before pointing tools at it.'
        : (p.error ?? (url ? null : 'The local proxy is not running and has no fixed port: start it first.'));
      return { url, key: p.key, problem };
    },
  });

  const handlers = createHandlers({
    proxyInfo,
    regenerateProxyKey: () => {
      currentProxyKey = regenerateProxyKey(config.dataDir);
      proxy?.setKey(currentProxyKey);
      log.scope('proxy').info('proxy key regenerated; clients must use the new one');
      return proxyInfo();
    },
    info,
    store,
    accounts,
    signIn,
    engine,
    monitor,
    selector,
    catalog,
    syncRepo,
    quotaRepo,
    settings,
    quota,
    firstReadings,
    clock,
    log: log.scope('api'),
    usage,
    clients,
    onSettingsChanged: () => {
      engine.cache.setTtl(cacheTtlMs(settings.get()));
      engine.bump();
      monitor.reschedule();
      bus.emit('settings:changed', settings.get());
    },
  });
  const call = createDispatcher(handlers, log.scope('api'));

  let closed = false;
  async function startProxy(): Promise<void> {
    const s = settings.get();
    if (!s.proxyEnabled || proxy) return;
    proxy = await startProxyServer({
      services: { store, engine, selector, quota, settings },
      registry,
      catalog,
      ledger: usage.ledger.grouped,
      limits: usage.limits,
      key: proxyKey(),
      port: s.proxyPort,
      clock,
      log: log.scope('proxy'),
    });
  }
  return {
    api: { call },
    events: { on: (e, l) => bus.on(e, l), onAny: (l) => bus.onAny(l) },
    services: { db, store, accounts, engine, monitor, selector, syncer, quota, firstReadings, settings, checkQuota: (id, model) => quota.checkQuota(id, model), ledger: usage.ledger, limits: usage.limits, analytics: usage.analytics, catalog, modelLists },
    info,
    proxyInfo,
    async start() {
      usage.maintain(true);
      if (config.startProxy !== false) {
        try {
          await startProxy();
        } catch (err) {
          if (config.proxyStartFailure !== 'report') throw err;
          const e = err as NodeJS.ErrnoException;
          proxyError =
            e.code === 'EADDRINUSE' ? `Port ${settings.get().proxyPort} on 127.0.0.1 is in use by another program: choose another proxy port in Settings and restart QuotaDeck.` : `The proxy could not start: ${e.message}`;
          log.scope('proxy').error(proxyError);
        }
      }
      if (config.autoSync !== false) monitor.start();
    },
    // Bounded: upstream calls are aborted first (the service's own, the cycle's, the proxy's
    // through its closed connections), so nothing below waits on an upstream that hangs; the
    // ledger's queued completions are written before the database closes.
    async close() {
      if (closed) return;
      closed = true;
      quota.stop();
      const stopping = monitor.stop();
      await signIn.close();
      await proxy?.close();
      proxy = null;
      await stopping;
      await firstReadings.close();
      tracker.flush();
      notifier?.dispose();
      ownClient?.close();
      usage.ledger.close();
      await checkpointer.close();
      db.close();
      log.scope('app').info('closed');
    },
  };
}
