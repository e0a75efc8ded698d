// Per model: the current quota (bar, decision, reset countdown) and the account's preferences
// for that model — a reserve kept back from the selector, and excluding the model entirely.
import { useEffect, useState, type FormEvent } from 'react';
import type { AccountView, ModelPref, QuotaView } from '../../../../shared/types';
import { formatPercent } from '../../format';
import { useAccountsStore } from '../../stores/accounts-store';
import { useQuotaStore } from '../../stores/quota-store';
import { noReadingsText } from '../accounts/account-row';
import { ForecastText } from '../accounts/forecast-text';
import { quotaName, windowLines } from '../accounts/quota-name';
import { ResetText } from '../accounts/reset-text';
import { useClient } from '../client-context';
import { DecisionBadge } from '../decision-badge';
import { QuotaBar } from '../quota-bar';
import { Age } from '../time-text';

const sentence = (t: string) => `${t.charAt(0).toUpperCase()}${t.slice(1)}.`;

export function ModelQuotas({ account, quotas }: { account: AccountView; quotas: QuotaView[] }) {
  const readingsLoaded = useQuotaStore((s) => s.loaded);
  const prefs = new Map(account.modelPrefs.map((p) => [p.model, p]));
  // Preferences can name a model that has no reading (yet): list those too.
  const extra = account.modelPrefs.filter((p) => !quotas.some((q) => q.model === p.model)).map((p) => p.model);
  return (
    <section className="panel" aria-labelledby="quotas-heading">
      <h2 id="quotas-heading">Current quota</h2>
      {quotas.length === 0 && extra.length === 0 ? (
        <p className="muted empty">{readingsLoaded ? sentence(noReadingsText(account)) : 'Loading windows…'}</p>
      ) : (
        <div className="table-scroll data-scroll">
          <table className="data-table model-quotas">
            <thead>
              <tr>
                <th scope="col">Model</th>
                <th scope="col">Remaining</th>
                <th scope="col">Decision</th>
                <th scope="col">Resets</th>
                <th scope="col">Reserve</th>
                <th scope="col">Excluded</th>
              </tr>
            </thead>
            <tbody>
              {quotas.map((q) => (
                <QuotaRow key={q.model} account={account} quota={q} pref={prefs.get(q.model)} />
              ))}
              {extra.map((model) => (
                <tr key={model} data-model={model}>
                  <th scope="row" className="model-name">
                    {model}
                  </th>
                  <td colSpan={3} className="muted">
                    no reading
                  </td>
                  <PrefCells account={account} model={model} pref={prefs.get(model)} />
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function QuotaRow({ account, quota, pref }: { account: AccountView; quota: QuotaView; pref: ModelPref | undefined }) {
  const name = quotaName(quota);
  const resetAt = quota.lock?.lockedUntil ?? quota.decision.resetAt ?? quota.resetAt;
  return (
    <tr data-model={quota.model} className={quota.stale ? 'is-stale' : undefined}>
      <th scope="row" className="model-name" title={quota.model}>
        {name}
        {quota.limit !== null && quota.remaining !== null && (
          <div className="muted small">
            {quota.remaining} of {quota.limit} left
          </div>
        )}
      </th>
      <td className="bar-cell">
        <QuotaBar fraction={quota.remainingFraction} kind={quota.decision.kind} label={`${name} remaining`} />
        {windowLines(quota)
          .filter((l) => !l.binding)
          .map((l) => (
            <div key={l.key} className="other-window small" data-window={l.name}>
              {l.name}: {formatPercent(l.remainingFraction)} left · <ResetText at={l.resetAt} />
            </div>
          ))}
        {quota.stale && (
          <div className="stale small" title="The last known value: recent syncs of this account failed">
            stale · <Age since={quota.fetchedAt} />
          </div>
        )}
      </td>
      <td>
        <DecisionBadge decision={quota.decision} />
      </td>
      <td className="reset small">
        <ResetText at={resetAt} locked={quota.lock !== null} />
        <div>
          <ForecastText quota={quota} />
        </div>
      </td>
      <PrefCells account={account} model={quota.model} pref={pref} />
    </tr>
  );
}

function PrefCells({ account, model, pref }: { account: AccountView; model: string; pref: ModelPref | undefined }) {
  const client = useClient();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const reserve = pref?.reserve ?? null;
  const [draft, setDraft] = useState(reserve === null ? '' : String(Math.round(reserve * 100)));
  const excluded = pref?.excluded ?? false;
  // A reserve changed elsewhere (or saved here) replaces what the field shows.
  useEffect(() => setDraft(reserve === null ? '' : String(Math.round(reserve * 100))), [reserve]);

  const save = async (patch: { reserve?: number | null; excluded?: boolean }) => {
    setBusy(true);
    setError(null);
    try {
      const updated = await client.invoke('accounts:setModelPref', { id: account.id, model, ...patch });
      // Show the answer now; the accounts:changed event refetches the list as well.
      useAccountsStore.getState().applyAccount(updated);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  const submitReserve = (e: FormEvent) => {
    e.preventDefault();
    const text = draft.trim();
    if (text === '') return void save({ reserve: null });
    const pct = Number(text);
    if (!Number.isFinite(pct) || pct < 0 || pct > 100) return setError('A percentage from 0 to 100');
    void save({ reserve: pct / 100 });
  };

  return (
    <>
      <td>
        <form className="reserve-form" onSubmit={submitReserve} noValidate>
          <input
            type="number"
            min={0}
            max={100}
            step={1}
            inputMode="numeric"
            placeholder="none"
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
            aria-label={`Reserve for ${model} (percent kept back)`}
            disabled={busy}
          />
          <span aria-hidden="true">%</span>
          <button type="submit" className="btn btn-small" disabled={busy || draft === (reserve === null ? '' : String(Math.round(reserve * 100)))}>
            Set
          </button>
        </form>
        {reserve !== null && <div className="muted small">keeps {formatPercent(reserve)}</div>}
        {error && (
          <div className="field-error small" role="alert">
            {error}
          </div>
        )}
      </td>
      <td>
        <label className="check">
          <input type="checkbox" checked={excluded} disabled={busy} onChange={(e) => void save({ excluded: e.target.checked })} />
          <span className="visually-hidden">Exclude {model} from selection</span>
          <span aria-hidden="true">{excluded ? 'excluded' : 'exclude'}</span>
        </label>
      </td>
    </>
  );
}
