// Settings: monitor, notifications, proxy, limits, data directory and log level.
import { ProxyPanel } from '../components/proxy-panel';

export function SettingsPage() {
  return (
    <>
      <h2 className="page-title">Settings</h2>
      <ProxyPanel />
    </>
  );
}
