// Overview: the monitor's stats as cards (live during a sync), what the last cycle did and
// did not poll, and the quotas that need attention. Sync now and Pause live in the header.
import { Overview } from '../components/overview';

export function OverviewPage() {
  return (
    <>
      <div className="page-head">
        <h2 className="page-title">Overview</h2>
      </div>
      <Overview />
    </>
  );
}
