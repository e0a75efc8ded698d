// Settings → Pricing: the USD per million tokens the ledger prices requests with
// (`pricing:list`), most specific pattern first. Prices are edited in place, patterns added and
// removed as a draft that the page's one save bar saves (`pricing:set` / `pricing:remove`);
// each row is checked with the contract's own schema. A preview prices a sample request with
// the draft, matched exactly as the ledger matches (shared/price-match.ts).
import '../../../../shared/zod-jitless'; // first: before the contract builds its schemas (the CSP forbids eval)
import { useCallback, useEffect, useId, useMemo, useState } from 'react';
import { requestSchemas } from '../../../../shared/contract';
import { costOf, matchPrice } from '../../../../shared/price-match';
import type { PricingRow } from '../../../../shared/types';
import { formatCost, formatCount } from '../../format';
import { useClient } from '../client-context';
import { useContractQuery } from '../use-contract-query';
import { useSavePart } from './save-parts';

interface DraftRow {
  key: number;
  pattern: string;
  input: string;
  output: string;
  /** The saved row this edits, or null for a new pattern. */
  saved: PricingRow | null;
  removed: boolean;
}

let nextKey = 1;
const rowOf = (p: PricingRow): DraftRow => ({ key: nextKey++, pattern: p.pattern, input: String(p.inputPerMTok), output: String(p.outputPerMTok), saved: p, removed: false });
const num = (t: string) => (t.trim() === '' ? Number.NaN : Number(t));
const usd = (n: number) => `$${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 4 })}`;

function changed(r: DraftRow): boolean {
  if (r.removed) return r.saved !== null;
  if (!r.saved) return r.pattern.trim() !== '' || r.input.trim() !== '' || r.output.trim() !== '';
  return num(r.input) !== r.saved.inputPerMTok || num(r.output) !== r.saved.outputPerMTok;
}

/** What is wrong with a row that would be sent, or null. */
function problemOf(r: DraftRow, rows: readonly DraftRow[]): string | null {
  if (r.removed || !changed(r)) return null;
  const parsed = requestSchemas['pricing:set'].safeParse({ pattern: r.pattern, inputPerMTok: num(r.input), outputPerMTok: num(r.output) });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path[0] === 'pattern' ? 'Pattern' : issue.path[0] === 'inputPerMTok' ? 'Input price' : 'Output price';
    if (issue.code === 'invalid_type') return `${field}: enter a number`;
    if (issue.code === 'too_small') return `${field}: ${field === 'Pattern' ? 'required' : 'at least 0'}`;
    if (issue.code === 'too_big') return `${field}: ${field === 'Pattern' ? 'at most 200 characters' : 'at most 100,000'}`;
    return `${field}: ${issue.message}`;
  }
  const p = r.pattern.trim().toLowerCase();
  if (rows.some((o) => o !== r && !o.removed && o.pattern.trim().toLowerCase() === p)) return `Pattern: "${r.pattern.trim()}" is listed twice`;
  return null;
}

export function PricingEditor() {
  const client = useClient();
  const uid = useId();
  const [rows, setRows] = useState<DraftRow[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [serverError, setServerError] = useState<string | null>(null);
  const [sample, setSample] = useState({ model: 'claude-sonnet-4-5', input: '10000', output: '2000' });
  const catalog = useContractQuery('models:list', undefined);

  const load = useCallback(
    () =>
      client.invoke('pricing:list').then(
        (list) => {
          setRows(list.map(rowOf));
          setLoadError(null);
        },
        (err: unknown) => setLoadError(err instanceof Error ? err.message : String(err)),
      ),
    [client],
  );
  useEffect(() => void load(), [load]);

  const all = rows ?? [];
  const dirty = all.filter(changed);
  const problems = new Map(all.map((r) => [r.key, problemOf(r, all)] as const).filter(([, p]) => p !== null) as Array<[number, string]>);

  const commit = async (): Promise<string | null> => {
    if (problems.size > 0) return 'fix the marked prices';
    setServerError(null);
    const failures: string[] = [];
    for (const r of dirty) {
      try {
        if (r.removed) await client.invoke('pricing:remove', { pattern: r.saved!.pattern });
        else await client.invoke('pricing:set', { pattern: r.pattern.trim(), inputPerMTok: num(r.input), outputPerMTok: num(r.output) });
      } catch (err) {
        failures.push(`${r.pattern.trim()}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    // The list as the service now has it (a removed built-in comes back at its default price).
    await load();
    const message = failures.length > 0 ? failures.join('; ') : null;
    setServerError(message);
    return message;
  };
  const reset = () => {
    setServerError(null);
    void load();
  };
  useSavePart('pricing', { label: 'Pricing', dirty: dirty.length, valid: problems.size === 0, save: commit, reset });

  const update = (key: number, patch: Partial<DraftRow>) => setRows((cur) => (cur ?? []).map((r) => (r.key === key ? { ...r, ...patch } : r)));

  // The preview prices the sample with the draft as it stands (unsaved edits included).
  const preview = useMemo(() => {
    const prices = all
      .filter((r) => !r.removed && r.pattern.trim() !== '' && Number.isFinite(num(r.input)) && Number.isFinite(num(r.output)))
      .map((r) => ({ pattern: r.pattern.trim(), inputPerMTok: num(r.input), outputPerMTok: num(r.output) }));
    const model = sample.model.trim();
    const inTok = Math.max(0, Math.round(num(sample.input) || 0));
    const outTok = Math.max(0, Math.round(num(sample.output) || 0));
    const price = model ? matchPrice(prices, model) : null;
    return { model, inTok, outTok, price, cost: costOf(price, inTok, outTok) };
  }, [all, sample]);

  if (loadError && !rows) return <p role="alert">Could not load the prices: {loadError}</p>;
  if (!rows) return <p className="muted" aria-busy="true">Loading prices…</p>;
  const id = (n: string) => `${uid}-${n}`;

  return (
    <div className="pricing-editor">
      <p className="setting-note">
        USD per million tokens, used for the cost of each request in the Usage page. <code>*</code> matches any run of characters; the most specific pattern wins; a pattern
        without <code>/</code> matches the model&apos;s last path segment. Removing an edited built-in price restores its default.
      </p>
      <div className="table-scroll">
        <table className="data-table pricing-table">
          <caption className="visually-hidden">Prices per model pattern</caption>
          <thead>
            <tr>
              <th scope="col">Pattern</th>
              <th scope="col">Input $/M</th>
              <th scope="col">Output $/M</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => {
              const problem = problems.get(r.key);
              const name = r.pattern.trim() || `new pattern ${i + 1}`;
              return (
                <tr key={r.key} className={`${r.removed ? 'is-removed' : ''}${changed(r) ? ' is-dirty' : ''}`} data-pattern={r.saved?.pattern ?? ''}>
                  <td>
                    {r.saved ? (
                      <code className="pricing-pattern">{r.saved.pattern}</code>
                    ) : (
                      <input type="text" aria-label={`Pattern ${i + 1}`} value={r.pattern} placeholder="e.g. my-model-*" spellCheck={false} autoComplete="off" onChange={(e) => update(r.key, { pattern: e.target.value })} />
                    )}
                    {r.saved?.isDefault && <span className="muted small"> built-in</span>}
                    {problem && (
                      <div className="setting-error small" role="alert">
                        {problem}
                      </div>
                    )}
                  </td>
                  <td>
                    <input className="price-input" type="number" min={0} step="any" inputMode="decimal" aria-label={`Input price for ${name}`} value={r.input} disabled={r.removed} onChange={(e) => update(r.key, { input: e.target.value })} />
                  </td>
                  <td>
                    <input className="price-input" type="number" min={0} step="any" inputMode="decimal" aria-label={`Output price for ${name}`} value={r.output} disabled={r.removed} onChange={(e) => update(r.key, { output: e.target.value })} />
                  </td>
                  <td className="pricing-actions">
                    {r.removed ? (
                      <button type="button" className="btn btn-small" onClick={() => update(r.key, { removed: false })}>
                        Keep {name}
                      </button>
                    ) : !r.saved ? (
                      <button type="button" className="btn btn-small" onClick={() => setRows((cur) => (cur ?? []).filter((o) => o.key !== r.key))}>
                        Drop {name}
                      </button>
                    ) : r.saved.isDefault ? null : (
                      <button type="button" className="btn btn-small" onClick={() => update(r.key, { removed: true })}>
                        Remove {name}
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <button type="button" className="btn" onClick={() => setRows((cur) => [...(cur ?? []), { key: nextKey++, pattern: '', input: '', output: '', saved: null, removed: false }])}>
        Add price
      </button>
      {serverError && (
        <p className="save-error" role="alert">
          Prices not saved: {serverError}
        </p>
      )}

      <fieldset className="pricing-preview">
        <legend>Preview: the cost of a sample request{dirty.length > 0 ? ' (with the unsaved changes)' : ''}</legend>
        <datalist id={id('models')}>
          {(catalog.data ?? []).map((m) => (
            <option key={m.id} value={m.id} />
          ))}
        </datalist>
        <label>
          Model
          <input type="text" list={id('models')} value={sample.model} spellCheck={false} autoComplete="off" onChange={(e) => setSample((s) => ({ ...s, model: e.target.value }))} />
        </label>
        <label>
          Input tokens
          <input type="number" min={0} step={1} value={sample.input} onChange={(e) => setSample((s) => ({ ...s, input: e.target.value }))} />
        </label>
        <label>
          Output tokens
          <input type="number" min={0} step={1} value={sample.output} onChange={(e) => setSample((s) => ({ ...s, output: e.target.value }))} />
        </label>
        <output className="pricing-preview-result" aria-live="polite" htmlFor={undefined}>
          {!preview.model ? (
            'Enter a model name.'
          ) : preview.price ? (
            <>
              {formatCount(preview.inTok)} in + {formatCount(preview.outTok)} out of <code>{preview.model}</code> cost <strong>{formatCost(preview.cost)}</strong> — priced by{' '}
              <code>{preview.price.pattern}</code> ({usd(preview.price.inputPerMTok)} in, {usd(preview.price.outputPerMTok)} out per million)
            </>
          ) : (
            <>
              No pattern matches <code>{preview.model}</code>: its requests are recorded without a cost.
            </>
          )}
        </output>
      </fieldset>
    </div>
  );
}
