// The account's identity and sync state: label, provider, tier, status (and why), email, the
// masked credential hint (never more), the last success / error / next attempt (told truthfully),
// its actions, and what the provider said about it in words and units.
import { Linkified } from '../linkified';
import type { AccountView, QuotaView } from '../../../../shared/types';
import { formatDateTime, formatPercent } from '../../format';
import { useStatsStore } from '../../stores/stats-store';
import { PROVIDER_SHORT } from '../accounts/provider-fields';
import { Age, Countdown } from '../time-text';
import { AccountActionsBar } from './account-actions-bar';
import { nextAttempt } from './next-attempt';
import { providerFacts } from './provider-facts';

const STATUS_LABEL: Record<AccountView['status'], string> = {
  active: 'active',
  disabled: 'disabled',
  invalid_credentials: 'invalid credentials',
  suspended: 'suspended',
};

export function AccountHeader({ account, quotas }: { account: AccountView; quotas: readonly QuotaView[] }) {
  const { sync } = account;
  const stats = useStatsStore((s) => s.stats);
  const facts = providerFacts(account.details);
  const next = nextAttempt(account, quotas, stats);
  return (
    <section className="panel account-head" aria-labelledby="account-heading">
      <div className="account-title">
        <h2 id="account-heading">{account.label}</h2>
        <span className="provider-chip">{PROVIDER_SHORT[account.provider]}</span>
        <span className={`tier tier-${account.tier}`} title={account.tierLabel ?? undefined}>
          {account.tier}
          {account.tierLabel && <span className="muted"> · {account.tierLabel}</span>}
        </span>
        <span className={`status status-${account.status}`}>{STATUS_LABEL[account.status]}</span>
      </div>
      {account.statusReason && account.status !== 'suspended' && account.status !== 'invalid_credentials' && (
        <p className="status-reason-line" role="note">
          <Linkified text={account.statusReason} />
        </p>
      )}
      <AccountActionsBar account={account} quotas={quotas} />
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
                {sync.lastErrorCode && <code>{sync.lastErrorCode}</code>} {sync.lastErrorMessage && <Linkified text={sync.lastErrorMessage} />}
                {sync.consecutiveFailures > 1 && <span className="muted"> ({sync.consecutiveFailures} failures in a row)</span>}
              </span>
            ) : (
              <span className="muted">none</span>
            )}
          </dd>
          <dt>Next attempt</dt>
          <dd data-testid="next-attempt">
            {next.kind === 'at' ? (
              <>
                in <Countdown to={next.at} done="moments" /> <span className="muted">({formatDateTime(next.at)}{next.why ? ` — ${next.why}` : ''})</span>
              </>
            ) : (
              <span className="muted">{next.text}</span>
            )}
          </dd>
        </dl>
        {facts.length > 0 && (
          <dl className="account-facts provider-facts" aria-label="From the provider">
            {facts.map((f) => (
              <div key={f.key} className="fact-pair">
                <dt>{f.label}</dt>
                <dd>{f.text}</dd>
              </div>
            ))}
          </dl>
        )}
      </div>
    </section>
  );
}
