// What createApp hands its callers (the Electron shell, the headless entry and its control
// server, tests and benchmarks). A type only: services never import the composition root.
import type { ModelCatalog } from './proxy/model-catalog';
import type { ProviderModelLists } from './proxy/provider-model-lists';
import type { EventMap, EventName, Envelope } from '../../shared/contract';
import type { ProxyInfo, QuotaView, ServiceInfo } from '../../shared/types';
import type { AccountService } from './accounts/account-service';
import type { AccountStore } from './accounts/account-store';
import type { Db } from './db/open-database';
import type { AccountSyncer } from './quota/account-syncer';
import type { QuotaEngine } from './quota/quota-engine';
import type { QuotaMonitor } from './quota/quota-monitor';
import type { QuotaService } from './quota/quota-service';
import type { FirstReadings } from './quota/first-readings';
import type { TokenSelector } from './selector/token-selector';
import type { SettingsStore } from './settings-store';
import type { UsageAnalytics } from './usage/usage-analytics';
import type { UsageLedger } from './usage/usage-ledger';
import type { UsageLimits } from './usage/usage-limits';

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
    /** Sync one account now (gate, timeout, save), credentials for requests, reactivation. */
    quota: QuotaService;
    /** A new API key's first check (probe or poll), in the background. */
    firstReadings: FirstReadings;
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
