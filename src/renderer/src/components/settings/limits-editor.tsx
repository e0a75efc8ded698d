// Global usage limits (`limits:get` / `limits:set` with scope 'global'): one input per kind,
// blank meaning no limit, each beside its current window's use. Validated with the contract's
// own limits:set schema; only changed kinds are sent (a number sets, null clears).
import '../../../../shared/zod-jitless'; // first: before the contract builds its schemas (the CSP forbids eval)
import { useCallback, useEffect, useId, useState, type FormEvent } from 'react';
import { requestSchemas } from '../../../../shared/contract';
import type { LimitsView, LimitUsageView, UsageLimitKind } from '../../../../shared/types';
import { formatPercent } from '../../format';
import { useClient } from '../client-context';
import { Countdown } from '../time-text';
import { useSavePart } from './save-parts';

type LimitKey = 'requestsPerHour' | 'requestsPerDay' | 'inputTokensPerMonth' | 'outputTokensPerMonth' | 'costPerMonth';

const LIMITS: ReadonlyArray<{ key: LimitKey; kind: UsageLimitKind; label: string; window: string; money?: true }> = [
  { key: 'requestsPerHour', kind: 'requests_per_hour', label: 'Requests per hour', window: 'in the last 60 minutes' },
  { key: 'requestsPerDay', kind: 'requests_per_day', label: 'Requests per day', window: 'today (UTC)' },
  { key: 'inputTokensPerMonth', kind: 'input_tokens_per_month', label: 'Input tokens per month', window: 'this month (UTC)' },
  { key: 'outputTokensPerMonth', kind: 'output_tokens_per_month', label: 'Output tokens per month', window: 'this month (UTC)' },
  { key: 'costPerMonth', kind: 'cost_per_month', label: 'Cost per month (USD)', window: 'this month (UTC)', money: true },
];

const rawOf = (v: number | null) => (v === null ? '' : String(v));
const amount = (n: number, money?: true) => (money ? `$${n.toFixed(2)}` : n.toLocaleString('en-US'));

export function LimitsEditor({ dryRun, scope = 'global', label = 'Global limits', inSaveBar = false }: { dryRun: boolean; scope?: string; label?: string; inSaveBar?: boolean }) {
  const client = useClient();
  const [view, setView] = useState<LimitsView | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [edits, setEdits] = useState<Partial<Record<LimitKey, string>>>({});
  const [errors, setErrors] = useState<Partial<Record<string, string>>>({});
  const [saving, setSaving] = useState(false);
  const [serverError, setServerError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);

  const load = useCallback(
    () =>
      client.invoke('limits:get', { scope }).then(
        (list) => {
          setView(list[0] ?? null);
          setLoadError(null);
        },
        (e: unknown) => setLoadError(e instanceof Error ? e.message : String(e)),
      ),
    [client, scope],
  );
  // Refetched when dry-run flips (it decides "suspended") and when a limit warns (use moved).
  useEffect(() => void load(), [load, dryRun]);
  useEffect(() => client.on('usage:limitWarning', (w) => w.scope === scope && void load()), [client, load, scope]);

  const dirty = view ? LIMITS.filter(({ key }) => edits[key] !== undefined && edits[key] !== rawOf(view[key])).map((l) => l.key) : [];
  const parsed = (() => {
    const patch: Record<string, number | null> = {};
    for (const key of dirty) {
      const text = edits[key]!.trim();
      patch[key] = text === '' ? null : Number(text);
    }
    return requestSchemas['limits:set'].safeParse({ scope, ...patch });
  })();
  const problems: Record<string, string> = {};
  if (!parsed.success) for (const issue of parsed.error.issues) problems[String(issue.path[0])] ??= limitIssue(issue.code, issue.message);

  /** Saves the changed limits; the error message, or null. */
  const commit = async (): Promise<string | null> => {
    setSaved(false);
    setServerError(null);
    if (!parsed.success) {
      setErrors(problems);
      return 'fix the marked limits';
    }
    if (dirty.length === 0) return null;
    setErrors({});
    setSaving(true);
    try {
      setView(await client.invoke('limits:set', parsed.data));
      setEdits({});
      setSaved(true);
      return null;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      setServerError(message);
      return message;
    } finally {
      setSaving(false);
    }
  };
  const resetEdits = () => {
    setEdits({});
    setErrors({});
    setServerError(null);
  };
  useSavePart(`limits:${scope}`, { label: 'Limits', dirty: dirty.length, valid: parsed.success, save: commit, reset: resetEdits }, inSaveBar);

  if (loadError && !view) return <p role="alert">Could not load the limits: {loadError}</p>;
  if (!view) return <p className="muted" aria-busy="true">Loading limits…</p>;

  const shown = (key: LimitKey) => edits[key] ?? rawOf(view[key]);
  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (!inSaveBar) await commit();
  };

  return (
    <form className={`limits-form${scope === 'global' ? '' : ' limits-form-own'}`} onSubmit={(e) => void save(e)} noValidate aria-label={label}>
      <p className="setting-note">
        {scope === 'global' ? 'Across all accounts.' : 'For requests this account serves through the proxy; the global limits apply too.'} Leave a field blank for no limit. Warnings at 80%, 90% and 100% of each window
        {dryRun ? ' (dry run: nothing is suspended).' : '; at 100% the account is skipped until the window frees up.'}
      </p>
      <div className="limits-grid">
        {LIMITS.map((l) => (
          <LimitRow
            key={l.key}
            limit={l}
            value={shown(l.key)}
            error={errors[l.key] ?? (inSaveBar && dirty.includes(l.key) ? problems[l.key] : undefined)}
            dirty={dirty.includes(l.key)}
            usage={view.usage.find((u) => u.limit === l.kind)}
            onChange={(v) => {
              setEdits((cur) => ({ ...cur, [l.key]: v }));
              setErrors(({ [l.key]: _, ...rest }) => rest);
              setSaved(false);
            }}
          />
        ))}
      </div>
      {inSaveBar ? (
        serverError && (
          <p role="alert" className="save-error">
            Limits not saved: {serverError}
          </p>
        )
      ) : (
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={dirty.length === 0 || saving}>
          {saving ? 'Saving…' : 'Save limits'}
        </button>
        <button type="button" className="btn" disabled={dirty.length === 0 || saving} onClick={resetEdits}>
          Reset limits
        </button>
        <span role="status" className="save-status">
          {saved && dirty.length === 0 ? 'Limits saved' : ''}
        </span>
        {serverError && (
          <span role="alert" className="save-error">
            {serverError}
          </span>
        )}
      </div>
      )}
    </form>
  );
}

function limitIssue(code: string, message: string): string {
  if (code === 'too_small') return 'Must be more than 0 (or blank for no limit)';
  if (code === 'too_big') return 'Too large';
  if (code === 'invalid_type') return message.includes('int') ? 'Must be a whole number' : 'Enter a number, or leave blank for no limit';
  return message;
}

interface LimitRowProps {
  limit: (typeof LIMITS)[number];
  value: string;
  error: string | undefined;
  dirty: boolean;
  usage: LimitUsageView | undefined;
  onChange(value: string): void;
}

function LimitRow({ limit, value, error, dirty, usage, onChange }: LimitRowProps) {
  const id = useId();
  return (
    <div className={`limit-row${dirty ? ' is-dirty' : ''}${error ? ' has-error' : ''}`} data-limit={limit.key}>
      <label htmlFor={id}>{limit.label}</label>
      <input
        id={id}
        type="number"
        inputMode={limit.money ? 'decimal' : 'numeric'}
        min={0}
        step={limit.money ? 'any' : 1}
        placeholder="no limit"
        value={value}
        aria-invalid={error ? true : undefined}
        aria-describedby={`${id}-use${error ? ` ${id}-error` : ''}`}
        onChange={(e) => onChange(e.target.value)}
      />
      <div className="limit-use small" id={`${id}-use`}>
        {usage ? <LimitUse usage={usage} limit={limit} /> : <span className="muted">No limit set</span>}
      </div>
      {error && (
        <p className="setting-error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}

function LimitUse({ usage, limit }: { usage: LimitUsageView; limit: (typeof LIMITS)[number] }) {
  const pct = Math.min(1, Math.max(0, usage.fraction));
  const tone = usage.fraction >= 1 ? 'bad' : usage.fraction >= 0.8 ? 'warn' : 'good';
  return (
    <>
      <span className="limit-use-text">
        {amount(usage.used, limit.money)} of {amount(usage.max, limit.money)} used {limit.window} ({usage.fraction < 1 ? formatPercent(usage.fraction) : `${Math.round(usage.fraction * 100)}%`})
        {usage.suspended && <span className="badge badge-exhausted">suspended</span>}
      </span>
      <span className={`limit-meter limit-meter-${tone}`} aria-hidden="true">
        <span style={{ width: `${pct * 100}%` }} />
      </span>
      <span className="muted">
        frees up in <Countdown to={usage.resetAt} />
      </span>
    </>
  );
}
