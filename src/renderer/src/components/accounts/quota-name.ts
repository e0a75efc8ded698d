// How a quota reading is named in the UI.
import type { QuotaView } from '../../../../shared/types';

/** Windows keyed by a glob ("*", "*opus*") bind several models: name them as windows. */
export function quotaName(q: Pick<QuotaView, 'model' | 'displayName' | 'window'>): string {
  if (!q.model.includes('*')) return q.displayName ?? q.model;
  const scope = q.model === '*' ? 'all models' : (q.displayName ?? q.model.replace(/\*/g, ' ').trim());
  return `${scope} · ${q.window ?? 'shared'} window`;
}
