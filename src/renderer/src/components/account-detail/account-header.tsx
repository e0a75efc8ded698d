// The account's identity and sync state: label, provider, tier, status (and why), email, the
// masked credential hint (never more), and the last success / error / next attempt.
import type { AccountView } from '../../../../shared/types';
import { formatDateTime, formatPercent } from '../../format';
import { SignInAgainButton } from '../sign-in/sign-in-again';
import { Age, Countdown } from '../time-text';

const STATUS_LABEL: Record<AccountView['status'], string> = {
  active: 'active',
  disabled: 'disabled',
  invalid_credentials: 'invalid credentials',
  suspended: 'suspended',
};

export function AccountHeader({ account }: { account: AccountView }) {
  const { sync } = account;
  const facts = Object.entries(account.details);
  return (
    <section className="panel account-head" aria-labelledby="account-heading">
      <div className="account-title">
        <h2 id="account-heading">{account.label}</h2>
        <span className="provider-chip">{account.provider}</span>
        <span className={`tier tier-${account.tier}`} title={account.tierLabel ?? undefined}>
          {account.tier}
          {account.tierLabel && <span className="muted"> · {account.tierLabel}</span>}
        </span>
        <span className={`status status-${account.status}`}>{STATUS_LABEL[account.status]}</span>
        <SignInAgainButton account={account} />
      </div>
      {account.statusReason && (
        <p className="status-reason-line" role="note">
          {account.statusReason}
        </p>
      )}
      <div className="account-facts-grid">
        <dl className="account-facts">
          <dt>Email</dt>
          <dd>{account.email ?? <span className="muted">—</span>}</dd>
          <dt>Credential</dt>
          <dd>
            <code aria-label="credential hint (masked)">{account.secretHint}</code>
          </dd>
          {account.projectId && (
            <>
              <dt>Project</dt>
              <dd>{account.projectId}</dd>
            </>
          )}
          {account.baseUrl && (
            <>
              <dt>Base URL</dt>
              <dd>
                <code>{account.baseUrl}</code>
              </dd>
            </>
          )}
          <dt>Reserve</dt>
          <dd>{account.reserve === null ? <span className="muted">none</span> : `keep ${formatPercent(account.reserve)}`}</dd>
          {account.models && (
            <>
              <dt>Models</dt>
              <dd>{account.models.join(', ')}</dd>
            </>
          )}
          <dt>Added</dt>
          <dd>{formatDateTime(account.createdAt)}</dd>
        </dl>
        <dl className="account-facts" aria-label="Sync">
          <dt>Last success</dt>
          <dd>{sync.lastSuccessAt ? <Age since={sync.lastSuccessAt} /> : <span className="muted">never</span>}</dd>
          <dt>Last attempt</dt>
          <dd>{sync.lastAttemptAt ? <Age since={sync.lastAttemptAt} /> : <span className="muted">never</span>}</dd>
          <dt>Last error</dt>
          <dd>
            {sync.lastErrorCode || sync.lastErrorMessage ? (
              <span className="sync-error">
                {sync.lastErrorCode && <code>{sync.lastErrorCode}</code>} {sync.lastErrorMessage}
                {sync.consecutiveFailures > 1 && <span className="muted"> ({sync.consecutiveFailures} failures in a row)</span>}
              </span>
            ) : (
              <span className="muted">none</span>
            )}
          </dd>
          <dt>Next attempt</dt>
          <dd>{sync.nextAttemptAt ? <Countdown to={sync.nextAttemptAt} done="due" /> : <span className="muted">with the next cycle</span>}</dd>
        </dl>
        {facts.length > 0 && (
          <dl className="account-facts provider-facts" aria-label="From the provider">
            {facts.map(([k, v]) => (
              <FactRow key={k} name={k} value={v} />
            ))}
          </dl>
        )}
      </div>
    </section>
  );
}

function FactRow({ name, value }: { name: string; value: string | number | boolean | null }) {
  return (
    <>
      <dt>{name.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/[_-]/g, ' ')}</dt>
      <dd>{value === null ? <span className="muted">—</span> : factText(name, value)}</dd>
    </>
  );
}

/** Times arrive as epoch milliseconds under names ending in "At"; show them as dates. */
function factText(name: string, value: string | number | boolean): string {
  if (typeof value === 'number' && /At$/.test(name) && value > 1e12 && value < 1e14) return formatDateTime(new Date(value).toISOString());
  return String(value);
}
