// The connected app: feeds the stores from the client and lays out header, sidebar and page.
import { lazy, Suspense, useEffect, useState } from 'react';
import type { ConnectionState, LiveClient } from '../api/live-client';
import { AccountsPage } from '../pages/accounts-page';
import { OverviewPage } from '../pages/overview-page';
import { startClock } from '../stores/clock-store';
import { connectStores } from '../stores/connect-stores';
import { followLocation, useRouteStore, type Route } from '../stores/route-store';
import { ClientContext } from './client-context';
import { Header } from './header';
import { Nav } from './nav';
import { Toasts, useToastFeed } from './toasts';

// The shell, Overview and Accounts are in the entry chunk (a cold window on either paints without
// another request); the other pages and the charts they draw are chunks of their own, fetched on
// first visit, so a cold load parses and runs only what its first page needs.
const AccountPage = lazy(() => import('../pages/account-page').then((m) => ({ default: m.AccountPage })));
const UsagePage = lazy(() => import('../pages/usage-page').then((m) => ({ default: m.UsagePage })));
const SettingsPage = lazy(() => import('../pages/settings-page').then((m) => ({ default: m.SettingsPage })));

export function Dashboard({ client }: { client: LiveClient }) {
  const [connection, setConnection] = useState<ConnectionState>('connecting');
  const [loadError, setLoadError] = useState<string | null>(null);
  const route = useRouteStore((s) => s.route);

  useEffect(() => startClock(), []);
  useEffect(() => followLocation(), []);
  useToastFeed(client);
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
      <div className="layout">
        {/* Alerts stack under the page links, in the corner beside the page: never over a list. */}
        <div className="side-col">
          <Nav />
          <Toasts />
        </div>
        <main className="content" id="main">
          {loadError && (
            <div className="banner banner-error" role="alert">
              Could not load data from QuotaDeck: {loadError}
            </div>
          )}
          <Suspense fallback={<p className="muted">Loading…</p>}>
            <Page route={route} />
          </Suspense>
        </main>
      </div>
    </ClientContext.Provider>
  );
}

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'overview':
      return <OverviewPage />;
    case 'accounts':
      return <AccountsPage />;
    case 'account':
      return <AccountPage key={route.id} id={route.id} />;
    case 'usage':
      return <UsagePage />;
    case 'settings':
      return <SettingsPage />;
  }
}
