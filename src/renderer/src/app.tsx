// Root: the connected dashboard, or the token form in web mode when no (valid) token is known.
import { useEffect, useState } from 'react';
import { createWebClient, type ClientChoice } from './api/client';
import { forgetControlToken, saveControlToken } from './api/control-token';
import type { LiveClient } from './api/live-client';
import { Dashboard } from './components/dashboard';
import { TokenForm } from './components/token-form';

export function App({ initial }: { initial: ClientChoice }) {
  const [client, setClient] = useState<LiveClient | null>(initial.kind === 'ready' ? initial.client : null);
  const [refused, setRefused] = useState(false);

  useEffect(() => {
    if (!client || client.kind !== 'http') return;
    return client.onConnection((state) => {
      if (state !== 'unauthorized') return;
      client.close();
      forgetControlToken(sessionStorage);
      setRefused(true);
      setClient(null);
    });
  }, [client]);

  if (!client) {
    return (
      <TokenForm
        refused={refused}
        onSubmit={(token) => {
          saveControlToken(sessionStorage, token);
          setRefused(false);
          setClient(createWebClient(token));
        }}
      />
    );
  }
  return <Dashboard client={client} />;
}
