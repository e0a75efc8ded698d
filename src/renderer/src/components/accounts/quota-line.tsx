// One quota window in an account row: its name for people, bar with percent, decision badge,
// when it resets (or that the reset passed and the next poll will tell), its age when stale, and
// the forecast when the service has one. Reflows to two lines in a narrow cell; never clipped.
import { memo } from 'react';
import type { QuotaView } from '../../../../shared/types';
import { DecisionBadge } from '../decision-badge';
import { QuotaBar } from '../quota-bar';
import { Age } from '../time-text';
import { ForecastText } from './forecast-text';
import type { WindowLine } from './quota-name';
import { ResetText } from './reset-text';

export const QuotaLine = memo(function QuotaLine({ quota, line, accountLabel }: { quota: QuotaView; line: WindowLine; accountLabel: string }) {
  const lockedUntil = line.binding ? (quota.lock?.lockedUntil ?? null) : null;
  const resetAt = lockedUntil ?? (line.binding ? (quota.decision.resetAt ?? line.resetAt) : line.resetAt);
  return (
    <li className={`quota-line${quota.stale ? ' is-stale' : ''}`} data-window={line.name}>
      <span className="model" title={quota.model.includes('*') ? line.name : `${line.name} (${quota.model})`}>
        {line.name}
      </span>
      <QuotaBar fraction={line.remainingFraction} kind={line.kind} label={`${accountLabel} ${line.name} remaining`} />
      {line.binding ? <DecisionBadge decision={quota.decision} /> : <span className="badge-none" aria-hidden="true" />}
      <span className="when small">
        <ResetText at={resetAt} locked={lockedUntil !== null} />
        {line.binding && <ForecastText quota={quota} />}
        {quota.stale && (
          <span className="stale" title="The last known value: recent syncs of this account failed">
            stale · <Age since={quota.fetchedAt} />
          </span>
        )}
      </span>
    </li>
  );
});
