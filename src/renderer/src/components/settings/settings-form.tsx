// The settings sections and their save bar. Edits are kept apart from the mirrored settings:
// a field shows its edit if there is one, else the current value, so a `settings:changed`
// from elsewhere updates every field the user has not touched. Save sends the changed keys
// only, after the contract's schema accepts them; Reset drops the edits.
import '../../../../shared/zod-jitless'; // first: before the contract builds its schemas (the CSP forbids eval)
import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { ContractError, settingsPatchSchema } from '../../../../shared/contract';
import type { Settings } from '../../../../shared/types';
import { useSettingsStore } from '../../stores/settings-store';
import { useClient } from '../client-context';
import { ProxyPanel } from '../proxy-panel';
import { AdvancedSettings } from './advanced-settings';
import { LimitsEditor } from './limits-editor';
import { PricingEditor } from './pricing-editor';
import { saveParts, useSaveParts } from './save-parts';
import { ModelsEditor } from './models-editor';
import { ServiceFacts } from './service-facts';
import { SettingField } from './setting-field';
import { buildPatch, dirtyKeys, FIELD_LIST, FIELDS, fromRaw, issuesToErrors, toRaw, type EditableKey, type Edits, type FieldErrors, type RawValue } from './settings-fields';

const FORM_ID = 'settings-form';

export function SettingsForm({ settings }: { settings: Settings }) {
  const client = useClient();
  // Web mode (the headless service): no tray and no desktop notifications to set.
  const desktop = client.kind === 'ipc';
  const [edits, setEdits] = useState<Edits>({});
  const [errors, setErrors] = useState<FieldErrors>({});
  const [saving, setSaving] = useState(false);
  const [serverError, setServerError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const focusInvalid = useRef(false);

  const dirty = dirtyKeys(FIELD_LIST, settings, edits);
  // The sections with drafts of their own (models, limits, pricing, advanced) save with this bar.
  const parts = useSaveParts((s) => s.parts);
  const partsDirty = Object.values(parts).reduce((n, p) => n + p.dirty, 0);
  const invalidParts = Object.values(parts).filter((p) => p.dirty > 0 && !p.valid);
  const unsaved = dirty.length + partsDirty;

  // After a refused save, take the keyboard to the first field that needs fixing.
  useEffect(() => {
    if (!focusInvalid.current) return;
    focusInvalid.current = false;
    document.querySelector<HTMLElement>('.settings-page [aria-invalid="true"]')?.focus();
  }, [errors]);

  const change = (key: EditableKey, value: RawValue) => {
    setEdits((cur) => ({ ...cur, [key]: value }));
    setErrors(({ [key]: _, ...rest }) => rest);
    setSaved(false);
  };

  /** Checks one field as soon as it is left, with the same schema as Save. */
  const check = (key: EditableKey) => {
    const raw = edits[key];
    if (raw === undefined || raw === toRaw(FIELDS[key], settings[key])) return;
    const parsed = settingsPatchSchema.safeParse({ [key]: fromRaw(FIELDS[key], raw) });
    if (!parsed.success) setErrors((cur) => ({ ...cur, ...issuesToErrors(parsed.error.issues, () => FIELDS[key]) }));
  };

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    setServerError(null);
    const result = buildPatch(FIELD_LIST, settings, edits);
    if (!result.ok) {
      focusInvalid.current = true;
      setErrors(result.errors);
      return;
    }
    const current = useSaveParts.getState().parts;
    const blocked = Object.values(current).filter((p) => p.dirty > 0 && !p.valid);
    if (blocked.length > 0) {
      setServerError(`Fix the problems shown in ${blocked.map((p) => p.label).join(', ')} to save.`);
      return;
    }
    const keys = Object.keys(result.patch) as EditableKey[];
    if (keys.length === 0 && !Object.values(current).some((p) => p.dirty > 0)) return;
    const sent = { ...edits };
    setErrors({});
    setSaving(true);
    const problems: string[] = [];
    if (keys.length > 0) {
      try {
        useSettingsStore.getState().apply(await client.invoke('settings:update', result.patch));
        // Keep whatever was typed while the save was in flight.
        setEdits((cur) => Object.fromEntries(Object.entries(cur).filter(([k, v]) => !(keys.includes(k as EditableKey) && sent[k as EditableKey] === v))));
      } catch (err) {
        problems.push(err instanceof Error ? err.message : String(err));
        const issues = err instanceof ContractError ? (err.details as { issues?: Array<{ path: string; message: string }> } | undefined)?.issues : undefined;
        if (issues) setErrors(Object.fromEntries(issues.map((i) => [i.path.split('.')[0], i.message])));
      }
    }
    problems.push(...(await saveParts(current)));
    setSaving(false);
    if (problems.length === 0) setSaved(true);
    else setServerError(problems.join(' · '));
  };

  const reset = () => {
    for (const part of Object.values(useSaveParts.getState().parts)) part.reset();
    setEdits({});
    setErrors({});
    setServerError(null);
    setSaved(false);
  };

  const field = (key: EditableKey) => (
    <SettingField
      def={FIELDS[key]}
      value={edits[key] ?? toRaw(FIELDS[key], settings[key])}
      error={errors[key]}
      dirty={dirty.includes(key)}
      form={FORM_ID}
      onChange={(v) => change(key, v)}
      onBlur={() => check(key)}
    />
  );
  const errorCount = Object.keys(errors).length;

  return (
    <div className="settings-page">
      <Section id="monitor" title="Monitor">
        {field('syncIntervalSec')}
        {field('syncTimeoutSec')}
        {field('concurrency')}
        {field('providerConcurrency')}
        {field('lowThreshold')}
        {field('selectionStrategy')}
      </Section>

      {desktop && (
        <Section id="notifications" title="Notifications">
          {field('notificationsEnabled')}
          {field('closeToTray')}
        </Section>
      )}

      <Section id="proxy" title="Proxy" after={<ProxyPanel embedded />}>
        {field('proxyEnabled')}
        {field('proxyPort')}
        {field('proxyMaxAttempts')}
      </Section>

      <ModelsEditor settings={settings} />

      <Section id="limits" title="Limits" after={<LimitsEditor dryRun={settings.limitsDryRun} inSaveBar />}>
        {field('limitsDryRun')}
      </Section>

      <Section id="pricing" title="Pricing" after={<PricingEditor />}>
        {null}
      </Section>

      <Section id="data" title="Data" before={<ServiceFacts />}>
        {field('usageRetentionDays')}
        {field('snapshotRetentionDays')}
      </Section>

      <Section id="logging" title="Logging">
        {field('logLevel')}
      </Section>

      <AdvancedSettings settings={settings} />

      <form id={FORM_ID} className={`settings-savebar${unsaved > 0 ? ' is-dirty' : ''}`} onSubmit={(e) => void save(e)} noValidate aria-label="Save settings">
        <span className={`savebar-state${saved && unsaved === 0 && !saving ? ' is-saved' : ''}`} role="status">
          {saving
            ? 'Saving…'
            : unsaved > 0
              ? `${unsaved} unsaved ${unsaved === 1 ? 'change' : 'changes'}`
              : saved
                ? 'Saved'
                : 'No unsaved changes'}
        </span>
        {(errorCount > 0 || serverError || invalidParts.length > 0) && (
          <span className="save-error" role="alert">
            {serverError ??
              (errorCount > 0
                ? `Fix the ${errorCount === 1 ? 'marked field' : `${errorCount} marked fields`} to save.`
                : `Fix the problems shown in ${invalidParts.map((p) => p.label).join(', ')} to save.`)}
          </span>
        )}
        <span className="savebar-actions">
          <button type="button" className="btn" onClick={reset} disabled={saving || (unsaved === 0 && errorCount === 0)}>
            Reset
          </button>
          <button type="submit" className="btn btn-primary" disabled={saving || unsaved === 0 || invalidParts.length > 0}>
            Save
          </button>
        </span>
      </form>
    </div>
  );
}

function Section({ id, title, children, before, after }: { id: string; title: string; children?: ReactNode; before?: ReactNode; after?: ReactNode }) {
  return (
    <section className="panel settings-section" aria-labelledby={`settings-${id}`} id={`settings-section-${id}`}>
      <h2 id={`settings-${id}`}>{title}</h2>
      {before}
      {children && <div className="settings-grid">{children}</div>}
      {after}
    </section>
  );
}
