// Settings: monitor, notifications, proxy, limits, data directory and log level.
import { ClientSetupSection } from '../components/settings/client-setup-section';
import { SettingsForm } from '../components/settings/settings-form';
import { useSettingsFeed, useSettingsStore } from '../stores/settings-store';

export function SettingsPage() {
  useSettingsFeed();
  const settings = useSettingsStore((s) => s.settings);
  const loadError = useSettingsStore((s) => s.loadError);
  return (
    <>
      <h2 className="page-title">Settings</h2>
      {loadError && (
        <div className="banner banner-error" role="alert">
          Could not load the settings: {loadError}
        </div>
      )}
      {settings ? (
        <SettingsForm settings={settings} />
      ) : (
        !loadError && (
          <p className="muted" aria-busy="true">
            Loading settings…
          </p>
        )
      )}
      {settings && <ClientSetupSection />}
    </>
  );
}
