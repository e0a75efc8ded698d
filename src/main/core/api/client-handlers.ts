// The contract's client-setup methods (clients:list|preview|configure|restore) over ClientSetup.
// createHandlers spreads these into its table.
import type { ClientSetup } from '../clients/client-setup';
import type { Handlers } from './contract-handlers';

export const CLIENT_METHODS = ['clients:list', 'clients:preview', 'clients:configure', 'clients:restore'] as const;
export type ClientMethodName = (typeof CLIENT_METHODS)[number];

export function createClientHandlers(clients: ClientSetup): Pick<Handlers, ClientMethodName> {
  return {
    'clients:list': () => clients.list(),
    'clients:preview': ({ id, action }) => clients.preview(id, action),
    'clients:configure': ({ id }) => clients.configure(id),
    'clients:restore': ({ id }) => clients.restore(id),
  };
}
