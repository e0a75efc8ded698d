// What a provider told us about an account (AccountView.details), in words and units: "5-hour
// window: 95% used", "Credits: $12.40 of $50.00 used", never "Five Hour Utilization 95".
// Known keys get a label and a unit; unknown ones are spelled out from their name.
import { formatCost, formatCount, formatDateTime } from '../../format';

export type DetailValue = string | number | boolean | null;

export interface Fact {
  key: string;
  label: string;
  text: string;
}

const pctUsed = (v: number) => `${Math.round(v * 10) / 10}% used`;
const usd = (v: number) => formatCost(v);
const yesNo = (v: DetailValue) => (v === true ? 'yes' : v === false ? 'no' : String(v));

const KNOWN: Record<string, { label: string; format?: (v: DetailValue) => string; hidden?: boolean }> = {
  subscriptionType: { label: 'Plan' },
  planType: { label: 'Plan' },
  rateLimitTier: { label: 'Rate-limit tier' },
  planCheckedAt: { label: 'Plan checked', format: (v) => formatDateTime(new Date(Number(v)).toISOString()) },
  fiveHourUtilization: { label: '5-hour window', format: (v) => pctUsed(Number(v)) },
  sevenDayUtilization: { label: 'Weekly window', format: (v) => pctUsed(Number(v)) },
  sevenDayOpusUtilization: { label: 'Opus weekly window', format: (v) => pctUsed(Number(v)) },
  sevenDaySonnetUtilization: { label: 'Sonnet weekly window', format: (v) => pctUsed(Number(v)) },
  extraUsageEnabled: { label: 'Extra usage', format: (v) => (v ? 'on' : 'off') },
  // Claude does not say the unit of these: shown as the credits it counts.
  extraUsageMonthlyLimit: { label: 'Extra usage limit', format: (v) => `${formatCount(Number(v))} credits a month` },
  extraUsageUsedCredits: { label: 'Extra usage spent', format: (v) => `${formatCount(Number(v))} credits` },
  extraUsageUtilization: { label: 'Extra usage', format: (v) => pctUsed(Number(v)) },
  primaryUsedPercent: { label: '5-hour window', format: (v) => pctUsed(Number(v)) },
  secondaryUsedPercent: { label: 'Weekly window', format: (v) => pctUsed(Number(v)) },
  limitReached: { label: 'Limit reached', format: yesNo },
  creditsHasCredits: { label: 'Has credits', format: yesNo },
  creditsUnlimited: { label: 'Unlimited credits', format: yesNo },
  creditsBalance: { label: 'Credit balance' },
  creditsCheckedAt: { label: 'Credits checked', format: (v) => formatDateTime(new Date(Number(v)).toISOString()) },
  apiHost: { label: 'API host' },
  label: { label: 'Key name' },
  usage: { label: 'Spent (all time)', format: (v) => usd(Number(v)) },
  usage_daily: { label: 'Spent today', format: (v) => usd(Number(v)) },
  usage_weekly: { label: 'Spent this week', format: (v) => usd(Number(v)) },
  usage_monthly: { label: 'Spent this month', format: (v) => usd(Number(v)) },
  is_free_tier: { label: 'Free tier', format: yesNo },
  limit: { label: 'Spending limit', format: (v) => usd(Number(v)) },
  limit_remaining: { label: 'Left of the limit', format: (v) => usd(Number(v)) },
  limit_reset: { label: 'Limit resets', format: (v) => String(v) },
  total_credits: { label: 'Credits bought', format: (v) => usd(Number(v)) },
  total_usage: { label: 'Credits used', format: (v) => usd(Number(v)) },
  unlimited: { label: 'No spending limit', format: yesNo },
  credits_exhausted: { label: 'Out of credits', format: yesNo },
  reason: { label: 'Why' },
  probed_model: { label: 'Probed with' },
  probe_status: { label: 'Probe answer', format: (v) => `HTTP ${v}` },
};

/** "requests_remaining" → "Requests remaining"; "fiveHourThing" → "Five hour thing". */
function words(key: string): string {
  const s = key
    .replace(/^credits\./, 'credits ')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/[_.-]+/g, ' ')
    .toLowerCase()
    .trim();
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function generic(key: string, v: string | number | boolean): string {
  if (typeof v === 'boolean') return yesNo(v);
  if (typeof v === 'number') {
    if (/At$/.test(key) && v > 1e12 && v < 1e14) return formatDateTime(new Date(v).toISOString());
    if (/(percent|utilization)$/i.test(key)) return pctUsed(v);
    if (/(cost|usd|credits?|balance)$/i.test(key)) return usd(v);
    return formatCount(v);
  }
  if (/_reset$/.test(key) && !Number.isNaN(Date.parse(v))) return formatDateTime(v);
  return v;
}

/** The facts worth showing, labelled, with units; empty values left out. */
export function providerFacts(details: Record<string, DetailValue>): Fact[] {
  const out: Fact[] = [];
  const seen = new Set<string>();
  for (const [key, value] of Object.entries(details)) {
    if (value === null || value === '') continue;
    const known = KNOWN[key];
    if (known?.hidden) continue;
    const label = known?.label ?? words(key);
    // Two keys can say the same thing (subscriptionType / planType): keep the first.
    const id = `${label}\u0000${String(value)}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push({ key, label, text: known?.format ? known.format(value) : generic(key, value) });
  }
  return out;
}
