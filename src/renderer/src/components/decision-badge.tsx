// The selector's verdict for one account and model, as a coloured word.
import type { DecisionView } from '../../../shared/types';

// A cooldown (5xx, unreachable) is not a quota verdict: it reads as such, not as "exhausted".
const LABEL = { proceed: 'proceed', low: 'low', exhausted: 'exhausted', unknown: 'unknown', cooldown: 'cooldown' } as const;

export function DecisionBadge({ decision }: { decision: DecisionView }) {
  const why = decision.reason ? ` (${decision.reason})` : '';
  return (
    <span className={`badge badge-${decision.kind}`} title={`Decision: ${decision.kind}${why}`}>
      {LABEL[decision.kind]}
      {decision.reason && <span className="badge-reason"> · {decision.reason}</span>}
    </span>
  );
}
