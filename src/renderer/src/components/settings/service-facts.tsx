// What this QuotaDeck is: where its data lives (copyable, for backups), version and mode.
import { useEffect, useState } from 'react';
import type { ServiceInfo } from '../../../../shared/types';
import { useClient } from '../client-context';
import { CopyButton } from './copy-button';

const MODE_LABEL: Record<ServiceInfo['mode'], string> = { electron: 'desktop app', headless: 'headless service' };

export function ServiceFacts() {
  const client = useClient();
  const [info, setInfo] = useState<ServiceInfo | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    client.invoke('app:info').then(
      (i) => live && setInfo(i),
      (e: unknown) => live && setError(e instanceof Error ? e.message : String(e)),
    );
    return () => {
      live = false;
    };
  }, [client]);

  if (error) return <p role="alert">Could not load the service facts: {error}</p>;
  if (!info) return <p className="muted" aria-busy="true">Loading…</p>;
  return (
    <dl className="facts">
      <dt>Data directory</dt>
      <dd>
        <code className="data-dir">{info.dataDir}</code> <CopyButton text={info.dataDir} label="Copy data directory" />
      </dd>
      <dt>Version</dt>
      <dd>{info.version}</dd>
      <dt>Mode</dt>
      <dd>{MODE_LABEL[info.mode]}</dd>
    </dl>
  );
}
