// The one retry loop of a proxied request. Global limits once; then per attempt: an account from
// the selector (the family's providers only, accounts already tried excluded), its own limits
// (over: skipped), fresh credentials, a pending ledger row, the upstream call. Before any byte
// has reached the client, a 429 or quota error (locked until its reset), a 401 (one refresh and
// one retry, then invalid), a 5xx or a dead connection (short cooldown) moves on to the next
// account; at most proxyMaxAttempts attempts and no new one after the retry budget (30 s).
// Once a byte is out nothing is retried. No retries happen anywhere else (no SDK, no fetch
// helper below this loop retries).
// Hot path: per-request state is one Attempts object (attempts.ts); listeners are bound methods,
// not closures. Committing a 2xx to the client and relaying a final failure: answer-commit.ts.
// Reading an upstream answer lives in upstream-answer.ts, the relayed headers in relay-headers.ts.
// Which model each attempt asks for (aliases, fallback chain) is model-plan.ts; which account a
// conversation prefers, sticky-sessions.ts; whether a model exists at all, model-catalog.ts.
// An account of the client's own protocol is tried first and passed through as is; one of
// another protocol is reached by translation (translate/: the request, answer, stream and
// errors converted by pure per-protocol functions, chosen here by one isNative() check).
import type { IncomingHttpHeaders } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { AccountStore } from '../accounts/account-store';
import { NoAccountAvailableError } from '../errors';
import type { AccountRecord, Credentials } from '../model';
import type { Clock, Logger } from '../ports';
import { resolveBaseUrl, type ProviderAdapter, type ProviderRegistry } from '../providers/provider-adapter';
import { ProviderError, toProviderError } from '../providers/provider-error';
import { readingsFromHeaders, retryAtFromHeaders } from '../providers/rate-limit-headers';
import { FAILURE_COOLDOWN_SEC, MAX_COOLDOWN_SEC, type QuotaEngine } from '../quota/quota-engine';
import type { QuotaService } from '../quota/quota-service';
import type { TokenSelector } from '../selector/token-selector';
import type { SettingsStore } from '../settings-store';
import type { AttemptEnd, AttemptStatus, LimitBreach, LimitDecision, UsageLedgerPort, UsageLimitsPort } from '../usage/usage-ports';
import { errorBody, limitBody, limitText, noAccountBody, retryAfterHeader, sendJson } from './proxy-answers';
import { acceptFor, type ModelCatalog } from './model-catalog';
import { modelNotFoundBody } from './models-endpoint';
import { ModelPlan } from './model-plan';
import { sessionKeyOf, StickySessions } from './sticky-sessions';
import type { RelayOutcome } from './stream-relay';
import { buildUpstream, MissingCredentialError, type UpstreamTarget } from './upstream-request';
import { isNative } from './translate/can-serve';
import { SignatureCache } from './translate/signature-cache';
import { BadClientRequest, MissingUpstreamCredential, Translation } from './translate/translated-attempt';
import { upstreamResetAt } from './translate/upstream-protocols';
import { hasRateLimitHeaders, ignore, isQuotaError, MAX_ERROR_BODY, parseJson, readAll, scrubRelayedBody, toHeaders, upstreamErrorText, urgent, type Failure } from './upstream-answer';
import { Attempts, type ClientCall } from './attempts';
import { commitAnswer, relayFailure, type RowSettler } from './answer-commit';
import { UpstreamNetworkError, type Cancellation, type UpstreamResponse, type UpstreamTransport } from './upstream-transport';

/** The core services a proxied request uses (credentials and account marks through the QuotaService). */
export interface ProxyServices {
  store: AccountStore;
  engine: QuotaEngine;
  selector: TokenSelector;
  quota: Pick<QuotaService, 'credentials' | 'markPermanent'>;
  settings: SettingsStore;
}

export interface DispatchDeps {
  services: ProxyServices;
  registry: ProviderRegistry;
  ledger: UsageLedgerPort;
  limits: UsageLimitsPort;
  clock: Clock;
  log: Logger;
  transport: UpstreamTransport;
  catalog: ModelCatalog;
  /** No new attempt starts this long after the request arrived. */
  retryBudgetMs: number;
}

/** Least time between two passive updates of one account and model (unless a window is empty). */
export const PASSIVE_MIN_INTERVAL_MS = 1000;

/** Cooldown after a 5xx or an unreachable upstream (when it gives no Retry-After). */
export { FAILURE_COOLDOWN_SEC };
export class Dispatcher implements RowSettler {
  /**
   * Decrypted credentials per account, valid while the store still holds the same record object
   * (every credential, status or settings write replaces it) and the adapter sees no need to
   * refresh.
   */
  private readonly credCache = new Map<string, { record: AccountRecord; creds: Credentials }>();
  /** When headers last taught the engine about an account+model (passive updates are throttled). */
  private readonly passiveAt = new Map<string, number>();
  private readonly sessions = new StickySessions();
  /** Thinking signatures handed to clients of translated answers (translate/signature-cache.ts). */
  private readonly signatures = new SignatureCache();

  constructor(private readonly d: DispatchDeps) {}

  // ---- ledger and limits (their failures never fail a request) ----------------------------

  /** The attempt's pending row, committed (its group commit awaited) before the upstream is called. */
  private async begin(a: Attempts, account: AccountRecord): Promise<number | null> {
    try {
      return await this.d.ledger.begin(a.start(a.attempt, account));
    } catch (err) {
      this.d.log.error('usage ledger begin failed', err);
      return null;
    }
  }

  complete(row: number | null, status: AttemptStatus, httpStatus: number | null, input: number | null, output: number | null, error: string | null, partial = false): void {
    if (row === null) return;
    const e: AttemptEnd = { status, httpStatus, inputTokens: input, outputTokens: output, endedAt: this.d.clock.now(), error, ...(partial ? { partial } : {}) };
    try {
      this.d.ledger.complete(row, e);
    } catch (err) {
      this.d.log.error('usage ledger complete failed', err);
    }
  }

  private reject(a: Attempts, text: string, httpStatus = 429): void {
    try {
      this.d.ledger.reject(a.start(0, null), { httpStatus, inputTokens: null, outputTokens: null, endedAt: this.d.clock.now(), error: text });
    } catch (err) {
      this.d.log.error('usage ledger reject failed', err);
    }
  }

  private checkGlobal(): LimitDecision {
    try {
      return this.d.limits.checkGlobal(this.d.clock.now());
    } catch (err) {
      this.d.log.error('usage limit check failed; allowing the request', err);
      return { ok: true };
    }
  }

  private checkAccount(accountId: string): LimitDecision {
    try {
      return this.d.limits.checkAccount(accountId, this.d.clock.now());
    } catch (err) {
      this.d.log.error('usage limit check failed; allowing the request', err);
      return { ok: true };
    }
  }

  // ---- credentials -------------------------------------------------------------------------

  /** The cached credentials when still good (no promise on the hot path), else undefined. */
  private cachedCredentials(account: AccountRecord, adapter: ProviderAdapter): Credentials | undefined {
    const hit = this.credCache.get(account.id);
    if (!hit) return undefined;
    if (hit.record !== this.d.services.store.get(account.id)) {
      this.credCache.delete(account.id);
      return undefined;
    }
    return adapter.needsRefresh(hit.creds, this.d.clock.now()) ? undefined : hit.creds;
  }

  private async credentials(account: AccountRecord, cancel: Cancellation, force: boolean): Promise<Credentials> {
    const { store, quota } = this.d.services;
    const current = store.get(account.id);
    if (!current) throw new ProviderError({ kind: 'permanent', code: 'removed', message: 'Account removed' });
    const creds = await quota.credentials(current, cancel.signal, force);
    const after = store.get(account.id);
    if (after) this.credCache.set(account.id, { record: after, creds });
    return creds;
  }

  // ---- what the engine learns ----------------------------------------------------------------

  /**
   * Rate-limit headers teach the engine between polls (and a 429's say until when). A busy key
   * sends them on every answer: they are applied at most once a second per account and model
   * (each application bumps the selector's index and emits quota:changed), except an exhausted
   * window or a 429, which always lands.
   */
  private passive(account: AccountRecord, model: string, headers: IncomingHttpHeaders, status: number): Headers | null {
    if (!hasRateLimitHeaders(headers)) return null;
    const now = this.d.clock.now();
    const key = `${account.id}\u0000${model}`;
    const lastAt = this.passiveAt.get(key);
    if (status !== 429 && lastAt !== undefined && now - lastAt < PASSIVE_MIN_INTERVAL_MS && !urgent(headers)) return null;
    if (this.passiveAt.size > 10_000) this.passiveAt.clear();
    this.passiveAt.set(key, now);
    const h = toHeaders(headers);
    const opts = { accountId: account.id, source: status === 429 ? ('429' as const) : ('headers' as const), status };
    const readings = readingsFromHeaders(h, now, { ...opts, model });
    // Anthropic's limits are the key's, whatever the model (as the probe reads them).
    if (account.provider === 'anthropic') readings.push(...readingsFromHeaders(h, now, { ...opts, model: '*' }));
    if (readings.length > 0) this.d.services.engine.applyReadings(account, readings, false);
    return h;
  }

  private cooldown(account: AccountRecord, model: string, headers: IncomingHttpHeaders | null): void {
    const now = this.d.clock.now();
    const ra = headers ? retryAtFromHeaders(toHeaders(headers), now) : null;
    const sec = ra !== null ? Math.min(MAX_COOLDOWN_SEC, Math.max(0, (ra - now) / 1000)) : FAILURE_COOLDOWN_SEC;
    this.d.services.engine.cooldown(account, model, sec);
  }

  private markInvalid(account: AccountRecord, reason: string): void {
    this.d.services.quota.markPermanent(account, new ProviderError({ kind: 'permanent', code: 'unauthorized', status: 401, message: reason, accountStatus: 'invalid_credentials' }));
  }

  /** A credential that could not be had (a permanent refusal has already marked the account): skip it. */
  private credentialFailure(account: AccountRecord, err: unknown, signal: AbortSignal): void {
    const e = toProviderError(err, signal);
    if (e.kind !== 'aborted' && !(e.kind === 'permanent' && e.accountStatus)) {
      this.d.log.warn(`no credential for ${account.label} (${e.kind}/${e.code}); trying the next account`);
    }
  }

  // ---- the loop ------------------------------------------------------------------------------

  async run(c: ClientCall): Promise<void> {
    const d = this.d;
    const { engine, settings } = d.services;
    const family = c.route.family;
    const s = settings.get();
    const a = new Attempts(c, d.clock, new ModelPlan(c.model, s), s.stickySessions ? sessionKeyOf(c.headers, c.json) : null);

    const global = this.checkGlobal();
    if (!global.ok) {
      this.reject(a, limitText(global.breach));
      return sendJson(c.res, 429, limitBody(family, global.breach), { ...a.stamp(null), ...retryAfterHeader(global.breach.resetAt, d.clock.now()) });
    }

    const maxAttempts = Math.max(1, s.proxyMaxAttempts);
    const accept = acceptFor(c.route.op);
    const exclude = new Set<string>();
    let refreshed: Set<string> | null = null;
    let breach: LimitBreach | null = null;
    let last: Failure | null = null;
    let again: { account: AccountRecord; creds: Credentials } | null = null;

    for (;;) {
      if (c.cancel.aborted) return;
      if (a.attempt >= maxAttempts || (a.attempt > 0 && performance.now() - c.t0 >= d.retryBudgetMs)) {
        // Out of attempts (or time): the client gets what the last upstream said.
        if (last) return relayFailure(c, last, a.stamp(a.lastAccount));
        return sendJson(c.res, 502, errorBody(family, 502, 'api_error', 'upstream_unreachable', 'No upstream could be reached'), a.stamp(a.lastAccount));
      }

      let account: AccountRecord;
      let creds: Credentials;
      let adapter: ProviderAdapter | undefined;
      if (again) {
        ({ account, creds } = again);
        again = null;
        adapter = d.registry.get(account.provider);
        if (!adapter) continue;
      } else {
        const picked = this.pick(a, exclude, accept);
        if (!picked) return this.noneLeft(a, breach);
        account = picked;
        exclude.add(account.id);
        adapter = d.registry.get(account.provider);
        if (!adapter) continue;
        const lim = this.checkAccount(account.id);
        if (!lim.ok) {
          if (!breach || lim.breach.resetAt < breach.resetAt) breach = lim.breach;
          continue;
        }
        const cached = this.cachedCredentials(account, adapter);
        if (cached) creds = cached;
        else {
          try {
            creds = await this.credentials(account, c.cancel, false);
          } catch (err) {
            if (c.cancel.aborted) return;
            this.credentialFailure(account, err, c.cancel.signal);
            continue;
          }
        }
      }

      let target: UpstreamTarget;
      try {
        const t = this.target(a, account, creds, adapter);
        if (t === null) return;
        target = t;
      } catch (err) {
        if (!(err instanceof MissingCredentialError) && !(err instanceof MissingUpstreamCredential)) throw err;
        this.markInvalid(account, err.message);
        continue;
      }

      a.attempt++;
      a.lastAccount = account;
      const row = await this.begin(a, account);
      if (c.cancel.aborted) return this.complete(row, 'failed', null, null, null, 'client disconnected');
      const sent = performance.now();
      let up: UpstreamResponse;
      try {
        up = await d.transport.send(target, c.cancel);
      } catch (err) {
        a.upstreamMs += performance.now() - sent;
        if (c.cancel.aborted) return this.complete(row, 'failed', null, null, null, 'client disconnected');
        const stale = err instanceof UpstreamNetworkError && err.staleSocket;
        const code = err instanceof UpstreamNetworkError ? (err.code ?? 'network error') : 'network error';
        this.complete(row, 'failed', null, null, null, `upstream unreachable (${code})`);
        if (stale) {
          // A pooled connection the upstream had closed: the same account, on a new connection.
          again = { account, creds };
        } else {
          d.log.warn(`upstream of ${account.label} unreachable (${code}); trying the next account`);
          this.cooldown(account, a.model, null);
        }
        continue;
      }
      up.body.on('error', ignore);

      if (up.status >= 200 && up.status < 300) {
        this.passive(account, a.model, up.headers, up.status);
        const outcome = await commitAnswer(this, a, account, up, target, row, sent);
        if (outcome === 'retry') {
          // Died before its first byte: nothing reached the client yet.
          this.complete(row, 'failed', up.status, null, null, 'upstream closed before answering');
          this.cooldown(account, a.model, null);
          continue;
        }
        engine.report(account, a.model, 'ok');
        if (a.session !== null) this.sessions.remember(a.session, a.model, account.id, d.clock.now());
        return;
      }

      // An error answer: read it (small), learn from it, then retry or relay it.
      const buf = await readAll(up.body, MAX_ERROR_BODY);
      a.upstreamMs += performance.now() - sent;
      if (buf === null) {
        if (c.cancel.aborted) return this.complete(row, 'failed', up.status, null, null, 'client disconnected');
        this.complete(row, 'failed', up.status, null, null, 'upstream closed mid-answer');
        this.cooldown(account, a.model, up.headers);
        continue;
      }
      const json = parseJson(buf);
      // What may be relayed to the client: the account's secrets and token shapes scrubbed out.
      const failure: Failure = { status: up.status, headers: up.headers, body: scrubRelayedBody(buf, up.headers, creds) };
      if (target.shape.kind === 'translated') failure.translated = target.shape.attempt;
      this.complete(row, 'failed', up.status, null, null, upstreamErrorText(up.status, json, creds));
      const h = this.passive(account, a.model, up.headers, up.status);

      if (up.status === 401) {
        if (adapter.auth === 'oauth' && !(refreshed ??= new Set()).has(account.id)) {
          refreshed.add(account.id);
          try {
            again = { account, creds: await this.credentials(account, c.cancel, true) };
          } catch (err) {
            if (c.cancel.aborted) return;
            this.credentialFailure(account, err, c.cancel.signal);
          }
        } else {
          this.markInvalid(account, 'the upstream refused the credential (401) while proxying');
        }
        last = failure;
        continue;
      }
      if (up.status === 429 || isQuotaError(up.status, buf.toString('utf8', 0, Math.min(buf.length, 8192)))) {
        const now = d.clock.now();
        const at = upstreamResetAt(account.provider, json, up.headers, h, now);
        const until = engine.report(account, a.model, '429', at === null ? undefined : Math.max(0, (at - now) / 1000));
        d.log.info(`${account.label} exhausted for ${a.model} (${up.status}) until ${until === null ? '?' : new Date(until).toISOString()}; trying the next account`);
        last = failure;
        continue;
      }
      if (up.status >= 500) {
        this.cooldown(account, a.model, up.headers);
        d.log.warn(`${account.label} answered ${up.status} for ${a.model}; trying the next account`);
        last = failure;
        continue;
      }
      // Anything else (400, 403, 404, …) is the client's to see: relayed as is, never retried.
      return relayFailure(c, failure, a.stamp(account));
    }
  }

  /**
   * The account for the next attempt: the session's own while it is a candidate, else the
   * selector's best for the current model; when the model has none left, the next model of the
   * fallback chain. Null when the chain is used up.
   */
  private pick(a: Attempts, exclude: Set<string>, accept: (x: AccountRecord) => boolean): AccountRecord | null {
    const { selector, settings } = this.d.services;
    const op = a.c.route.op;
    const catalog = this.d.catalog;
    for (;;) {
      const model = a.plan.model;
      const prefer = a.session === null ? null : this.sessions.preferred(a.session, model, this.d.clock.now(), settings.get().stickySessionTtlSec * 1000);
      // A session stays where it is whatever that account speaks; otherwise the client's own
      // protocol first (passed through), then the accounts reached by translation. A kind no
      // active account has is not asked (memoized per store version: no throw on the hot path).
      if (prefer !== null || catalog.hasNative(op)) {
        try {
          return selector.select(model, exclude, prefer === null ? accept : catalog.acceptAll(op), prefer).account;
        } catch (err) {
          if (!(err instanceof NoAccountAvailableError)) throw err;
          a.plan.noteReset(err.earliestResetAt);
        }
      }
      if (prefer === null && catalog.hasTranslated(op)) {
        try {
          return selector.select(model, exclude, catalog.acceptTranslated(op), null).account;
        } catch (err) {
          if (!(err instanceof NoAccountAvailableError)) throw err;
          a.plan.noteReset(err.earliestResetAt);
        }
      }
      if (!a.plan.advance()) return null;
      // The next model starts afresh: an account exhausted for one model may serve another.
      exclude.clear();
    }
  }

  /**
   * The attempt's upstream request: the client's own body for an account of its protocol,
   * else the translation's. Null when the proxy has answered the client itself (a body the
   * translation refuses: 400 in the client's shape; count_tokens estimated locally).
   */
  private target(a: Attempts, account: AccountRecord, creds: Credentials, adapter: ProviderAdapter): UpstreamTarget | null {
    const c = a.c;
    const baseUrl = resolveBaseUrl(adapter, this.d.services.settings.get(), account);
    if (isNative(c.route.op, account.provider)) {
      const asked = a.plan.request(c.json, c.body);
      return buildUpstream({ route: c.route, account, credentials: creds, baseUrl, clientHeaders: c.headers, search: c.search, body: asked.body, json: asked.json, model: a.model });
    }
    const t = (a.translation ??= new Translation(c.route, c.json, this.signatures));
    try {
      const p = t.plan(account, creds, baseUrl, a.model, c.headers);
      if (p.kind === 'upstream') return p.target;
      sendJson(c.res, p.status, p.body, a.stamp(account));
      return null;
    } catch (err) {
      if (!(err instanceof BadClientRequest)) throw err;
      this.reject(a, err.message.slice(0, 300), 400);
      sendJson(c.res, 400, t.badRequest(err), a.stamp(null));
      return null;
    }
  }

  private noneLeft(a: Attempts, breach: LimitBreach | null): void {
    const c = a.c;
    const now = this.d.clock.now();
    const headers = a.stamp(a.lastAccount);
    let earliest = a.plan.earliestReset;
    if (a.attempt === 0 && !breach && !this.d.catalog.servesAny(a.plan.chain, c.route.op)) {
      // No enabled account serves the model at all: waiting would not help.
      this.reject(a, 'model not found', 404);
      return sendJson(c.res, 404, modelNotFoundBody(c.route.family, c.model), headers);
    }
    if (a.attempt === 0 && breach) {
      this.reject(a, limitText(breach));
      return sendJson(c.res, 429, limitBody(c.route.family, { ...breach, scope: 'account' }), { ...headers, ...retryAfterHeader(breach.resetAt, now) });
    }
    if (breach && (earliest === null || breach.resetAt < earliest)) earliest = breach.resetAt;
    if (a.attempt === 0) this.reject(a, 'no account available');
    sendJson(c.res, 429, noAccountBody(c.route.family, c.model, earliest), { ...headers, ...retryAfterHeader(earliest, now) });
  }

  /** Settles a relayed attempt's ledger row (called by the relay before the client's response ends). */
  settleRow(row: number | null, status: number, o: RelayOutcome): void {
    // A stream cut midway (upstream or client) still consumed what it streamed: partial, costed.
    const partial = !o.completed && ((o.usage.input ?? 0) > 0 || (o.usage.output ?? 0) > 0);
    this.complete(row, o.completed ? 'completed' : 'failed', status, o.usage.input, o.usage.output, o.error, partial);
    if (!o.completed && !o.clientGone) this.d.log.warn(`proxied answer did not complete: ${o.error ?? 'unknown'}`);
  }
}
