// Browser sign-in in the window: one button per provider, then the flow's progress — the link to
// the provider's page (opened already; again on click), the paste box where the provider shows a
// code (and, for loopback flows, for an address pasted from a browser on another machine), and
// the outcome. Used by the Add account dialog and by "Sign in again".
import { useId, useState, type FormEvent } from 'react';
import { SIGN_IN_PROVIDERS, type SignInProvider, type SignInStatus } from '../../../../shared/types';
import { useSignIn } from './use-sign-in';

export const SIGN_IN_LABELS: Record<SignInProvider, string> = {
  antigravity: 'Sign in with Google (Antigravity)',
  'gemini-cli': 'Sign in with Google (Gemini CLI)',
  claude: 'Sign in with Claude',
  codex: 'Sign in with ChatGPT (Codex)',
};

export function isSignInProvider(p: string): p is SignInProvider {
  return (SIGN_IN_PROVIDERS as readonly string[]).includes(p);
}

export function SignInPanel({ providers = SIGN_IN_PROVIDERS, onDone, label }: { providers?: readonly SignInProvider[]; onDone?(status: SignInStatus): void; label?: string }) {
  const s = useSignIn(onDone);
  const uid = useId();
  const [code, setCode] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void s.submitCode(code);
  };
  const active = s.phase === 'waiting' || s.phase === 'finishing';

  return (
    <section className="sign-in" aria-label="Sign in with your browser" data-testid="sign-in-panel">
      {(s.phase === 'idle' || s.phase === 'starting') && (
        <div className="sign-in-buttons">
          {providers.map((p) => (
            <button key={p} type="button" className="btn" disabled={s.phase === 'starting'} onClick={() => void s.start(p)}>
              {label && providers.length === 1 ? label : SIGN_IN_LABELS[p]}
            </button>
          ))}
        </div>
      )}
      {s.phase === 'starting' && <p className="muted small" role="status">Opening the sign-in page…</p>}
      {active && s.flow && (
        <div className="sign-in-progress" role="status" aria-live="polite">
          <p>
            {s.flow.mode === 'paste'
              ? 'Sign in on the page that opened, then paste the code it shows below.'
              : 'Finish signing in on the page that opened in your browser; this updates by itself.'}
          </p>
          <p className="small">
            <a href={s.flow.authorizeUrl} target="_blank" rel="noopener noreferrer" data-testid="sign-in-link">
              Open the sign-in page
            </a>{' '}
            <span className="muted">(expires at {new Date(s.flow.expiresAt).toLocaleTimeString()})</span>
          </p>
          <form onSubmit={submit} className="sign-in-paste">
            {s.flow.mode === 'paste' ? (
              <label htmlFor={`${uid}-code`}>Code shown by {SIGN_IN_LABELS[s.flow.provider].replace('Sign in with ', '')}</label>
            ) : (
              <label htmlFor={`${uid}-code`} className="muted small">
                Browser on another machine? Paste the address it ended on
              </label>
            )}
            <div className="sign-in-paste-row">
              <input id={`${uid}-code`} value={code} onChange={(e) => setCode(e.target.value)} autoComplete="off" spellCheck={false} required={s.flow.mode === 'paste'} />
              <button type="submit" className="btn" disabled={!code.trim() || s.phase === 'finishing'}>
                {s.phase === 'finishing' ? 'Finishing…' : 'Finish'}
              </button>
            </div>
          </form>
          <button type="button" className="btn btn-link" onClick={s.reset}>
            Cancel
          </button>
        </div>
      )}
      {s.phase === 'done' && s.status && (
        <p className="sign-in-done" role="status" data-testid="sign-in-done">
          Signed in as <strong>{s.status.email ?? 'your account'}</strong>. The account is saved and synced.{' '}
          <button type="button" className="btn btn-link" onClick={s.reset}>
            Sign in another
          </button>
        </p>
      )}
      {s.phase === 'failed' && (
        <div className="sign-in-failed">
          <p className="form-error" role="alert">
            {s.error}
          </p>
          <button type="button" className="btn" onClick={s.reset}>
            Try again
          </button>
        </div>
      )}
    </section>
  );
}
