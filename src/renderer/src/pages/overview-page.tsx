// Overview: Sync now and Pause/Resume, the monitor's stats as cards, the last cycle's errors
// and the quotas that need attention.
import { Overview } from '../components/overview';
import { MonitorButtons } from '../components/monitor-buttons';

export function OverviewPage() {
  return (
    <>
      <div className="page-head">
        <h2 className="page-title">Overview</h2>
        <div className="page-actions" role="group" aria-label="Monitor">
          <MonitorButtons pauseLabel="Pause syncing" resumeLabel="Resume syncing" />
        </div>
      </div>
      <Overview />
    </>
  );
}
