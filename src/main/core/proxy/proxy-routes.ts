// The client APIs the proxy speaks, which providers serve each, and the model list it answers
// itself. OpenAI-compatible routes go to 'openai' and 'openrouter' accounts, Anthropic routes to
// 'anthropic' (API key) and 'claude' (OAuth) accounts, Gemini routes to Cloud Code accounts
// ('antigravity', 'gemini-cli').
import type { ProviderId } from '../../../shared/types';
import type { AccountRecord } from '../model';
import type { QuotaEngine } from '../quota/quota-engine';
import type { AccountStore } from '../accounts/account-store';
import type { SettingsStore } from '../settings-store';
import type { ProviderRegistry } from '../providers/provider-adapter';

export type ApiFamily = 'openai' | 'anthropic' | 'gemini';

export type UpstreamOp =
  | 'openai.chat'
  | 'openai.responses'
  | 'anthropic.messages'
  | 'anthropic.count_tokens'
  | 'gemini.generate'
  | 'gemini.stream';

export interface ProxyRoute {
  kind: 'upstream';
  family: ApiFamily;
  /** Also the ledger's route name. */
  op: UpstreamOp;
  /** The model named by the path (Gemini); otherwise it comes from the body. */
  pathModel: string | null;
  /** Gemini streaming: the client asked for SSE (`alt=sse`) rather than a JSON array. */
  clientSse: boolean;
}

export type MatchedRoute = ProxyRoute | { kind: 'models'; id: string | null };

export const FAMILY_PROVIDERS: Readonly<Record<ApiFamily, ReadonlySet<ProviderId>>> = {
  openai: new Set<ProviderId>(['openai', 'openrouter']),
  anthropic: new Set<ProviderId>(['anthropic', 'claude']),
  gemini: new Set<ProviderId>(['antigravity', 'gemini-cli']),
};

/** The selector's `accept` filter per family (allocated once). */
export const ACCEPT: Readonly<Record<ApiFamily, (a: AccountRecord) => boolean>> = {
  openai: (a) => FAMILY_PROVIDERS.openai.has(a.provider),
  anthropic: (a) => FAMILY_PROVIDERS.anthropic.has(a.provider),
  gemini: (a) => FAMILY_PROVIDERS.gemini.has(a.provider),
};

const GEMINI = /^\/(?:v1beta|v1alpha|v1)\/models\/([^/:]+):(generateContent|streamGenerateContent)$/;

function fixed(family: ApiFamily, op: UpstreamOp): ProxyRoute {
  return { kind: 'upstream', family, op, pathModel: null, clientSse: false };
}

const POST_ROUTES = new Map<string, ProxyRoute>([
  ['/v1/chat/completions', fixed('openai', 'openai.chat')],
  ['/v1/responses', fixed('openai', 'openai.responses')],
  ['/v1/messages', fixed('anthropic', 'anthropic.messages')],
  ['/v1/messages/count_tokens', fixed('anthropic', 'anthropic.count_tokens')],
]);

/** The route for a method and path (query already split off), or null. */
export function matchRoute(method: string, pathname: string, search: URLSearchParams | null): MatchedRoute | null {
  if (method === 'POST') {
    const r = POST_ROUTES.get(pathname);
    if (r) return r;
    const g = GEMINI.exec(pathname);
    if (g) {
      let model: string;
      try {
        model = decodeURIComponent(g[1]!);
      } catch {
        return null;
      }
      const stream = g[2] === 'streamGenerateContent';
      return { kind: 'upstream', family: 'gemini', op: stream ? 'gemini.stream' : 'gemini.generate', pathModel: model, clientSse: stream && search?.get('alt') === 'sse' };
    }
    return null;
  }
  if (method === 'GET') {
    if (pathname === '/v1/models') return { kind: 'models', id: null };
    if (pathname.startsWith('/v1/models/')) {
      try {
        return { kind: 'models', id: decodeURIComponent(pathname.slice('/v1/models/'.length)) };
      } catch {
        return null;
      }
    }
  }
  return null;
}

export interface ModelsDeps {
  store: AccountStore;
  engine: QuotaEngine;
  settings: SettingsStore;
  registry: ProviderRegistry;
}

/** Exact model ids the family's active accounts are known (readings) or declared to serve. */
export function routableModels(d: ModelsDeps, family: ApiFamily): Array<{ id: string; provider: ProviderId }> {
  const out = new Map<string, ProviderId>();
  const providerModels = d.settings.get().providerModels;
  for (const a of d.store.list()) {
    if (a.status !== 'active' || !FAMILY_PROVIDERS[family].has(a.provider)) continue;
    const declared = a.models ?? providerModels[a.provider] ?? d.registry.get(a.provider)?.defaultModels ?? [];
    for (const m of [...d.engine.knownModels(a.id), ...declared]) {
      if (!m.includes('*') && !out.has(m)) out.set(m, a.provider);
    }
  }
  return [...out.entries()].sort((x, y) => (x[0] < y[0] ? -1 : 1)).map(([id, provider]) => ({ id, provider }));
}

/** GET /v1/models in the OpenAI list shape, or Anthropic's when the client sent anthropic-version. */
export function modelsAnswer(d: ModelsDeps, anthropicClient: boolean, id: string | null): { status: number; body: unknown } {
  const models = routableModels(d, anthropicClient ? 'anthropic' : 'openai');
  const epoch = '1970-01-01T00:00:00Z';
  const shape = (m: { id: string; provider: ProviderId }) =>
    anthropicClient ? { type: 'model', id: m.id, display_name: m.id, created_at: epoch } : { id: m.id, object: 'model', created: 0, owned_by: m.provider };
  if (id !== null) {
    const m = models.find((x) => x.id === id);
    if (!m) return { status: 404, body: { type: 'error', error: { type: 'not_found_error', code: 'model_not_found', message: `The model "${id}" is not routable by this proxy` } } };
    return { status: 200, body: shape(m) };
  }
  const data = models.map(shape);
  return {
    status: 200,
    body: anthropicClient
      ? { data, has_more: false, first_id: models[0]?.id ?? null, last_id: models[models.length - 1]?.id ?? null }
      : { object: 'list', data },
  };
}
