// Desktop transport: the preload's window.quotadeck bridge. IPC cannot drop, so the feed is
// always 'open'.
import type { QuotaDeckBridge } from '../../../shared/bridge';
import { asContractError, unwrap } from './envelope';
import type { LiveClient } from './live-client';

export function createIpcTransport(bridge: QuotaDeckBridge): LiveClient {
  return {
    kind: 'ipc',
    async invoke(method, request) {
      let env;
      try {
        env = await bridge.invoke(method, request);
      } catch (err) {
        throw asContractError(err, `IPC call ${method} failed`);
      }
      return unwrap(env);
    },
    on: (event, listener) => bridge.on(event, listener),
    onConnection(listener) {
      listener('open');
      return () => {};
    },
    close() {},
  };
}
