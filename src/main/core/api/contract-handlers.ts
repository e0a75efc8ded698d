// The contract's methods implemented over the core services. One table serves IPC and HTTP;
// `call` validates the request with the contract's schema and always answers an envelope.
import { isoTimeOrNull } from '../iso-time';
import { ZodError } from 'zod';
import {
  isMethodName,
  requestSchemas,
  type Envelope,
  type ErrorPayload,
  type MethodName,
  type ParsedRequestOf,
  type ResponseOf,
} from '../../../shared/contract';
import type { AccountView, DecisionRow, ProxyInfo, ServiceInfo } from '../../../shared/types';
import type { AccountService } from '../accounts/account-service';
import type { AccountStore } from '../accounts/account-store';
import type { SignInService } from '../auth/sign-in-service';
import { AppError } from '../errors';
import type { AccountRecord } from '../model';
import type { Clock, Logger } from '../ports';
import type { QuotaEngine } from '../quota/quota-engine';
import type { QuotaMonitor } from '../quota/quota-monitor';
import type { QuotaRepository } from '../quota/quota-repository';
import type { QuotaService } from '../quota/quota-service';
import type { FirstReadings } from '../quota/first-readings';
import { quotaHistory } from '../quota/quota-history';
import type { SyncRepository } from '../quota/sync-repository';
import type { TokenSelector } from '../selector/token-selector';
import type { ModelCatalog } from '../proxy/model-catalog';
import type { SettingsStore } from '../settings-store';
import { createUsageHandlers, type UsageHandlerDeps } from './usage-handlers';
import type { ClientSetup } from '../clients/client-setup';
import { createClientHandlers } from './client-handlers';

export interface HandlerDeps {
  info: ServiceInfo;
  store: AccountStore;
  accounts: AccountService;
  signIn: SignInService;
  engine: QuotaEngine;
  monitor: QuotaMonitor;
  selector: TokenSelector;
  catalog: ModelCatalog;
  syncRepo: SyncRepository;
  quotaRepo: QuotaRepository;
  settings: SettingsStore;
  quota: QuotaService;
  firstReadings: FirstReadings;
  onSettingsChanged: () => void;
  proxyInfo: () => ProxyInfo;
  regenerateProxyKey: () => ProxyInfo;
  clock: Clock;
  log: Logger;
  /** The usage, limits and pricing methods' services. */
  usage: Omit<UsageHandlerDeps, 'store' | 'clock'>;
  /** Client setup (Claude Code, Codex CLI, Gemini CLI). */
  clients: ClientSetup;
}

const iso = isoTimeOrNull;

export function accountView(d: Pick<HandlerDeps, 'store' | 'syncRepo'>, a: AccountRecord): AccountView {
  const s = d.syncRepo.state(a.id);
  return {
    id: a.id,
    provider: a.provider,
    email: a.email,
    label: a.label,
    tier: a.tier,
    tierLabel: a.tierLabel,
    status: a.status,
    statusReason: a.statusReason,
    projectId: a.projectId,
    secretHint: a.secretHint,
    reserve: a.reserve,
    baseUrl: a.baseUrl,
    models: a.models,
    details: a.details,
    modelPrefs: d.store.modelPrefs(a.id).map((p) => ({ model: p.model, reserve: p.reserve, excluded: p.excluded })),
    createdAt: iso(a.createdAt)!,
    updatedAt: iso(a.updatedAt)!,
    sync: {
      lastSuccessAt: iso(s.lastSuccessAt),
      lastAttemptAt: iso(s.lastAttemptAt),
      lastErrorCode: s.lastErrorCode,
      lastErrorMessage: s.lastErrorMessage,
      consecutiveFailures: s.consecutiveFailures,
      nextAttemptAt: iso(s.nextAttemptAt),
    },
  };
}

export type Handlers = { [M in MethodName]: (req: ParsedRequestOf<M>) => ResponseOf<M> | Promise<ResponseOf<M>> };

export function createHandlers(d: HandlerDeps): Handlers {
  const view = (a: AccountRecord) => accountView(d, a);
  return {
    ...createUsageHandlers({ ...d.usage, store: d.store, clock: d.clock }),
    ...createClientHandlers(d.clients),
    'app:info': () => d.info,
    'accounts:list': () => d.store.list().map(view),
    'accounts:add': (req) => {
      const added = d.accounts.add(req);
      // A new key is checked once at once, in the background (never awaited: the upstream may be slow).
      void d.firstReadings.request([added.id]);
      return view(added);
    },
    'accounts:update': ({ id, ...patch }) => view(d.accounts.update(id, patch)),
    'accounts:setEnabled': ({ id, enabled }) => view(d.accounts.setEnabled(id, enabled)),
    'accounts:setModelPref': ({ id, model, reserve, excluded }) => view(d.accounts.setModelPref(id, model, reserve, excluded)),
    'accounts:remove': ({ id }) => ({ removed: d.accounts.remove(id) }),
    'accounts:reactivate': async ({ id }) => view(await d.quota.reactivate(id)),
    'accounts:import': (doc) => {
      const r = d.accounts.import(doc);
      void d.firstReadings.request(r.ids);
      return { created: r.created, updated: r.updated, unchanged: r.unchanged, accounts: r.ids.map((id) => view(d.store.require(id))) };
    },
    'accounts:discover': () => d.accounts.discover(),
    'accounts:importDiscovered': ({ ids }) => {
      const r = d.accounts.importDiscovered(ids);
      return { created: r.created, updated: r.updated, unchanged: r.unchanged, accounts: r.ids.map((id) => view(d.store.require(id))) };
    },
    'accounts:export': ({ path, includeSecrets, overwrite }) => d.accounts.exportTo(path, includeSecrets, overwrite),
    'accounts:signIn': ({ provider, mode }) => d.signIn.start(provider, mode),
    'accounts:signInComplete': ({ flowId, code }) => d.signIn.complete(flowId, code),
    'accounts:signInStatus': ({ flowId }) => d.signIn.status(flowId),
    'accounts:signInCancel': ({ flowId }) => d.signIn.cancel(flowId),
    'monitor:getStats': () => d.monitor.stats(),
    'monitor:syncNow': () => d.monitor.syncNow(),
    'monitor:pause': () => d.monitor.pause(),
    'monitor:resume': () => d.monitor.resume(),
    'monitor:lastReport': () => d.monitor.report(),
    'monitor:syncAccount': ({ id }) => d.quota.syncAccount(id),
    'quota:list': (req) => {
      const ids = req?.accountId ? [d.store.require(req.accountId).id] : d.store.list().map((a) => a.id);
      const out = ids.flatMap((id) => d.engine.views(id));
      return req?.model ? out.filter((q) => q.model === req.model) : out;
    },
    'quota:getDecisions': (req) => {
      const now = d.clock.now();
      const rows: DecisionRow[] = [];
      for (const a of d.store.list()) {
        for (const model of d.engine.knownModels(a.id)) {
          if (req?.model && model !== req.model) continue;
          const dec = d.engine.decision(a.id, model, now);
          rows.push({
            accountId: a.id,
            provider: a.provider,
            label: a.label,
            tier: a.tier,
            model,
            decision: dec.kind,
            remainingFraction: dec.remainingFraction,
            resetAt: iso(dec.resetAt),
            reason: dec.reason,
            forecast: d.engine.forecast(a.id, model),
          });
        }
      }
      return rows;
    },
    'quota:check': ({ accountId, model }) => d.quota.checkQuota(accountId, model),
    'models:list': () => d.catalog.list(),
    'quota:listLocks': () => d.engine.listLocks(),
    'quota:probe': ({ accountId, model }) => d.quota.probe(accountId, model ?? null),
    'quota:report': ({ accountId, model, outcome, retryAfter, status }) => ({
      lockedUntil: iso(d.engine.reportFromClient(d.store.require(accountId), model, { outcome, status, retryAfterSec: retryAfter })),
    }),
    'quota:clearLock': ({ accountId, model }) => ({ cleared: d.engine.clearLock(d.store.require(accountId), model) }),
    'quota:history': (req) => quotaHistory(d.quotaRepo, d.store.require(req.accountId).id, req, d.clock.now()),
    'selector:select': ({ model }) => {
      const s = d.selector.select(model);
      return {
        accountId: s.account.id,
        provider: s.account.provider,
        label: s.account.label,
        tier: s.account.tier,
        model,
        decision: { kind: s.decision.kind, remainingFraction: s.decision.remainingFraction, resetAt: iso(s.decision.resetAt), reason: s.decision.reason },
      };
    },
    'proxy:getInfo': () => d.proxyInfo(),
    'proxy:regenerateKey': () => d.regenerateProxyKey(),
    'settings:get': () => d.settings.get(),
    'settings:update': (patch) => {
      const next = d.settings.update(patch);
      d.onSettingsChanged();
      return next;
    },
  };
}

export function toErrorPayload(err: unknown, log: Logger): ErrorPayload {
  if (err instanceof AppError) return { code: err.code, message: err.message, ...(err.details === undefined ? {} : { details: err.details }) };
  if (err instanceof ZodError) {
    const issues = err.issues.map((i) => ({ path: i.path.map(String).join('.') || '(request)', message: i.message }));
    return {
      code: 'bad_request',
      message: `Invalid request: ${issues.slice(0, 3).map((i) => `${i.path}: ${i.message}`).join('; ')}`,
      details: { issues },
    };
  }
  // Only the main log gets the full error; the caller gets a stable code.
  log.error('unhandled error in a contract method', err);
  return { code: 'internal', message: 'Internal error (see the QuotaDeck log)' };
}

export function createDispatcher(handlers: Handlers, log: Logger) {
  return async function call(method: string, raw: unknown): Promise<Envelope<unknown>> {
    if (!isMethodName(method)) return { ok: false, error: { code: 'unknown_method', message: `Unknown method "${method}"` } };
    try {
      const schema = requestSchemas[method];
      const req = schema.parse(raw === null ? undefined : raw);
      const handler = handlers[method] as (r: unknown) => unknown;
      return { ok: true, result: await handler(req) };
    } catch (err) {
      return { ok: false, error: toErrorPayload(err, log) };
    }
  };
}
