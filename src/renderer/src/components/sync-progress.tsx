// "Syncing 412 / 1,000" in the header while a cycle runs (`monitor:syncProgress`), with a bar,
// how many failed so far and the account being polled; nothing when no cycle runs.
import { useStatsStore } from '../stores/stats-store';

const count = new Intl.NumberFormat();

export function SyncProgress() {
  const syncing = useStatsStore((s) => s.stats?.syncing ?? false);
  const progress = useStatsStore((s) => s.progress);
  if (!syncing && !(progress && progress.done < progress.total)) return null;
  if (!progress) {
    return (
      <span className="sync-progress" role="status">
        Syncing…
      </span>
    );
  }
  const { done, total, failed, current } = progress;
  const text = `Syncing ${count.format(done)} / ${count.format(total)}`;
  return (
    <span className="sync-progress" role="status" aria-label={`${text}${failed > 0 ? `, ${count.format(failed)} failed` : ''}`}>
      <span className="sync-progress-text">{text}</span>
      <span className="sync-progress-bar" role="progressbar" aria-label="Sync progress" aria-valuemin={0} aria-valuemax={total} aria-valuenow={done}>
        <span style={{ width: `${total > 0 ? (done / total) * 100 : 0}%` }} />
      </span>
      {failed > 0 && <span className="sync-progress-failed">{count.format(failed)} failed</span>}
      {current && (
        <span className="sync-progress-current muted small" title={current}>
          {current}
        </span>
      )}
    </span>
  );
}
