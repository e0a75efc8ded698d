// Renderer entry: chooses the transport (IPC bridge or HTTP) and mounts the app.
// Nothing here loads zod or the contract's schemas: the modules that validate with them (the
// settings editors, in lazily loaded page chunks) import shared/zod-jitless before the contract.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { chooseClient } from './api/client';
import { App } from './app';
import { applyPrefetchedIfReady, prefetchInitialLoad } from './stores/connect-stores';
import './styles.css';

const initial = chooseClient();
// The first load's requests go out now, not after the first render (a cold window waits for them);
// an account list already in hand is in its store before the first render (rows at once).
if (initial.kind === 'ready') prefetchInitialLoad(initial.client);

void (initial.kind === 'ready' ? applyPrefetchedIfReady(initial.client) : Promise.resolve()).then(() =>
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <App initial={initial} />
    </StrictMode>,
  ),
);
