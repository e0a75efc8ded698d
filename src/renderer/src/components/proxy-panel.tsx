// The local proxy: where AI clients point, its key (hidden until asked, copyable) and a
// regenerate action that confirms first, since every client using the old key stops working.
// Standalone it is a panel; `embedded` (in the settings' Proxy section) it is a sub-section.
import { useEffect, useId, useState, type ReactNode } from 'react';
import type { ProxyInfo } from '../../../shared/types';
import { useClient } from './client-context';

function maskKey(key: string): string {
  return key.length > 12 ? `${key.slice(0, 6)}…${key.slice(-4)}` : '••••';
}

export function ProxyPanel({ embedded = false }: { embedded?: boolean }) {
  const client = useClient();
  const headingId = useId();
  const [info, setInfo] = useState<ProxyInfo | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [revealed, setRevealed] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [copied, setCopied] = useState(false);

  useEffect(() => {
    let live = true;
    const load = () =>
      client.invoke('proxy:getInfo').then(
        (i) => live && setInfo(i),
        (e: unknown) => live && setError(e instanceof Error ? e.message : String(e)),
      );
    void load();
    // Saving proxyEnabled changes what "enabled" says (the running state follows a restart).
    const off = client.on('settings:changed', () => void load());
    return () => {
      live = false;
      off();
    };
  }, [client]);

  const Heading = embedded ? 'h3' : 'h2';
  const frame = (body: ReactNode, busy = false) => (
    <section className={embedded ? 'proxy-panel proxy-panel-embedded' : 'panel proxy-panel'} aria-busy={busy || undefined} aria-labelledby={headingId}>
      <Heading id={headingId}>{embedded ? 'Address and key' : 'Local proxy'}</Heading>
      {body}
    </section>
  );
  if (error) return frame(<p role="alert">Could not load the proxy settings: {error}</p>);
  if (!info) return frame(<p className="muted">Loading…</p>, true);

  const regenerate = async () => {
    setConfirming(false);
    try {
      setInfo(await client.invoke('proxy:regenerateKey'));
      setRevealed(true);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(info.key);
      setCopied(true);
    } catch {
      setRevealed(true); // no clipboard access: show it so it can be copied by hand
    }
  };

  return frame(
    <dl className="proxy-facts">
      <dt>Address</dt>
      <dd>
        {info.running && info.url ? <code>{info.url}</code> : <span className="muted">{info.enabled ? 'not running' : 'turned off in settings'}</span>}
        {!info.running && info.error && (
          <p className="form-error" role="alert">
            {info.error}
          </p>
        )}
      </dd>
      <dt>Key</dt>
      <dd>
        <code aria-label="proxy key">{revealed ? info.key : maskKey(info.key)}</code>{' '}
        <button type="button" className="btn" onClick={() => setRevealed((r) => !r)}>{revealed ? 'Hide' : 'Show'}</button>{' '}
        <button type="button" className="btn" onClick={() => void copy()}>{copied ? 'Copied' : 'Copy'}</button>{' '}
        {confirming ? (
          <span role="group" aria-label="confirm regenerate">
            Clients using the current key will stop working.{' '}
            <button type="button" className="btn btn-danger" onClick={() => void regenerate()}>Regenerate now</button>{' '}
            <button type="button" className="btn" onClick={() => setConfirming(false)}>Cancel</button>
          </span>
        ) : (
          <button type="button" className="btn" onClick={() => setConfirming(true)}>Regenerate…</button>
        )}
      </dd>
    </dl>,
  );
}
