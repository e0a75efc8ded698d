// Web mode without a control token: ask for it (the service prints where to find it).
import { useState, type FormEvent } from 'react';

export function TokenForm({ onSubmit, refused }: { onSubmit: (token: string) => void; refused: boolean }) {
  const [token, setToken] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (token.trim()) onSubmit(token.trim());
  };
  return (
    <main className="token-page">
      <form className="panel token-form" onSubmit={submit}>
        <h1>QuotaDeck</h1>
        <p className="muted">
          This page needs the service's control token. Open the “web UI” link the service printed (<code>…/#token=…</code>), or paste
          the contents of the <code>control-token</code> file in its data directory.
        </p>
        {refused && (
          <p className="banner banner-error" role="alert">
            Wrong control token: the service refused it. Open the “web UI” link the service printed when it started (it carries the
            current token), or paste the contents of its <code>control-token</code> file.
          </p>
        )}
        <label htmlFor="control-token">Control token</label>
        <input
          id="control-token"
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={token}
          onChange={(e) => setToken(e.target.value)}
          required
          autoFocus
        />
        <button type="submit" className="btn btn-primary">
          Connect
        </button>
      </form>
    </main>
  );
}
