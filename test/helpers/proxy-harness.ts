// A real core (makeHarness) with the local proxy in front of fake upstreams on 127.0.0.1: the
// OpenAI/Anthropic fake (fake-llm-api), the Cloud Code fake (fake-google) and the Claude OAuth
// token endpoint (fake-claude), the Codex backend (fake-codex). Accounts are imported through the contract. The usage ports are
// small recording implementations kept here until the real UsageLedger is wired in.
import { EventEmitter } from 'node:events';
import { DEFAULT_PROVIDERS } from '../../src/main/core/app';
import { systemClock, type Clock } from '../../src/main/core/ports';
import type { ProviderRegistry } from '../../src/main/core/providers/provider-adapter';
import { loadOrCreateProxyKey } from '../../src/main/core/proxy/proxy-key';
import { startProxyServer, type ProxyDeps, type ProxyServer } from '../../src/main/core/proxy/proxy-server';
import type { AttemptEnd, AttemptStart, AttemptStatus, LimitDecision, UsageLedgerPort, UsageLimitsPort } from '../../src/main/core/usage/usage-ports';
import type { AccountView, ImportReport, Settings } from '../../src/shared/types';
import { startFakeClaude, type FakeClaude } from './fake-claude';
import { startFakeCodex, type FakeCodex } from './fake-codex';
import { startFakeGoogle, type FakeGoogle } from './fake-google';
import { startFakeLlmApi, type FakeLlmApi } from './fake-llm-api';
import { call, makeHarness, type Harness } from './harness';

export interface LedgerRow extends AttemptStart {
  id: number;
  status: AttemptStatus | 'pending';
  httpStatus: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  endedAt: number | null;
  error: string | null;
}

/**
 * UsageLedgerPort that keeps rows in memory (so tests can wait for one to settle) and forwards
 * every call to the real SQLite ledger when one is given.
 */
export class RecordingLedger implements UsageLedgerPort {
  readonly rows: LedgerRow[] = [];
  private readonly events = new EventEmitter();
  private readonly innerIds = new Map<number, number>();

  constructor(private readonly inner?: Pick<UsageLedgerPort, 'complete' | 'reject'> & { begin(a: AttemptStart): number }) {}

  begin(a: AttemptStart): number {
    const id = this.rows.length + 1;
    if (this.inner) this.innerIds.set(id, this.inner.begin(a));
    this.rows.push({ ...a, id, status: 'pending', httpStatus: null, inputTokens: null, outputTokens: null, endedAt: null, error: null });
    return id;
  }

  complete(id: number, e: AttemptEnd): void {
    const row = this.rows[id - 1];
    if (!row) throw new Error(`no ledger row ${id}`);
    if (row.status !== 'pending') throw new Error(`ledger row ${id} completed twice`);
    const innerId = this.innerIds.get(id);
    if (this.inner && innerId !== undefined) this.inner.complete(innerId, e);
    Object.assign(row, e);
    this.events.emit('settled', row);
  }

  reject(a: AttemptStart, e: Omit<AttemptEnd, 'status'>): void {
    this.inner?.reject(a, e);
    const row: LedgerRow = { ...a, ...e, id: this.rows.length + 1, status: 'rejected' };
    this.rows.push(row);
    this.events.emit('settled', row);
  }

  settled(): LedgerRow[] {
    return this.rows.filter((r) => r.status !== 'pending');
  }

  /** The first settled row (now or later) matching `pred`. */
  waitFor(pred: (r: LedgerRow) => boolean): Promise<LedgerRow> {
    const found = this.rows.find((r) => r.status !== 'pending' && pred(r));
    if (found) return Promise.resolve(found);
    return new Promise((resolve) => {
      const on = (r: LedgerRow) => {
        if (!pred(r)) return;
        this.events.off('settled', on);
        resolve(r);
      };
      this.events.on('settled', on);
    });
  }

  /** Rows of one client request, in attempt order. */
  request(requestId: string): LedgerRow[] {
    return this.rows.filter((r) => r.requestId === requestId).sort((a, b) => a.attempt - b.attempt);
  }
}

/** UsageLimitsPort answering what the test sets, counting the checks. */
export class ScriptedLimits implements UsageLimitsPort {
  global: LimitDecision = { ok: true };
  readonly accounts = new Map<string, LimitDecision>();
  globalChecks = 0;
  readonly accountChecks: string[] = [];

  checkGlobal(): LimitDecision {
    this.globalChecks++;
    return this.global;
  }

  checkAccount(accountId: string): LimitDecision {
    this.accountChecks.push(accountId);
    return this.accounts.get(accountId) ?? { ok: true };
  }
}

export interface ProxyHarness {
  h: Harness;
  llm: FakeLlmApi;
  google: FakeGoogle;
  claude: FakeClaude;
  codex: FakeCodex;
  proxy: ProxyServer;
  /** The proxy key (from DATA_DIR/proxy-key). */
  key: string;
  registry: ProviderRegistry;
  ledger: RecordingLedger;
  limits: ScriptedLimits;
  /** accounts:import through the contract; returns the imported views in document order. */
  importAccounts(entries: Array<Record<string, unknown>>): Promise<AccountView[]>;
  close(): Promise<void>;
}

export interface ProxyHarnessOptions {
  settings?: Partial<Settings>;
  proxy?: Partial<Omit<ProxyDeps, 'services' | 'registry' | 'ledger' | 'limits' | 'clock' | 'log'>>;
  /** Use the app's real limits (SQLite windows) instead of the scripted ones. */
  realLimits?: boolean;
  /** One clock for the core and the proxy (default: the system clock). */
  clock?: Clock;
}

export async function startProxyHarness(o: ProxyHarnessOptions = {}): Promise<ProxyHarness> {
  const [llm, google, claude, codex] = await Promise.all([startFakeLlmApi(), startFakeGoogle(), startFakeClaude(), startFakeCodex()]);
  const h = await makeHarness({
    clock: o.clock,
    overrides: {
      baseUrls: {
        openai: llm.openaiBaseUrl,
        openrouter: `${llm.baseUrl}/api`,
        anthropic: llm.anthropicBaseUrl,
        claude: llm.anthropicBaseUrl,
        antigravity: google.baseUrl,
        'gemini-cli': google.baseUrl,
        codex: codex.baseUrl,
      },
      oauthTokenUrls: { google: google.tokenUrl, claude: claude.tokenUrl, codex: codex.tokenUrl },
      googleClientId: 'test-client-id.apps.example',
      googleClientSecret: 'test-client-secret',
      syncTimeoutSec: 5,
      ...o.settings,
    },
  });
  const registry: ProviderRegistry = new Map(DEFAULT_PROVIDERS.map((p) => [p.id, p]));
  // Every attempt also lands in the app's real SQLite ledger.
  const ledger = new RecordingLedger(h.app.services.ledger);
  const limits = new ScriptedLimits();
  const key = loadOrCreateProxyKey(h.dir);
  const { store, engine, selector, quota, settings } = h.app.services;
  const proxy = await startProxyServer({
    services: { store, engine, selector, quota, settings },
    registry,
    catalog: h.app.services.catalog,
    ledger,
    limits: o.realLimits ? h.app.services.limits : limits,
    key,
    port: 0,
    clock: o.clock ?? systemClock,
    log: h.logger.scope('proxy'),
    ...o.proxy,
  });
  return {
    h,
    llm,
    google,
    claude,
    codex,
    proxy,
    key,
    registry,
    ledger,
    limits,
    async importAccounts(entries) {
      const report = await call<ImportReport>(h.app, 'accounts:import', { accounts: entries });
      return report.accounts;
    },
    async close() {
      await proxy.close();
      await h.close();
      await Promise.all([llm.close(), google.close(), claude.close(), codex.close()]);
    },
  };
}
