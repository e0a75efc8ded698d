// The contract's usage, limits and pricing methods over the usage services (ledger rollups,
// limits, analytics, pricing). createHandlers spreads these into its table.
import type { LimitsView } from '../../../shared/types';
import type { AccountStore } from '../accounts/account-store';
import { AppError } from '../errors';
import type { Clock } from '../ports';
import type { Pricing } from '../usage/pricing';
import type { UsageAnalytics } from '../usage/usage-analytics';
import { GLOBAL_LABEL } from '../usage/usage-analytics';
import { GLOBAL_SCOPE, type LimitSet, type UsageLimits } from '../usage/usage-limits';
import type { Handlers } from './contract-handlers';

export interface UsageHandlerDeps {
  store: AccountStore;
  limits: UsageLimits;
  analytics: UsageAnalytics;
  pricing: Pricing;
  clock: Clock;
}

export const USAGE_METHODS = [
  'usage:summary',
  'usage:daily',
  'usage:topAccounts',
  'usage:nearLimits',
  'usage:log',
  'limits:get',
  'limits:set',
  'pricing:list',
  'pricing:set',
  'pricing:remove',
] as const;
export type UsageMethodName = (typeof USAGE_METHODS)[number];

const DEFAULT_NEAR_THRESHOLD = 0.8;
const DEFAULT_LOG_LIMIT = 50;
const DEFAULT_TOP_ACCOUNTS = 10;

/** Wire times are ISO strings (or a bare date, 00:00 UTC); the schema has already checked them. */
function toMs(t: string): number {
  const ms = Date.parse(t);
  if (Number.isNaN(ms)) throw new AppError('bad_request', `Invalid time "${t}"`);
  return ms;
}

export function createUsageHandlers(d: UsageHandlerDeps): Pick<Handlers, UsageMethodName> {
  /** 'global' or an existing account (an unknown id is not_found, never a silent new scope). */
  const requireScope = (scope: string): { scope: string; label: string } =>
    scope === GLOBAL_SCOPE ? { scope, label: GLOBAL_LABEL } : { scope, label: d.store.require(scope).label };

  const limitsView = (scope: string, label: string, limits: LimitSet): LimitsView => ({
    scope,
    label,
    ...limits,
    usage: d.limits.measure(scope, limits, d.clock.now()).map((u) => d.analytics.limitView(u)),
  });

  return {
    'usage:summary': ({ from, to, groupBy }) => d.analytics.summary(toMs(from), toMs(to), groupBy),
    'usage:daily': ({ from, to, accountId, model }) => d.analytics.daily(toMs(from), toMs(to), { accountId, model }),
    'usage:topAccounts': (req) =>
      d.analytics.topAccounts(req?.weekOf === undefined ? d.clock.now() : toMs(req.weekOf), req?.limit ?? DEFAULT_TOP_ACCOUNTS),
    'usage:nearLimits': (req) => d.analytics.nearLimits(d.clock.now(), req?.threshold ?? DEFAULT_NEAR_THRESHOLD, req?.sort ?? 'percent'),
    'usage:log': (req) =>
      d.analytics.log({
        ...(req?.accountId === undefined ? {} : { accountId: req.accountId }),
        ...(req?.model === undefined ? {} : { model: req.model }),
        ...(req?.status === undefined ? {} : { status: req.status }),
        ...(req?.from === undefined ? {} : { from: toMs(req.from) }),
        ...(req?.to === undefined ? {} : { to: toMs(req.to) }),
        ...(req?.cursor === undefined ? {} : { cursor: req.cursor }),
        limit: req?.limit ?? DEFAULT_LOG_LIMIT,
      }),
    'limits:get': (req) => {
      if (req?.scope !== undefined) {
        const s = requireScope(req.scope);
        return [limitsView(s.scope, s.label, d.limits.get(s.scope))];
      }
      return d.limits
        .list()
        .filter((l) => l.scope === GLOBAL_SCOPE || d.store.get(l.scope))
        .map((l) => limitsView(l.scope, l.scope === GLOBAL_SCOPE ? GLOBAL_LABEL : d.store.get(l.scope)!.label, l.limits));
    },
    'limits:set': ({ scope, ...patch }) => {
      const s = requireScope(scope);
      return limitsView(s.scope, s.label, d.limits.set(s.scope, patch, d.clock.now()));
    },
    'pricing:list': () => d.pricing.list(),
    'pricing:set': ({ pattern, inputPerMTok, outputPerMTok }) => d.pricing.set(pattern, inputPerMTok, outputPerMTok),
    'pricing:remove': ({ pattern }) => d.pricing.remove(pattern),
  };
}
