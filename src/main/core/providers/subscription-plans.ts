// Subscription plans of Claude and ChatGPT (Codex) accounts, read from what their token, profile
// and usage answers carry (docs/PROVIDERS.md, "Plans"), mapped to QuotaDeck's tier priority
// (ultra > pro > free) and a label the window shows. Unknown values give null: the account keeps
// the tier it has rather than being demoted on a name this code has not met.
import type { Tier } from '../../../shared/types';

export interface Plan {
  tier: Tier;
  /** What the provider sells it as, e.g. "Claude Max 20×", "ChatGPT Plus". */
  label: string;
}

export interface ClaudePlanFacts {
  /** `subscriptionType` of ~/.claude/.credentials.json: "pro" | "max" | "team" | "enterprise" | "free". */
  subscriptionType?: string | null | undefined;
  /** `rateLimitTier` / profile `organization.rate_limit_tier`: "default_claude_ai", "default_claude_max_5x", "default_claude_max_20x", … */
  rateLimitTier?: string | null | undefined;
  /** Profile `organization.organization_type`: "claude_pro" | "claude_max" | "claude_team" | "claude_enterprise". */
  organizationType?: string | null | undefined;
  /** Profile `account.has_claude_max` / `has_claude_pro`. */
  hasClaudeMax?: boolean | null | undefined;
  hasClaudePro?: boolean | null | undefined;
}

const lower = (s: string | null | undefined): string => (typeof s === 'string' ? s.trim().toLowerCase() : '');

/** The Max multiplier a rate-limit tier names ("…max_20x" → 20), or null. */
function maxMultiplier(rateLimitTier: string): number | null {
  const m = /max_(\d+)x/.exec(rateLimitTier);
  return m ? Number(m[1]) : null;
}

function claudeKind(f: ClaudePlanFacts): 'free' | 'pro' | 'max' | 'team' | 'enterprise' | null {
  for (const raw of [lower(f.subscriptionType), lower(f.organizationType).replace(/^claude_/, '')]) {
    if (raw === 'max' || raw === 'pro' || raw === 'team' || raw === 'enterprise' || raw === 'free') return raw;
  }
  const tier = lower(f.rateLimitTier);
  if (tier.includes('claude_max')) return 'max';
  if (tier.includes('claude_team')) return 'team';
  if (tier.includes('claude_enterprise')) return 'enterprise';
  if (f.hasClaudeMax === true) return 'max';
  if (f.hasClaudePro === true) return 'pro';
  if (tier.includes('claude_pro') || tier === 'default_claude_ai') return 'pro';
  return null;
}

/**
 * Claude: Pro → pro; Max 5× and Max 20× → ultra (the label keeps the multiplier); Team and
 * Enterprise seats → pro; Free → free. A Team or Enterprise plan never takes a Max multiplier
 * from a disagreeing rate-limit tier.
 */
export function claudePlan(f: ClaudePlanFacts): Plan | null {
  const kind = claudeKind(f);
  switch (kind) {
    case 'max': {
      const x = maxMultiplier(lower(f.rateLimitTier));
      return { tier: 'ultra', label: x ? `Claude Max ${x}×` : 'Claude Max' };
    }
    case 'pro':
      return { tier: 'pro', label: 'Claude Pro' };
    case 'team':
      return { tier: 'pro', label: 'Claude Team' };
    case 'enterprise':
      return { tier: 'pro', label: 'Claude Enterprise' };
    case 'free':
      return { tier: 'free', label: 'Claude Free' };
    default:
      return null;
  }
}

const CODEX_PLANS: Record<string, Plan> = {
  free: { tier: 'free', label: 'ChatGPT Free' },
  go: { tier: 'free', label: 'ChatGPT Go' },
  plus: { tier: 'pro', label: 'ChatGPT Plus' },
  pro: { tier: 'ultra', label: 'ChatGPT Pro' },
  prolite: { tier: 'pro', label: 'ChatGPT Pro Lite' },
  team: { tier: 'pro', label: 'ChatGPT Team' },
  business: { tier: 'pro', label: 'ChatGPT Business' },
  enterprise: { tier: 'pro', label: 'ChatGPT Enterprise' },
  edu: { tier: 'pro', label: 'ChatGPT Edu' },
};

/**
 * Codex (ChatGPT): the usage answer's `plan_type` or the id_token claim
 * `https://api.openai.com/auth`.`chatgpt_plan_type`. Plus → pro, Pro → ultra, Team / Business /
 * Enterprise / Edu → pro, Free → free.
 */
export function codexPlan(planType: string | null | undefined): Plan | null {
  return CODEX_PLANS[lower(planType)] ?? null;
}
