// The one model catalog: which enabled account serves which model, from what each account
// reports (Antigravity's model list and Gemini CLI's buckets arrive as readings; a key's own
// `/models` list), the models each provider is known to serve, and the user's settings (an account's `models`, the
// `providerModels` per provider). GET /v1/models, the 404 `model_not_found` decision and the
// window's model suggestions all read it; it keeps no state of its own.
import type { CatalogModel, ProviderId } from '../../../shared/types';
import type { AccountStore } from '../accounts/account-store';
import type { AccountRecord } from '../model';
import { modelMatches, type ProviderRegistry } from '../providers/provider-adapter';
import type { QuotaEngine } from '../quota/quota-engine';
import type { SettingsStore } from '../settings-store';
import type { UpstreamOp } from './proxy-routes';
import { canServe, isNative } from './translate/can-serve';

/**
 * Model ids a provider is known to serve where the upstream lists none a subscription can read
 * (the Claude and Codex subscriptions). They are listed only where the account's declared
 * patterns (its own, the setting, the provider's default globs) match them.
 */
export const PROVIDER_KNOWN_MODELS: Readonly<Partial<Record<ProviderId, readonly string[]>>> = {
  claude: ['claude-opus-4-5', 'claude-sonnet-4-5', 'claude-haiku-4-5', 'claude-opus-4-1', 'claude-opus-4-0', 'claude-sonnet-4-0'],
  anthropic: ['claude-opus-4-5', 'claude-sonnet-4-5', 'claude-haiku-4-5', 'claude-opus-4-1', 'claude-opus-4-0', 'claude-sonnet-4-0'],
  codex: ['gpt-5', 'gpt-5-codex', 'gpt-5-codex-mini', 'gpt-5.1', 'gpt-5.1-codex', 'gpt-5.1-codex-mini', 'gpt-5.1-codex-max', 'gpt-5.2', 'gpt-5.2-codex'],
};

/**
 * Whether a client route can reach accounts of a provider: its own protocol (passed through),
 * or any other the translation layer speaks (translate/can-serve.ts).
 */
export function routeReaches(op: UpstreamOp, provider: ProviderId): boolean {
  return canServe(op, provider);
}

const nativeByOp = new Map<UpstreamOp, (a: AccountRecord) => boolean>();

/** The selector's `accept` filter for the accounts speaking a client route's own protocol (allocated once per route). */
export function acceptFor(op: UpstreamOp): (a: AccountRecord) => boolean {
  let f = nativeByOp.get(op);
  if (!f) nativeByOp.set(op, (f = (a: AccountRecord) => isNative(op, a.provider)));
  return f;
}

/** Declared as serving anything ("*", an OpenAI-compatible key before its list is known). */
const servesAnything = (declared: readonly string[]): boolean => declared.length === 1 && declared[0] === '*';

export interface CatalogDeps {
  store: AccountStore;
  engine: QuotaEngine;
  settings: SettingsStore;
  registry: ProviderRegistry;
  /** What each key's own upstream lists (provider-model-lists.ts), where it has a list. */
  lists?: { get(accountId: string): readonly string[] | null };
}

/**
 * The model patterns an account is declared to serve: its own `models`, else the provider's
 * setting, else what its upstream lists, else the provider's default patterns.
 */
export function declaredModels(d: Pick<CatalogDeps, 'settings' | 'registry' | 'lists'>, account: AccountRecord): readonly string[] {
  return account.models ?? d.settings.get().providerModels[account.provider] ?? d.lists?.get(account.id) ?? d.registry.get(account.provider)?.defaultModels ?? [];
}

interface Entry {
  kinds: Set<ProviderId>;
  accounts: number;
  displayName: string | null;
}

export class ModelCatalog {
  private readonly translatedByOp = new Map<UpstreamOp, (a: AccountRecord) => boolean>();
  private readonly reachByOp = new Map<UpstreamOp, (a: AccountRecord) => boolean>();

  /** Per route: whether any active account speaks its protocol / is reached by translation, per store version. */
  private readonly kindsMemo = new Map<UpstreamOp, { version: number; native: boolean; translated: boolean }>();

  constructor(private readonly d: CatalogDeps) {}

  private kinds(op: UpstreamOp): { native: boolean; translated: boolean } {
    const v = this.d.store.version();
    let m = this.kindsMemo.get(op);
    if (m && m.version === v) return m;
    m = { version: v, native: false, translated: false };
    for (const a of this.d.store.list()) {
      if (a.status !== 'active') continue;
      if (isNative(op, a.provider)) m.native = true;
      else if (canServe(op, a.provider)) m.translated = true;
    }
    this.kindsMemo.set(op, m);
    return m;
  }

  /** Some active account speaks the route's own protocol (memoized until an account changes). */
  hasNative(op: UpstreamOp): boolean {
    return this.kinds(op).native;
  }

  /** Some active account of another protocol could be reached by translation (memoized likewise). */
  hasTranslated(op: UpstreamOp): boolean {
    return this.kinds(op).translated;
  }

  /**
   * Whether a client route reaches this account, natively or translated. A translated route
   * needs the account to name its models: an account declared as serving "*" (a key whose
   * list is not known yet) would take any name, and a translated request for a model of
   * another family would only come back 404.
   */
  reaches(op: UpstreamOp, a: AccountRecord): boolean {
    if (isNative(op, a.provider)) return true;
    return canServe(op, a.provider) && !servesAnything(declaredModels(this.d, a));
  }

  /** The selector filter for the accounts reached only by translation (allocated once per route). */
  acceptTranslated(op: UpstreamOp): (a: AccountRecord) => boolean {
    let f = this.translatedByOp.get(op);
    if (!f) this.translatedByOp.set(op, (f = (a: AccountRecord) => !isNative(op, a.provider) && this.reaches(op, a)));
    return f;
  }

  /** The selector filter for every account a route reaches (allocated once per route). */
  acceptAll(op: UpstreamOp): (a: AccountRecord) => boolean {
    let f = this.reachByOp.get(op);
    if (!f) this.reachByOp.set(op, (f = (a: AccountRecord) => this.reaches(op, a)));
    return f;
  }

  /** Exact model ids one account serves: from its readings, its declared ids, and known ids its patterns match. */
  modelsOf(account: AccountRecord): string[] {
    const out = new Set<string>();
    for (const m of this.d.engine.knownModels(account.id)) if (!m.includes('*')) out.add(m);
    const declared = declaredModels(this.d, account);
    for (const p of declared) if (!p.includes('*')) out.add(p);
    for (const m of PROVIDER_KNOWN_MODELS[account.provider] ?? []) {
      if (!out.has(m) && declared.some((p) => modelMatches(p, m))) out.add(m);
    }
    for (const m of out) if (this.d.store.modelPref(account.id, m)?.excluded) out.delete(m);
    return [...out];
  }

  /**
   * Every model an enabled account serves now, once, with the kinds of account serving it; the
   * aliases whose target is listed come too (marked `aliasOf`). `op` narrows to the accounts a
   * client route reaches.
   */
  list(op: UpstreamOp | null = null): CatalogModel[] {
    const byId = new Map<string, Entry>();
    for (const a of this.d.store.list()) {
      if (a.status !== 'active' || (op !== null && !this.reaches(op, a))) continue;
      for (const m of this.modelsOf(a)) {
        let e = byId.get(m);
        if (!e) byId.set(m, (e = { kinds: new Set(), accounts: 0, displayName: null }));
        e.kinds.add(a.provider);
        e.accounts++;
        e.displayName ??= this.d.engine.reading(a.id, m)?.displayName ?? null;
      }
    }
    const out: CatalogModel[] = [];
    for (const [id, e] of byId) out.push({ id, displayName: e.displayName, kinds: [...e.kinds].sort(), accounts: e.accounts, aliasOf: null });
    const aliases = this.d.settings.get().modelAliases;
    for (const from of Object.keys(aliases)) {
      if (byId.has(from)) continue;
      const target = byId.get(aliases[from]!);
      if (target) out.push({ id: from, displayName: null, kinds: [...target.kinds].sort(), accounts: target.accounts, aliasOf: aliases[from]! });
    }
    return out.sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  }

  /**
   * Whether any enabled account a client route reaches serves one of these models (whatever
   * its quota): false means "model not found", true means its accounts are just busy.
   */
  servesAny(models: readonly string[], op: UpstreamOp): boolean {
    const { store, engine } = this.d;
    for (const a of store.list()) {
      if (a.status !== 'active' || !this.reaches(op, a)) continue;
      for (const m of models) if (engine.serves(a, m) && !store.modelPref(a.id, m)?.excluded) return true;
    }
    return false;
  }
}
