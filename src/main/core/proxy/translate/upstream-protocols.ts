// Per account kind: the upstream protocol it speaks, and per protocol how the IR is written as
// its request and how its answers, stream events and errors (with their reset hints) are read.
import type { IncomingHttpHeaders } from 'node:http';
import type { ProviderId } from '../../../../shared/types';
import { googleResetAt } from '../../providers/google-errors';
import { retryAtFromHeaders } from '../../providers/rate-limit-headers';
import { headerOf, toHeaders } from '../upstream-answer';
import { anthropicUpstream } from './anthropic-protocol';
import { cloudCodeUpstream } from './gemini-protocol';
import { openAiChatUpstream } from './openai-chat-protocol';
import { codexUpstream } from './responses-protocol';
import { isObj, numOrNull, type UpstreamProtocol, type UpstreamProtocolImpl } from './protocol';

export const PROVIDER_UPSTREAM: Readonly<Record<ProviderId, UpstreamProtocol>> = {
  antigravity: 'cloudcode',
  'gemini-cli': 'cloudcode',
  anthropic: 'anthropic',
  claude: 'anthropic',
  openai: 'openai-chat',
  openrouter: 'openai-chat',
  codex: 'codex',
};

const UPSTREAMS: Record<UpstreamProtocol, UpstreamProtocolImpl> = {
  cloudcode: cloudCodeUpstream,
  anthropic: anthropicUpstream,
  'openai-chat': openAiChatUpstream,
  codex: codexUpstream,
};

export function upstreamOf(provider: ProviderId): UpstreamProtocol {
  return PROVIDER_UPSTREAM[provider];
}

export function upstreamImpl(p: UpstreamProtocol): UpstreamProtocolImpl | null {
  return UPSTREAMS[p] ?? null;
}

/**
 * When a 429 (or quota error) says the account's quota comes back: Google's quotaResetDelay /
 * RetryInfo for Cloud Code, Codex's `resets_in_seconds` / `resets_at`, else the rate-limit and
 * Retry-After headers. Null when nothing says.
 */
export function upstreamResetAt(provider: ProviderId, json: unknown, headers: IncomingHttpHeaders, h: Headers | null, now: number): number | null {
  const p = PROVIDER_UPSTREAM[provider];
  if (p === 'cloudcode') return googleResetAt(json, headerOf(headers, 'retry-after'), now);
  if (p === 'codex') {
    const e = isObj(json) && isObj(json['error']) ? json['error'] : null;
    const inSec = e ? numOrNull(e['resets_in_seconds']) : null;
    if (inSec !== null) return now + inSec * 1000;
    const at = e ? numOrNull(e['resets_at']) : null;
    if (at !== null) return at * 1000;
  }
  return retryAtFromHeaders(h ?? toHeaders(headers), now);
}
