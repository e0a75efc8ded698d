// One model's reading in an account row: bar with percent, decision badge, reset countdown, and
// the reading's age when it is stale (older than the cache TTL, kept after failed syncs).
import { memo } from 'react';
import type { QuotaView } from '../../../../shared/types';
import { DecisionBadge } from '../decision-badge';
import { QuotaBar } from '../quota-bar';
import { Age, Countdown } from '../time-text';
import { quotaName } from './quota-name';

export const QuotaLine = memo(function QuotaLine({ quota, accountLabel }: { quota: QuotaView; accountLabel: string }) {
  const name = quotaName(quota);
  const resetAt = quota.lock?.lockedUntil ?? quota.decision.resetAt ?? quota.resetAt;
  return (
    <li className={`quota-line${quota.stale ? ' is-stale' : ''}`}>
      <span className="model" title={quota.model}>
        {name}
      </span>
      <QuotaBar fraction={quota.remainingFraction} kind={quota.decision.kind} label={`${accountLabel} ${name} remaining`} />
      <DecisionBadge decision={quota.decision} />
      <span className="when small">
        <span className="reset">
          {resetAt ? (
            <>
              resets in <Countdown to={resetAt} />
            </>
          ) : (
            'no reset time'
          )}
        </span>
        {quota.stale && (
          <span className="stale" title="The last known value: recent syncs of this account failed">
            stale · <Age since={quota.fetchedAt} />
          </span>
        )}
      </span>
    </li>
  );
});
