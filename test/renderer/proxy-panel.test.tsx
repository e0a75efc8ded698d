import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ClientContext } from '../../src/renderer/src/components/client-context';
import { ProxyPanel } from '../../src/renderer/src/components/proxy-panel';
import type { ProxyInfo } from '../../src/shared/types';
import { fakeClient } from './fake-client';

const KEY1 = 'sk-qd-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA1111';
const KEY2 = 'sk-qd-BBBBBBBBBBBBBBBBBBBBBBBBBBBBBB2222';

describe('ProxyPanel', () => {
  it('shows the address and a masked key, reveals it on request, and regenerates only after confirming', async () => {
    let info: ProxyInfo = { enabled: true, running: true, url: 'http://127.0.0.1:4821', port: 4821, error: null, key: KEY1 };
    const client = fakeClient({
      'proxy:getInfo': () => info,
      'proxy:regenerateKey': () => (info = { ...info, key: KEY2 }),
    });
    render(
      <ClientContext.Provider value={client}>
        <ProxyPanel />
      </ClientContext.Provider>,
    );
    expect(await screen.findByText('http://127.0.0.1:4821')).toBeTruthy();
    const key = screen.getByLabelText('proxy key');
    expect(key.textContent).toBe('sk-qd-…1111');
    fireEvent.click(screen.getByRole('button', { name: 'Show' }));
    expect(key.textContent).toBe(KEY1);

    fireEvent.click(screen.getByRole('button', { name: 'Regenerate…' }));
    expect(client.calls).not.toContain('proxy:regenerateKey');
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(client.calls).not.toContain('proxy:regenerateKey');
    fireEvent.click(screen.getByRole('button', { name: 'Regenerate…' }));
    fireEvent.click(screen.getByRole('button', { name: 'Regenerate now' }));
    await waitFor(() => expect(screen.getByLabelText('proxy key').textContent).toBe(KEY2));
    expect(client.calls.filter((c) => c === 'proxy:regenerateKey')).toHaveLength(1);
  });

  it('says why an enabled proxy is not running', async () => {
    const error = 'Port 4821 on 127.0.0.1 is in use by another program: choose another proxy port in Settings and restart QuotaDeck.';
    const client = fakeClient({ 'proxy:getInfo': () => ({ enabled: true, running: false, url: null, port: null, error, key: KEY1 }) });
    render(
      <ClientContext.Provider value={client}>
        <ProxyPanel />
      </ClientContext.Provider>,
    );
    expect((await screen.findByRole('alert')).textContent).toBe(error);
    expect(screen.getByText('not running')).toBeTruthy();
  });

  it('says when the proxy is off', async () => {
    const client = fakeClient({ 'proxy:getInfo': () => ({ enabled: false, running: false, url: null, port: null, error: null, key: KEY1 }) });
    render(
      <ClientContext.Provider value={client}>
        <ProxyPanel />
      </ClientContext.Provider>,
    );
    expect(await screen.findByText('turned off in settings')).toBeTruthy();
  });
});
