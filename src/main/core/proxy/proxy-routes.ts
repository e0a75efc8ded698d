// The client APIs the proxy speaks and which providers speak each natively: OpenAI-compatible
// routes 'openai' and 'openrouter' accounts, Anthropic routes 'anthropic' (API key) and 'claude'
// (OAuth) accounts, Gemini routes Cloud Code accounts ('antigravity', 'gemini-cli'). Every other
// pair is reached by translation (translate/can-serve.ts). The model list the proxy answers itself
// is models-endpoint.ts.
import type { ProviderId } from '../../../shared/types';
import type { AccountRecord } from '../model';

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
