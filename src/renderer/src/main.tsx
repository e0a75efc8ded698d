// Renderer entry: chooses the transport (IPC bridge or HTTP) and mounts the app.
// zod-jitless must stay the first import: it has to run before the contract module.
import '../../shared/zod-jitless';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { chooseClient } from './api/client';
import { App } from './app';
import './styles.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App initial={chooseClient()} />
  </StrictMode>,
);
