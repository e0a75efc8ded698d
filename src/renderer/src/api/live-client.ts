// What the UI holds: the contract client plus the live-connection state of its event feed
// (so stores can resync after a reconnect) and a way to release it.
import type { ContractClient } from '../../../shared/contract';

/** 'unauthorized': the service refused the control token; the UI asks for another. */
export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'unauthorized' | 'closed';

export interface LiveClient extends ContractClient {
  readonly kind: 'ipc' | 'http';
  /** Calls the listener now with the current state, then on every change. */
  onConnection(listener: (state: ConnectionState) => void): () => void;
  close(): void;
}
