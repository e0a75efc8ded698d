// Settings → Advanced: where QuotaDeck talks to (a base URL per provider, OAuth token and
// authorize pages per family, Google's userinfo) and the Google OAuth client. Blank means the
// built-in default. A draft saved by the page's one save bar; checked with the contract's schema.
import '../../../../shared/zod-jitless'; // first: before the contract builds its schemas (the CSP forbids eval)
import { useEffect, useId, useState } from 'react';
import { settingsPatchSchema } from '../../../../shared/contract';
import { OAUTH_FAMILIES, PROVIDER_IDS, type Settings } from '../../../../shared/types';
import { useSettingsStore } from '../../stores/settings-store';
import { PROVIDER_SHORT } from '../accounts/provider-fields';
import { useClient } from '../client-context';
import { useSavePart } from './save-parts';

type MapKey = 'baseUrls' | 'oauthTokenUrls' | 'oauthAuthorizeUrls';
type ScalarKey = 'googleUserinfoUrl' | 'googleClientId' | 'googleClientSecret';

interface Field {
  /** "baseUrls.claude" or "googleClientId". */
  id: string;
  label: string;
  map?: MapKey;
  entry?: string;
  scalar?: ScalarKey;
  secret?: boolean;
  placeholder: string;
}

const FAMILY_NAME: Record<(typeof OAUTH_FAMILIES)[number], string> = { google: 'Google', claude: 'Claude', codex: 'Codex (OpenAI)' };

const GROUPS: Array<{ title: string; note: string; fields: Field[] }> = [
  {
    title: 'Base URLs',
    note: 'The quota and API endpoints per provider. QUOTADECK_<PROVIDER>_BASE_URL in the environment wins over these.',
    fields: PROVIDER_IDS.map((p) => ({ id: `baseUrls.${p}`, label: `${PROVIDER_SHORT[p]} base URL`, map: 'baseUrls' as const, entry: p, placeholder: 'built-in default' })),
  },
  {
    title: 'OAuth',
    note: 'Token and sign-in pages per family, and the Google OAuth client used to refresh Google accounts that have none of their own.',
    fields: [
      ...OAUTH_FAMILIES.map((f) => ({ id: `oauthTokenUrls.${f}`, label: `${FAMILY_NAME[f]} token URL`, map: 'oauthTokenUrls' as const, entry: f, placeholder: 'built-in default' })),
      ...OAUTH_FAMILIES.map((f) => ({ id: `oauthAuthorizeUrls.${f}`, label: `${FAMILY_NAME[f]} sign-in page`, map: 'oauthAuthorizeUrls' as const, entry: f, placeholder: 'built-in default' })),
      { id: 'googleUserinfoUrl', label: 'Google userinfo URL', scalar: 'googleUserinfoUrl', placeholder: 'built-in default' },
      { id: 'googleClientId', label: 'Google OAuth client id', scalar: 'googleClientId', placeholder: 'the public client of the tool the account came from' },
      { id: 'googleClientSecret', label: 'Google OAuth client secret', scalar: 'googleClientSecret', secret: true, placeholder: 'none' },
    ],
  },
];
const FIELDS = GROUPS.flatMap((g) => g.fields);

function valueOf(s: Settings, f: Field): string {
  if (f.map) return (s[f.map] as Record<string, string | undefined>)[f.entry!] ?? '';
  return s[f.scalar!] ?? '';
}

/** The patch of what the draft changes ('' removes a map entry, null clears a scalar). */
export function advancedPatch(s: Settings, draft: Record<string, string>): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  for (const f of FIELDS) {
    const v = draft[f.id];
    if (v === undefined || v.trim() === valueOf(s, f)) continue;
    const t = v.trim();
    if (f.map) patch[f.map] = { ...((patch[f.map] as object | undefined) ?? {}), [f.entry!]: t };
    else patch[f.scalar!] = t === '' ? null : t;
  }
  return patch;
}

export function AdvancedSettings({ settings }: { settings: Settings }) {
  const client = useClient();
  const uid = useId();
  const [draft, setDraft] = useState<Record<string, string>>({});
  const [serverError, setServerError] = useState<string | null>(null);
  const [open, setOpen] = useState(false);

  // Edits that now equal the saved value are dropped, so the section is clean after a save.
  useEffect(() => setDraft((d) => Object.fromEntries(Object.entries(d).filter(([id, v]) => v.trim() !== valueOf(settings, FIELDS.find((f) => f.id === id)!)))), [settings]);

  const patch = advancedPatch(settings, draft);
  const parsed = settingsPatchSchema.safeParse(patch);
  const errors: Record<string, string> = {};
  if (!parsed.success) {
    for (const i of parsed.error.issues) {
      const key = i.path.slice(0, 2).join('.');
      const id = FIELDS.some((f) => f.id === key) ? key : String(i.path[0]);
      errors[id] ??= i.code === 'invalid_format' || /url/i.test(i.message) ? 'Enter a full URL (https://…), or leave blank for the default' : i.message;
    }
  }
  const dirty = FIELDS.filter((f) => draft[f.id] !== undefined && draft[f.id]!.trim() !== valueOf(settings, f)).length;

  const commit = async (): Promise<string | null> => {
    if (!parsed.success) return 'fix the marked fields';
    if (Object.keys(patch).length === 0) return null;
    setServerError(null);
    try {
      useSettingsStore.getState().apply(await client.invoke('settings:update', patch as Partial<Settings>));
      return null;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      setServerError(message);
      return message;
    }
  };
  useSavePart('advanced', { label: 'Advanced', dirty, valid: parsed.success, save: commit, reset: () => setDraft({}) });

  return (
    <section className="panel settings-section" aria-labelledby="settings-advanced" id="settings-section-advanced">
      <h2 id="settings-advanced">Advanced</h2>
      <details className="advanced-details" open={open || dirty > 0} onToggle={(e) => setOpen((e.target as HTMLDetailsElement).open)}>
        <summary>Base URLs and OAuth clients{dirty > 0 ? ` (${dirty} unsaved)` : ''}</summary>
        {GROUPS.map((g) => (
          <fieldset key={g.title} className="advanced-group">
            <legend>{g.title}</legend>
            <p className="setting-note">{g.note}</p>
            <div className="advanced-grid">
              {g.fields.map((f) => {
                const id = `${uid}-${f.id}`;
                const error = draft[f.id] !== undefined ? errors[f.id] : undefined;
                return (
                  <div key={f.id} className={`setting${draft[f.id] !== undefined && draft[f.id]!.trim() !== valueOf(settings, f) ? ' is-dirty' : ''}${error ? ' has-error' : ''}`}>
                    <label htmlFor={id}>{f.label}</label>
                    <input
                      id={id}
                      type={f.secret ? 'password' : 'text'}
                      value={draft[f.id] ?? valueOf(settings, f)}
                      placeholder={f.placeholder}
                      spellCheck={false}
                      autoComplete="off"
                      aria-invalid={error ? true : undefined}
                      aria-describedby={error ? `${id}-error` : undefined}
                      onChange={(e) => setDraft((d) => ({ ...d, [f.id]: e.target.value }))}
                    />
                    {error && (
                      <p className="setting-error" id={`${id}-error`}>
                        {error}
                      </p>
                    )}
                  </div>
                );
              })}
            </div>
          </fieldset>
        ))}
        {serverError && (
          <p className="save-error" role="alert">
            Advanced settings not saved: {serverError}
          </p>
        )}
      </details>
    </section>
  );
}
