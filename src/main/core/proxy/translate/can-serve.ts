// Which client routes reach which account kinds. Same protocol: native, passed through as is.
// Otherwise the request is translated, which needs a translator for the client's protocol and
// one for the account's upstream protocol.
import type { ProviderId } from '../../../../shared/types';
import { FAMILY_PROVIDERS, type ApiFamily, type UpstreamOp } from '../proxy-routes';
import { clientImpl, clientProtocolOf } from './client-protocols';
import { upstreamImpl, upstreamOf } from './upstream-protocols';

const OP_FAMILY: Readonly<Record<UpstreamOp, ApiFamily>> = {
  'openai.chat': 'openai',
  'openai.responses': 'openai',
  'anthropic.messages': 'anthropic',
  'anthropic.count_tokens': 'anthropic',
  'gemini.generate': 'gemini',
  'gemini.stream': 'gemini',
};

/** The account kind speaks the client's own protocol: the zero-cost pass-through path (no allocation). */
export function isNative(op: UpstreamOp, provider: ProviderId): boolean {
  return FAMILY_PROVIDERS[OP_FAMILY[op]].has(provider);
}

/**
 * Whether a client protocol can be served by an account kind (natively or translated). `model`
 * is the model asked for, when known (every pair serves every model today).
 */
export function canServe(op: UpstreamOp, provider: ProviderId, _model: string | null = null): boolean {
  if (isNative(op, provider)) return true;
  return clientImpl(clientProtocolOf(op)) !== null && upstreamImpl(upstreamOf(provider)) !== null;
}
