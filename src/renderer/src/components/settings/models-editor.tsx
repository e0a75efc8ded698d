// Settings → Models: the proxy's model aliases and fallback chains and its sticky sessions,
// saved with the page's one save bar (its own `settings:update` of these keys). Names are suggested from the model catalog
// (`models:list`); a name no account serves now is allowed but pointed out. Checked as you type
// with the contract's schema and the shared cycle rule, so Save is only offered for maps the
// service will take. Removed entries are sent as '' / [] (the settings maps merge key by key).
import '../../../../shared/zod-jitless'; // first: before the contract builds its schemas (the CSP forbids eval)
import { useEffect, useId, useMemo, useState } from 'react';
import { settingsPatchSchema } from '../../../../shared/contract';
import { modelRoutingProblem, type ModelAliases, type ModelFallbacks } from '../../../../shared/model-routing-rules';
import type { CatalogModel, Settings } from '../../../../shared/types';
import { useSettingsStore } from '../../stores/settings-store';
import { useClient } from '../client-context';
import { useContractQuery } from '../use-contract-query';
import { useSavePart } from './save-parts';

export interface AliasRow {
  from: string;
  to: string;
}
export interface FallbackRow {
  model: string;
  /** Comma-separated, in order. */
  chain: string;
}
export interface ModelsDraft {
  aliases: AliasRow[];
  fallbacks: FallbackRow[];
  sticky: boolean;
  ttl: string;
}

export function draftOf(s: Settings): ModelsDraft {
  return {
    aliases: Object.entries(s.modelAliases).map(([from, to]) => ({ from, to })),
    fallbacks: Object.entries(s.modelFallbacks).map(([model, list]) => ({ model, chain: list.join(', ') })),
    sticky: s.stickySessions,
    ttl: String(s.stickySessionTtlSec),
  };
}

const has = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);
const splitChain = (chain: string) => chain.split(',').map((m) => m.trim()).filter(Boolean);

export type DraftResult = { ok: true; patch: Partial<Settings>; aliases: ModelAliases; fallbacks: ModelFallbacks } | { ok: false; problems: string[] };

/** The maps a draft stands for, or what is wrong with it; the patch holds only what changed. */
export function checkDraft(d: ModelsDraft, s: Settings): DraftResult {
  const problems: string[] = [];
  const aliases: ModelAliases = {};
  for (const r of d.aliases) {
    const from = r.from.trim();
    const to = r.to.trim();
    if (!from && !to) continue;
    if (!from || !to) problems.push(`An alias needs both names (${from || '?'} → ${to || '?'})`);
    else if (has(aliases, from)) problems.push(`"${from}" has two aliases`);
    else aliases[from] = to;
  }
  const fallbacks: ModelFallbacks = {};
  for (const r of d.fallbacks) {
    const model = r.model.trim();
    const chain = splitChain(r.chain);
    if (!model && chain.length === 0) continue;
    if (!model || chain.length === 0) problems.push(`A fallback chain needs a model and at least one fallback (${model || '?'})`);
    else if (has(fallbacks, model)) problems.push(`"${model}" has two fallback chains`);
    else fallbacks[model] = chain;
  }
  const patch: Partial<Settings> = {};
  const sameMap = (a: object, b: object) => JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());
  if (!sameMap(aliases, s.modelAliases)) {
    const next: Record<string, string> = { ...aliases };
    for (const k of Object.keys(s.modelAliases)) if (!has(aliases, k)) next[k] = '';
    patch.modelAliases = next;
  }
  if (!sameMap(fallbacks, s.modelFallbacks)) {
    const next: Record<string, string[]> = { ...fallbacks };
    for (const k of Object.keys(s.modelFallbacks)) if (!has(fallbacks, k)) next[k] = [];
    patch.modelFallbacks = next;
  }
  if (d.sticky !== s.stickySessions) patch.stickySessions = d.sticky;
  const ttl = d.ttl.trim() === '' ? Number.NaN : Number(d.ttl);
  if (ttl !== s.stickySessionTtlSec) patch.stickySessionTtlSec = ttl;
  const cycle = modelRoutingProblem(aliases, fallbacks);
  if (cycle) problems.push(cycle);
  const parsed = settingsPatchSchema.safeParse(patch);
  if (!parsed.success) {
    for (const i of parsed.error.issues) {
      const where = i.path[0] === 'stickySessionTtlSec' ? 'Idle session expiry' : i.path[0] === 'modelAliases' ? 'Aliases' : 'Fallbacks';
      const msg = i.path[0] === 'stickySessionTtlSec' ? 'a whole number of seconds from 10 to 604800' : i.message;
      if (!problems.some((p) => p.endsWith(msg))) problems.push(`${where}: ${msg}`);
    }
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, patch: parsed.success ? (parsed.data as Partial<Settings>) : patch, aliases, fallbacks };
}

/** The served names in the maps that no account serves now (aliases' own names excepted). */
function notServed(aliases: ModelAliases, fallbacks: ModelFallbacks, known: ReadonlySet<string>): string[] {
  const names = new Set([...Object.values(aliases), ...Object.keys(fallbacks), ...Object.values(fallbacks).flat()]);
  return [...names].filter((m) => !known.has(m) && !has(aliases, m)).sort();
}

export function ModelsEditor({ settings }: { settings: Settings }) {
  const client = useClient();
  const listId = useId();
  const catalog = useContractQuery('models:list', undefined);
  const [draft, setDraft] = useState<ModelsDraft>(() => draftOf(settings));
  const [touched, setTouched] = useState(false);
  const [serverError, setServerError] = useState<string | null>(null);

  // Untouched, the editor follows the settings as they change elsewhere.
  useEffect(() => {
    if (!touched) setDraft(draftOf(settings));
  }, [settings, touched]);

  const result = checkDraft(draft, settings);
  const dirty = result.ok ? Object.keys(result.patch).length > 0 : touched;
  const known = useMemo(() => new Set((catalog.data ?? []).map((m: CatalogModel) => m.id)), [catalog.data]);
  const unknown = result.ok && catalog.data ? notServed(result.aliases, result.fallbacks, known) : [];

  const edit = (next: Partial<ModelsDraft>) => {
    setDraft((d) => ({ ...d, ...next }));
    setTouched(true);
    setServerError(null);
  };
  const setAlias = (i: number, row: Partial<AliasRow>) => edit({ aliases: draft.aliases.map((r, k) => (k === i ? { ...r, ...row } : r)) });
  const setFallback = (i: number, row: Partial<FallbackRow>) => edit({ fallbacks: draft.fallbacks.map((r, k) => (k === i ? { ...r, ...row } : r)) });

  /** Saves the changed keys; the error message, or null. */
  const commit = async (): Promise<string | null> => {
    if (!result.ok) return result.problems[0] ?? 'fix the problems shown';
    if (Object.keys(result.patch).length === 0) return null;
    setServerError(null);
    try {
      const next = await client.invoke('settings:update', result.patch);
      useSettingsStore.getState().apply(next);
      setDraft(draftOf(next));
      setTouched(false);
      return null;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      setServerError(message);
      return message;
    }
  };
  const reset = () => {
    setDraft(draftOf(settings));
    setTouched(false);
    setServerError(null);
  };
  const changes = result.ok ? Object.keys(result.patch).length : touched ? 1 : 0;
  useSavePart('models', { label: 'Models', dirty: dirty ? Math.max(1, changes) : 0, valid: result.ok, save: commit, reset });

  const modelInput = (label: string, value: string, onChange: (v: string) => void) => (
    <input type="text" list={listId} aria-label={label} value={value} spellCheck={false} autoComplete="off" onChange={(e) => onChange(e.target.value)} />
  );

  return (
    <section className="panel settings-section" aria-labelledby="settings-models" id="settings-section-models">
      <h2 id="settings-models">Models</h2>
      <form className="models-form" onSubmit={(e) => e.preventDefault()} noValidate aria-label="Models">
        <datalist id={listId}>
          {(catalog.data ?? []).map((m) => (
            <option key={m.id} value={m.id}>
              {m.kinds.join(', ')}
            </option>
          ))}
        </datalist>
        {catalog.error && <p className="setting-note">Model suggestions are unavailable: {catalog.error.message}</p>}

        <h3>Aliases</h3>
        <p className="setting-note">A name a client sends → the model the accounts serve (e.g. a dated Claude name → the one served).</p>
        <div className="model-rows">
          {draft.aliases.map((r, i) => (
            <div className="model-row" key={i}>
              {modelInput(`Alias ${i + 1}: client model`, r.from, (v) => setAlias(i, { from: v }))}
              <span aria-hidden="true">→</span>
              {modelInput(`Alias ${i + 1}: served model`, r.to, (v) => setAlias(i, { to: v }))}
              <button type="button" className="btn" onClick={() => edit({ aliases: draft.aliases.filter((_, k) => k !== i) })}>
                Remove alias {i + 1}
              </button>
            </div>
          ))}
        </div>
        <button type="button" className="btn" onClick={() => edit({ aliases: [...draft.aliases, { from: '', to: '' }] })}>
          Add alias
        </button>

        <h3>Fallback chains</h3>
        <p className="setting-note">When every account for a model is exhausted, locked or over a limit, these are tried in order (comma-separated).</p>
        <div className="model-rows">
          {draft.fallbacks.map((r, i) => (
            <div className="model-row" key={i}>
              {modelInput(`Fallback ${i + 1}: model`, r.model, (v) => setFallback(i, { model: v }))}
              <span aria-hidden="true">→</span>
              <input type="text" aria-label={`Fallback ${i + 1}: then`} value={r.chain} spellCheck={false} autoComplete="off" onChange={(e) => setFallback(i, { chain: e.target.value })} />
              <button type="button" className="btn" onClick={() => edit({ fallbacks: draft.fallbacks.filter((_, k) => k !== i) })}>
                Remove fallback {i + 1}
              </button>
            </div>
          ))}
        </div>
        <button type="button" className="btn" onClick={() => edit({ fallbacks: [...draft.fallbacks, { model: '', chain: '' }] })}>
          Add fallback chain
        </button>

        <h3>Sticky sessions</h3>
        <div className="settings-grid">
          <div className="setting setting-toggle">
            <div className="setting-control">
              <input id={`${listId}-sticky`} type="checkbox" checked={draft.sticky} onChange={(e) => edit({ sticky: e.target.checked })} />
              <label htmlFor={`${listId}-sticky`}>Keep a conversation on its account</label>
            </div>
            <p className="setting-note">While that account can serve it, so the upstream prompt cache stays warm.</p>
          </div>
          <div className="setting">
            <label htmlFor={`${listId}-ttl`}>Idle session expiry (seconds)</label>
            <div className="setting-control">
              <input id={`${listId}-ttl`} type="number" inputMode="numeric" min={10} max={604800} value={draft.ttl} onChange={(e) => edit({ ttl: e.target.value })} />
            </div>
          </div>
        </div>

        {!result.ok && touched && (
          <ul className="save-error" role="alert" aria-label="Problems">
            {result.problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        )}
        {unknown.length > 0 && <p className="setting-note">Not served by any account now: {unknown.join(', ')}</p>}
        {serverError && (
          <p className="save-error" role="alert">
            {serverError}
          </p>
        )}
      </form>
    </section>
  );
}
