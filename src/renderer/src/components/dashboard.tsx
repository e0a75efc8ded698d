// The connected app: feeds the stores from the client and lays out header, overview, table, proxy.
import { useEffect, useState } from 'react';
import type { ConnectionState, LiveClient } from '../api/live-client';
import { startClock } from '../stores/clock-store';
import { connectStores } from '../stores/connect-stores';
import { AccountsTable } from './accounts-table';
import { ClientContext } from './client-context';
import { Header } from './header';
import { Overview } from './overview';
import { ProxyPanel } from './proxy-panel';

export function Dashboard({ client }: { client: LiveClient }) {
  const [connection, setConnection] = useState<ConnectionState>('connecting');
  const [loadError, setLoadError] = useState<string | null>(null);

  useEffect(() => startClock(), []);
  useEffect(() => {
    const offFeed = client.onConnection(setConnection);
    const offStores = connectStores(client, (err) => setLoadError(err instanceof Error ? err.message : String(err)));
    return () => {
      offStores();
      offFeed();
    };
  }, [client]);

  return (
    <ClientContext.Provider value={client}>
      <Header connection={connection} />
      <main className="content">
        {loadError && (
          <div className="banner banner-error" role="alert">
            Could not load data from QuotaDeck: {loadError}
          </div>
        )}
        <Overview />
        <AccountsTable />
        <ProxyPanel />
      </main>
    </ClientContext.Provider>
  );
}
