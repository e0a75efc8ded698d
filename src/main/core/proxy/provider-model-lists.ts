// The models an API key's own upstream lists, for the kinds that have such a list: OpenAI-
// compatible keys (`GET {base}/models`), Anthropic API keys (`GET {base}/v1/models`) and
// OpenRouter (`GET {base}/v1/models`, its whole catalog). Fetched after sync cycles, at most once
// per MODEL_LIST_TTL_MS per account, one pass at a time, in memory. A key's list replaces the
// provider's default patterns (an OpenAI key's "*") in what the account is declared to serve;
// the user's own `models` / `providerModels` still win. A failed fetch keeps the last list, or
// none (the default patterns apply), and is tried again on the next pass. An account whose last
// sync failed is left alone until it recovers (etiquette: no extra calls to a failing upstream).
import { z } from 'zod';
import type { ProviderId } from '../../../shared/types';
import type { AccountStore } from '../accounts/account-store';
import type { AccountRecord } from '../model';
import type { Clock, FetchFn, Logger } from '../ports';
import { httpRequest } from '../providers/http';
import { resolveBaseUrl, type ProviderRegistry } from '../providers/provider-adapter';
import type { SettingsStore } from '../settings-store';

export const MODEL_LIST_TTL_MS = 6 * 3_600_000;
const FAILED_RETRY_MS = 10 * 60_000;
const MAX_MODELS = 2000;
const TIMEOUT_MS = 15_000;

const listSchema = z.object({ data: z.array(z.object({ id: z.string().min(1).max(200) })).max(MAX_MODELS * 5) });

/** Where each listing kind's model list is and how it is asked for. */
const LISTERS: Partial<Record<ProviderId, (base: string, key: string) => { url: string; headers: Record<string, string> }>> = {
  openai: (base, key) => ({ url: `${base}/models`, headers: { authorization: `Bearer ${key}` } }),
  openrouter: (base, key) => ({ url: `${base}/v1/models`, headers: { authorization: `Bearer ${key}` } }),
  anthropic: (base, key) => ({ url: `${base}/v1/models?limit=1000`, headers: { 'x-api-key': key, 'anthropic-version': '2023-06-01' } }),
};

export interface ModelListDeps {
  store: AccountStore;
  registry: ProviderRegistry;
  settings: SettingsStore;
  fetch: FetchFn;
  clock: Clock;
  log: Logger;
  /** A list arrived or changed: what accounts serve may have changed (the selector re-indexes). */
  onChanged: () => void;
  /** Whether the account's last sync went well: a failing upstream is not asked for more. */
  healthy: (accountId: string) => boolean;
}

interface Listed {
  models: string[] | null;
  fetchedAt: number;
  ok: boolean;
}

export class ProviderModelLists {
  private readonly lists = new Map<string, Listed>();
  private pass: Promise<void> | null = null;

  constructor(private readonly d: ModelListDeps) {}

  /** The models this account's upstream listed, or null when it has no list (yet). */
  get(accountId: string): readonly string[] | null {
    return this.lists.get(accountId)?.models ?? null;
  }

  /** Whether an account's kind has a list to fetch. */
  static lists(provider: ProviderId): boolean {
    return LISTERS[provider] !== undefined;
  }

  /** Fetches every list that is due (a pass already running is joined, not doubled). */
  refreshDue(): Promise<void> {
    return (this.pass ??= this.runPass().finally(() => (this.pass = null)));
  }

  private async runPass(): Promise<void> {
    const now = this.d.clock.now();
    let changed = false;
    const live = new Set<string>();
    for (const a of this.d.store.list()) {
      live.add(a.id);
      if (a.status !== 'active' || !LISTERS[a.provider] || !this.d.healthy(a.id)) continue;
      const cur = this.lists.get(a.id);
      if (cur && now - cur.fetchedAt < (cur.ok ? MODEL_LIST_TTL_MS : FAILED_RETRY_MS)) continue;
      const models = await this.fetchOne(a);
      const next: Listed = { models: models ?? cur?.models ?? null, fetchedAt: this.d.clock.now(), ok: models !== null };
      if (models !== null && (cur?.models?.join('\n') ?? null) !== models.join('\n')) changed = true;
      this.lists.set(a.id, next);
    }
    for (const id of this.lists.keys()) {
      if (!live.has(id)) {
        this.lists.delete(id);
        changed = true;
      }
    }
    if (changed) this.d.onChanged();
  }

  private async fetchOne(account: AccountRecord): Promise<string[] | null> {
    const adapter = this.d.registry.get(account.provider);
    const lister = LISTERS[account.provider];
    if (!adapter || !lister) return null;
    let key: string | undefined;
    try {
      key = this.d.store.credentials(account.id).apiKey;
    } catch {
      return null;
    }
    if (!key) return null;
    const { url, headers } = lister(resolveBaseUrl(adapter, this.d.settings.get(), account), key);
    try {
      const r = await httpRequest(this.d.fetch, url, { method: 'GET', headers, signal: AbortSignal.timeout(TIMEOUT_MS) });
      if (r.status !== 200) {
        this.d.log.debug(`no model list for ${account.label}: HTTP ${r.status}`);
        return null;
      }
      const parsed = listSchema.safeParse(r.json);
      if (!parsed.success) {
        this.d.log.warn(`model list of ${account.label} not understood; keeping the provider's default models`);
        return null;
      }
      const ids = [...new Set(parsed.data.data.map((m) => m.id))].sort().slice(0, MAX_MODELS);
      return ids.length > 0 ? ids : null;
    } catch (err) {
      this.d.log.debug(`no model list for ${account.label}: ${err instanceof Error ? err.message : String(err)}`);
      return null;
    }
  }
}
