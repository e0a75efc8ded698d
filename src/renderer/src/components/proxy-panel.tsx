// The local proxy: where AI clients point, its key (hidden until asked, copyable) and a
// regenerate action that confirms first, since every client using the old key stops working.
import { useEffect, useState } from 'react';
import type { ProxyInfo } from '../../../shared/types';
import { useClient } from './client-context';

function maskKey(key: string): string {
  return key.length > 12 ? `${key.slice(0, 6)}…${key.slice(-4)}` : '••••';
}

export function ProxyPanel() {
  const client = useClient();
  const [info, setInfo] = useState<ProxyInfo | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [revealed, setRevealed] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [copied, setCopied] = useState(false);

  useEffect(() => {
    let live = true;
    client.invoke('proxy:getInfo').then(
      (i) => live && setInfo(i),
      (e: unknown) => live && setError(e instanceof Error ? e.message : String(e)),
    );
    return () => {
      live = false;
    };
  }, [client]);

  if (error) return <section className="panel" aria-labelledby="proxy-heading"><h2 id="proxy-heading">Local proxy</h2><p role="alert">Could not load the proxy settings: {error}</p></section>;
  if (!info) return <section className="panel" aria-busy="true" aria-labelledby="proxy-heading"><h2 id="proxy-heading">Local proxy</h2><p className="muted">Loading…</p></section>;

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

  return (
    <section className="panel proxy-panel" aria-labelledby="proxy-heading">
      <h2 id="proxy-heading">Local proxy</h2>
      <dl className="proxy-facts">
        <dt>Address</dt>
        <dd>{info.running && info.url ? <code>{info.url}</code> : <span className="muted">{info.enabled ? 'not running' : 'turned off in settings'}</span>}</dd>
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
      </dl>
    </section>
  );
}
