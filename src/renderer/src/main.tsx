// Renderer entry: chooses the transport (IPC bridge or HTTP) and mounts the app.
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
