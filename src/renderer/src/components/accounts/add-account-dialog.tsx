// Adds one account: by signing in through the browser (Google, Claude, ChatGPT; the panel follows
// the flow to its end), or through `accounts:add`, where the provider decides which secret is
// asked for (a refresh token for OAuth accounts, an API key otherwise). The service's error
// message is shown as is; nothing is added on failure.
import { useId, useState, type FormEvent } from 'react';
import type { RequestOf } from '../../../../shared/contract';
import { PROVIDER_IDS, TIERS, type AccountView, type ProviderId, type Tier } from '../../../../shared/types';
import { useClient } from '../client-context';
import { Dialog } from '../dialog';
import { SignInPanel } from '../sign-in/sign-in-panel';
import { hasProjectId, PROVIDER_NAMES, secretFieldOf } from './provider-fields';

export function AddAccountDialog({ onClose, onAdded }: { onClose(): void; onAdded(account: AccountView): void }) {
  const client = useClient();
  const uid = useId();
  const [provider, setProvider] = useState<ProviderId>('antigravity');
  const [label, setLabel] = useState('');
  const [email, setEmail] = useState('');
  const [secret, setSecret] = useState('');
  const [tier, setTier] = useState<'' | Tier>('');
  const [projectId, setProjectId] = useState('');
  const [baseUrl, setBaseUrl] = useState('');
  const [models, setModels] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [signedIn, setSignedIn] = useState(false);

  const secretField = secretFieldOf(provider);
  const secretLabel = secretField === 'refreshToken' ? 'Refresh token' : 'API key';

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!secret.trim()) {
      setError(`${secretLabel} is required for ${provider} accounts.`);
      return;
    }
    const req: RequestOf<'accounts:add'> = { provider, [secretField]: secret.trim() };
    if (label.trim()) req.label = label.trim();
    if (email.trim()) req.email = email.trim();
    if (tier) req.tier = tier;
    if (projectId.trim() && hasProjectId(provider)) req.projectId = projectId.trim();
    if (baseUrl.trim()) req.baseUrl = baseUrl.trim();
    const modelList = models
      .split(/[\s,]+/)
      .map((m) => m.trim())
      .filter(Boolean);
    if (modelList.length > 0) req.models = modelList;
    setBusy(true);
    setError(null);
    try {
      onAdded(await client.invoke('accounts:add', req));
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      setBusy(false);
    }
  };

  const id = (name: string) => `${uid}-${name}`;
  return (
    <Dialog title="Add account" onClose={onClose} className="dialog-form">
      <h3 className="dialog-subtitle">Sign in with your browser</h3>
      <SignInPanel onDone={() => setSignedIn(true)} />
      <h3 className="dialog-subtitle">Or paste a token or key</h3>
      <form onSubmit={(e) => void submit(e)}>
        <div className="form-grid">
          <label htmlFor={id('provider')}>Provider</label>
          <select id={id('provider')} value={provider} onChange={(e) => setProvider(e.target.value as ProviderId)}>
            {PROVIDER_IDS.map((p) => (
              <option key={p} value={p}>
                {PROVIDER_NAMES[p]}
              </option>
            ))}
          </select>

          <label htmlFor={id('label')}>Label</label>
          <input id={id('label')} value={label} maxLength={200} onChange={(e) => setLabel(e.target.value)} placeholder="e.g. work" autoComplete="off" />

          <label htmlFor={id('email')}>Email</label>
          <input id={id('email')} type="email" value={email} maxLength={320} onChange={(e) => setEmail(e.target.value)} autoComplete="off" />

          <label htmlFor={id('secret')}>{secretLabel}</label>
          <input
            id={id('secret')}
            type="password"
            value={secret}
            onChange={(e) => setSecret(e.target.value)}
            required
            autoComplete="off"
            spellCheck={false}
            aria-describedby={id('secret-hint')}
          />
          <p id={id('secret-hint')} className="form-hint muted small">
            {secretField === 'refreshToken'
              ? 'The OAuth refresh token of the signed-in account. Stored encrypted; only a masked hint is shown afterwards.'
              : 'Stored encrypted; only a masked hint is shown afterwards.'}
          </p>
        </div>

        <details className="form-more">
          <summary>More options</summary>
          <div className="form-grid">
            <label htmlFor={id('tier')}>Tier</label>
            <select id={id('tier')} value={tier} onChange={(e) => setTier(e.target.value as '' | Tier)}>
              <option value="">detect</option>
              {TIERS.map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </select>
            {hasProjectId(provider) && (
              <>
                <label htmlFor={id('project')}>Project ID</label>
                <input id={id('project')} value={projectId} maxLength={200} onChange={(e) => setProjectId(e.target.value)} autoComplete="off" />
              </>
            )}
            <label htmlFor={id('base')}>Base URL</label>
            <input id={id('base')} type="url" value={baseUrl} onChange={(e) => setBaseUrl(e.target.value)} placeholder="the provider's default" autoComplete="off" />
            <label htmlFor={id('models')}>Models</label>
            <textarea
              id={id('models')}
              value={models}
              rows={2}
              onChange={(e) => setModels(e.target.value)}
              placeholder="the provider's list"
              aria-describedby={id('models-hint')}
              spellCheck={false}
            />
            <p id={id('models-hint')} className="form-hint muted small">
              Separated by commas or new lines; globs such as <code>gpt-5*</code> allowed.
            </p>
          </div>
        </details>

        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <div className="dialog-actions">
          <button type="button" className="btn" onClick={onClose} disabled={busy}>
            {signedIn ? 'Close' : 'Cancel'}
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? 'Adding…' : 'Add account'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
