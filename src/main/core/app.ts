// Composition root: createApp(config, ports) opens the database and wires the services.
// Electron and the headless entry both call it; neither adds behaviour of its own.
import { mkdirSync } from 'node:fs';
import { startProxyServer, type ProxyServer } from './proxy/proxy-server';
import { declaredModels, ModelCatalog } from './proxy/model-catalog';
import { ProviderModelLists } from './proxy/provider-model-lists';
import { loadOrCreateProxyKey, regenerateProxyKey } from './proxy/proxy-key';
import { createNodeHttpClient } from './net/node-http-client';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { EventMap, EventName, Envelope } from '../../shared/contract';
import type { ProviderId, ProxyInfo, QuotaView, ServiceInfo, Settings } from '../../shared/types';
import { AccountService } from './accounts/account-service';
import { AccountStore } from './accounts/account-store';
import { createDispatcher, createHandlers } from './api/contract-handlers';
import { openDatabase, type Db } from './db/open-database';
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
import { QuotaMonitor } from './quota/quota-monitor';
import { QuotaRepository } from './quota/quota-repository';
import { SyncRepository } from './quota/sync-repository';
import { TokenSelector } from './selector/token-selector';
import { cacheTtlMs, SettingsStore } from './settings-store';
import { AppError, NotFoundError } from './errors';
import { SignInService } from './auth/sign-in-service';
import type { AccountRecord } from './model';
import { createUsageServices } from './usage/usage-services';
import type { UsageAnalytics } from './usage/usage-analytics';
import type { UsageLedger } from './usage/usage-ledger';
import type { UsageLimits } from './usage/usage-limits';

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
   * What a proxy that cannot start (its port taken) does to start(): 'fail' rejects (the
   * headless service exits with a hint), 'report' starts everything else and shows why in
   * proxyInfo().error (the desktop app, which should not die over a busy port).
   */
  proxyStartFailure?: 'fail' | 'report';
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

export interface CoreApp {
  api: { call(method: string, rawRequest: unknown): Promise<Envelope<unknown>> };
  events: {
    on<E extends EventName>(event: E, listener: (payload: EventMap[E]) => void): () => void;
    onAny(listener: <E extends EventName>(event: E, payload: EventMap[E]) => void): () => void;
  };
  /** Direct access for in-process callers (token API, tests, benchmarks). */
  services: {
    db: Db;
    store: AccountStore;
    accounts: AccountService;
    engine: QuotaEngine;
    monitor: QuotaMonitor;
    selector: TokenSelector;
    syncer: AccountSyncer;
    settings: SettingsStore;
    checkQuota(accountId: string, model: string): Promise<QuotaView | null>;
    /** Usage: the proxy's ledger and limits ports, and the analytics queries. */
    ledger: UsageLedger;
    limits: UsageLimits;
    analytics: UsageAnalytics;
    /** The model catalog (GET /v1/models, models:list) and the keys' own model lists it reads. */
    catalog: ModelCatalog;
    modelLists: ProviderModelLists;
  };
  info: ServiceInfo;
  proxyInfo(): ProxyInfo;
  start(): Promise<void>;
  close(): Promise<void>;
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
  const log = ports.logger;
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const db = openDatabase(join(config.dataDir, 'quotadeck.db'));
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
  const tracker = new ThresholdTracker(log.scope('quota'), notifier, (e) => bus.emit('quota:threshold', e), { lowThreshold: () => settings.get().lowThreshold });
  // A key's own model list narrows its provider's default patterns; fetched after sync cycles.
  const modelLists = new ProviderModelLists({ store, registry, settings, fetch: httpClient, clock, log: log.scope('models'), onChanged: () => engine.bump() });
  const engine = new QuotaEngine({
    clock,
    repo: quotaRepo,
    tracker,
    ttlMs: cacheTtlMs(settings.get()),
    lowThreshold: () => settings.get().lowThreshold,
    defaultLockMs: () => settings.get().defaultLockSec * 1000,
    labelOf: (id) => store.get(id)?.label ?? id,
    declaredModels: (account) => declaredModels({ settings, registry, lists: modelLists }, account),
    onChanged: (accountId, views) => {
      if (bus.hasListeners('quota:changed')) bus.emit('quota:changed', { accountId, quotas: views() });
    },
  });
  const accountsChanged = (ids: string[]) => bus.emit('accounts:changed', { accountIds: ids });
  const syncer = new AccountSyncer({
    accounts: store,
    registry,
    engine,
    syncRepo,
    fetch: httpClient,
    clock,
    settings: () => settings.get(),
    log: log.scope('sync'),
    onAccountChanged: (id) => accountsChanged([id]),
  });
  const monitor = new QuotaMonitor({
    accounts: store,
    registry,
    engine,
    syncer,
    quotaRepo,
    syncRepo,
    clock,
    settings: () => settings.get(),
    log: log.scope('monitor'),
    onStats: (s) => bus.emit('monitor:stats', s),
    onFinished: (r) => bus.emit('monitor:syncFinished', r),
    jitterRatio: ports.monitorJitterRatio,
  });
  const selector = new TokenSelector(engine, store, clock, () => settings.get().selectorStrategy);
  const catalog = new ModelCatalog({ store, engine, settings, registry, lists: modelLists });
  const accounts = new AccountService({
    store,
    engine,
    quotaRepo,
    syncRepo,
    tracker,
    supported: () => new Set(registry.keys()),
    homeDir: config.homeDir ?? homedir(),
    dataDir: config.dataDir,
    onChanged: accountsChanged,
  });

  // Usage ledger, limits, analytics (pending rows a crash left behind are marked interrupted here).
  const usage = createUsageServices({
    db,
    clock,
    settings: () => settings.get(),
    labelOf: (id) => store.get(id)?.label ?? null,
    emit: (w) => bus.emit('usage:limitWarning', w),
    notifier,
    log: log.scope('usage'),
  });
  bus.on('monitor:syncFinished', () => usage.maintain());
  bus.on('monitor:syncFinished', () => void modelLists.refreshDue());

  /** Syncs one account now under the sync timeout and saves what it learned (readings, state). */
  async function syncAndSave(account: AccountRecord): Promise<void> {
    const out = await syncer.sync(account, AbortSignal.timeout(settings.get().syncTimeoutSec * 1000));
    if (!store.get(account.id)) return;
    db.transaction(() => {
      quotaRepo.writeReadings(out.readings, out.error ? [] : [{ accountId: account.id, fetchedAt: out.readings[0]?.fetchedAt ?? clock.now() }]);
      syncRepo.saveStates([out.state]);
    })();
  }

  /** Cache first; on a miss one fetch, shared by every concurrent caller, fills it. */
  async function checkQuota(accountId: string, model: string): Promise<QuotaView | null> {
    const account = store.get(accountId);
    if (!account) throw new NotFoundError(`Account ${accountId}`);
    if (engine.reading(accountId, model)) return engine.view(accountId, model);
    const adapter = registry.get(account.provider);
    const state = syncRepo.state(accountId);
    const floor = adapter?.minPollIntervalMs ?? 0;
    const tooSoon = (floor > 0 && state.lastAttemptAt !== null && clock.now() - state.lastAttemptAt < floor) || (state.nextAttemptAt !== null && state.nextAttemptAt > clock.now());
    if (account.status === 'active' && adapter?.pollable && !tooSoon) await syncAndSave(account);
    return engine.view(accountId, model);
  }

  /** A minimal real request for providers without a quota endpoint; readings land like a poll's. */
  async function probe(accountId: string, model: string | null): Promise<QuotaView[]> {
    const account = store.require(accountId);
    const out = await syncer.probe(account, model, AbortSignal.timeout(settings.get().syncTimeoutSec * 1000));
    if (store.get(accountId)) {
      db.transaction(() => {
        quotaRepo.writeReadings(out.readings);
        syncRepo.saveStates([out.state]);
      })();
    }
    if (out.error) throw new AppError(out.error.kind === 'permanent' ? 'bad_request' : 'internal', `Probe failed (${out.error.code}): ${out.error.message}`, 502);
    return engine.views(accountId);
  }

  const signIn = new SignInService({
    settings: () => settings.get(),
    fetch: httpClient,
    clock,
    log: log.scope('sign-in'),
    saveAccount: (provider, signedIn) => accounts.saveSignedIn(provider, signedIn.email, signedIn.credentials),
    syncAccount: async (id) => {
      const account = store.get(id);
      if (account && account.status === 'active') await syncAndSave(account);
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
    checkQuota,
    probe,
    clock,
    log: log.scope('api'),
    usage,
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
      services: { store, engine, selector, syncer, settings },
      registry,
      catalog,
      ledger: usage.ledger,
      limits: usage.limits,
      key: proxyKey(),
      port: s.proxyPort,
      clock,
      log: log.scope('proxy'),
      onAccountChanged: (id) => accountsChanged([id]),
    });
  }
  return {
    api: { call },
    events: { on: (e, l) => bus.on(e, l), onAny: (l) => bus.onAny(l) },
    services: { db, store, accounts, engine, monitor, selector, syncer, settings, checkQuota, ledger: usage.ledger, limits: usage.limits, analytics: usage.analytics, catalog, modelLists },
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
    async close() {
      if (closed) return;
      closed = true;
      await signIn.close();
      await proxy?.close();
      proxy = null;
      await monitor.stop();
      notifier?.dispose();
      ownClient?.close();
      db.close();
      log.scope('app').info('closed');
    },
  };
}
