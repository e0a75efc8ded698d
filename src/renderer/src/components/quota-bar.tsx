// Remaining quota as a bar (a meter to assistive tech), coloured by the decision.
import type { DecisionKind } from '../../../shared/types';
import { formatPercent } from '../format';

export function QuotaBar({ fraction, kind, label }: { fraction: number | null; kind: DecisionKind; label: string }) {
  const pct = fraction === null ? 0 : Math.max(0, Math.min(1, fraction)) * 100;
  const text = fraction === null ? 'unknown' : `${formatPercent(fraction)} remaining`;
  return (
    <div className="quota-bar-wrap">
      <div
        className={`quota-bar quota-bar-${kind}`}
        role="meter"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={fraction === null ? undefined : Math.round(pct)}
        aria-valuetext={text}
      >
        <div className="quota-bar-fill" style={{ width: `${pct}%` }} />
      </div>
      <span className="quota-pct">{formatPercent(fraction)}</span>
    </div>
  );
}
