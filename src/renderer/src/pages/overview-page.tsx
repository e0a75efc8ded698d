// Overview: the monitor's stats as cards and the last cycle's errors.
import { Overview } from '../components/overview';

export function OverviewPage() {
  return (
    <>
      <h2 className="page-title">Overview</h2>
      <Overview />
    </>
  );
}
