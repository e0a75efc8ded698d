// The LiveClient for components that call the contract (header actions).
import { createContext, useContext } from 'react';
import type { LiveClient } from '../api/live-client';

export const ClientContext = createContext<LiveClient | null>(null);

export function useClient(): LiveClient {
  const client = useContext(ClientContext);
  if (!client) throw new Error('useClient outside <ClientContext.Provider>');
  return client;
}
