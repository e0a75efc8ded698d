// What the Add account form asks for, per provider: OAuth accounts are added with a refresh
// token, API-key services with their key (the same rule the importer applies in main).
import type { ProviderId } from '../../../../shared/types';

export const PROVIDER_NAMES: Record<ProviderId, string> = {
  antigravity: 'Antigravity (Google OAuth)',
  'gemini-cli': 'Gemini CLI (Google OAuth)',
  claude: 'Claude (Claude Code OAuth)',
  codex: 'Codex (ChatGPT OAuth)',
  openrouter: 'OpenRouter (API key)',
  openai: 'OpenAI (API key)',
  anthropic: 'Anthropic (API key)',
};

const OAUTH: ReadonlySet<ProviderId> = new Set(['antigravity', 'gemini-cli', 'claude', 'codex']);
const GOOGLE: ReadonlySet<ProviderId> = new Set(['antigravity', 'gemini-cli']);

export type SecretField = 'refreshToken' | 'apiKey';

export function secretFieldOf(provider: ProviderId): SecretField {
  return OAUTH.has(provider) ? 'refreshToken' : 'apiKey';
}

export function hasProjectId(provider: ProviderId): boolean {
  return GOOGLE.has(provider);
}

/** The provider's short name, as a row's chip says it. */
export const PROVIDER_SHORT: Record<ProviderId, string> = {
  antigravity: 'Antigravity',
  'gemini-cli': 'Gemini CLI',
  claude: 'Claude',
  codex: 'Codex',
  openrouter: 'OpenRouter',
  openai: 'OpenAI',
  anthropic: 'Anthropic',
};

export function isOAuth(provider: ProviderId): boolean {
  return OAUTH.has(provider);
}

/** API keys with no quota endpoint: read only from response headers, or by a probe. */
export function isProbeOnly(provider: ProviderId): boolean {
  return provider === 'openai' || provider === 'anthropic';
}
