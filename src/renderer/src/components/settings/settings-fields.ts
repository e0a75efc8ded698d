// The settings the page edits: how each is shown (text in an input, a percent for a fraction),
// and the turn from edited text back into a `settings:update` patch. Validation is the
// contract's own settingsPatchSchema; its issues are reworded in the units the user sees.
import '../../../../shared/zod-jitless'; // first: before the contract builds its schemas (the CSP forbids eval)
import type { z } from 'zod';
import { settingsPatchSchema } from '../../../../shared/contract';
import { LOG_LEVELS, SELECTION_STRATEGIES, type Settings } from '../../../../shared/types';

export type NumberFormat = 'int' | 'number' | 'percent';

export type FieldDef =
  | { key: keyof Settings; kind: 'number'; format: NumberFormat; label: string; unit?: string; note?: string }
  | { key: keyof Settings; kind: 'toggle'; label: string; note?: string }
  | { key: keyof Settings; kind: 'select'; label: string; options: ReadonlyArray<{ value: string; label: string }>; note?: string };

/** What an input holds: text for numbers and selects, a boolean for toggles. */
export type RawValue = string | boolean;
export type Edits = Partial<Record<keyof Settings, RawValue>>;
export type FieldErrors = Partial<Record<string, string>>;

// Fractions are edited as percents; round away float noise (0.07 * 100 = 7.000000000000001).
const toPercent = (f: number) => String(Math.round(f * 100 * 1e6) / 1e6);

export function toRaw(def: FieldDef, value: Settings[keyof Settings]): RawValue {
  if (def.kind === 'toggle') return value === true;
  if (def.kind === 'select') return String(value ?? '');
  if (typeof value !== 'number') return '';
  return def.format === 'percent' ? toPercent(value) : String(value);
}

/** Blank or non-numeric text becomes NaN, which the schema reports as "not a number". */
export function fromRaw(def: FieldDef, raw: RawValue): unknown {
  if (def.kind === 'toggle') return raw === true;
  if (def.kind === 'select') return raw;
  const text = String(raw).trim();
  const n = text === '' ? Number.NaN : Number(text);
  return def.format === 'percent' ? n / 100 : n;
}

/** The fields whose edited value differs from the current settings. */
export function dirtyKeys(defs: readonly FieldDef[], settings: Settings, edits: Edits): Array<keyof Settings> {
  return defs.filter((d) => edits[d.key] !== undefined && edits[d.key] !== toRaw(d, settings[d.key])).map((d) => d.key);
}

export type PatchResult = { ok: true; patch: Partial<Settings> } | { ok: false; errors: FieldErrors };

/** The patch of changed keys only, validated by the contract's schema. */
export function buildPatch(defs: readonly FieldDef[], settings: Settings, edits: Edits): PatchResult {
  const byKey = new Map(defs.map((d) => [d.key, d]));
  const patch: Record<string, unknown> = {};
  for (const key of dirtyKeys(defs, settings, edits)) patch[key] = fromRaw(byKey.get(key)!, edits[key]!);
  const parsed = settingsPatchSchema.safeParse(patch);
  if (parsed.success) return { ok: true, patch: parsed.data as Partial<Settings> };
  return { ok: false, errors: issuesToErrors(parsed.error.issues, (key) => byKey.get(key as keyof Settings)) };
}

/** One message per field, in the units its input shows. */
export function issuesToErrors(issues: readonly z.core.$ZodIssue[], defFor: (key: string) => FieldDef | undefined): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of issues) {
    const key = String(issue.path[0] ?? '');
    errors[key] ??= describeIssue(issue, defFor(key));
  }
  return errors;
}

export function describeIssue(issue: z.core.$ZodIssue, def: FieldDef | undefined): string {
  const percent = def?.kind === 'number' && def.format === 'percent';
  const unit = def?.kind === 'number' && def.unit ? ` ${def.unit}` : percent ? '%' : '';
  const show = (n: number | bigint) => `${percent ? toPercent(Number(n)) : Number(n).toLocaleString('en-US')}${unit}`;
  switch (issue.code) {
    case 'too_small':
      return issue.inclusive === false ? `Must be more than ${show(issue.minimum)}` : `Must be at least ${show(issue.minimum)}`;
    case 'too_big':
      return issue.inclusive === false ? `Must be less than ${show(issue.maximum)}` : `Must be at most ${show(issue.maximum)}`;
    case 'invalid_type':
      if (issue.expected === 'int') return 'Must be a whole number';
      if (issue.expected === 'number') return 'Enter a number';
      return issue.message;
    default:
      return issue.message;
  }
}

/** Bounds for the input's min/max hints, read from the schema (percent fields: 0–100). */
export function numberBounds(def: FieldDef): { min?: number; max?: number; step?: number | 'any' } {
  if (def.kind !== 'number') return {};
  if (def.format === 'percent') return { min: 0, max: 100, step: 'any' };
  const field = settingsPatchSchema.shape[def.key];
  const inner = 'unwrap' in field ? (field.unwrap() as { minValue?: number | null; maxValue?: number | null }) : {};
  return {
    ...(typeof inner.minValue === 'number' && Number.isFinite(inner.minValue) ? { min: inner.minValue } : {}),
    ...(typeof inner.maxValue === 'number' && Number.isFinite(inner.maxValue) ? { max: inner.maxValue } : {}),
    step: def.format === 'int' ? 1 : 'any',
  };
}

const STRATEGY_LABELS: Record<Settings['selectionStrategy'], string> = {
  priority: 'Priority: most remaining quota first',
  'reset-aware': 'Reset-aware: soonest reset first (default)',
  'round-robin': 'Round robin',
};
const LOG_LEVEL_LABELS: Record<Settings['logLevel'], string> = {
  error: 'Errors only',
  warn: 'Warnings and errors',
  info: 'Info (default)',
  debug: 'Debug (verbose)',
};

/** Every setting the page edits, by key; the sections pick theirs from here. */
export const FIELDS = {
  syncIntervalSec: { key: 'syncIntervalSec', kind: 'number', format: 'int', label: 'Sync interval', unit: 'seconds', note: 'How often every account’s quota is polled.' },
  syncTimeoutSec: { key: 'syncTimeoutSec', kind: 'number', format: 'number', label: 'Timeout per account', unit: 'seconds' },
  concurrency: { key: 'concurrency', kind: 'number', format: 'int', label: 'Concurrency', note: 'Accounts synced at the same time.' },
  providerConcurrency: { key: 'providerConcurrency', kind: 'number', format: 'int', label: 'Per-provider concurrency', note: 'At most this many at once against one provider.' },
  lowThreshold: { key: 'lowThreshold', kind: 'number', format: 'percent', label: 'Low threshold', note: 'Below this much remaining a quota counts as low and is used only as a fallback.' },
  selectionStrategy: {
    key: 'selectionStrategy',
    kind: 'select',
    label: 'Selection strategy',
    options: SELECTION_STRATEGIES.map((value) => ({ value, label: STRATEGY_LABELS[value] })),
    note: 'How the proxy picks among equally ranked accounts (same decision and tier). Reset-aware spends the quota that would expire unused first — unless that account is forecast to run out before its reset.',
  },
  notificationsEnabled: { key: 'notificationsEnabled', kind: 'toggle', label: 'Desktop notifications', note: 'When a quota turns low, runs out or recovers, and when a usage limit is near.' },
  closeToTray: { key: 'closeToTray', kind: 'toggle', label: 'Keep running in the tray when the window closes', note: 'Desktop app only.' },
  proxyEnabled: { key: 'proxyEnabled', kind: 'toggle', label: 'Local proxy', note: 'Takes effect after a restart.' },
  proxyPort: { key: 'proxyPort', kind: 'number', format: 'int', label: 'Proxy port', note: 'On 127.0.0.1; 0 picks a free port. Takes effect after a restart.' },
  proxyMaxAttempts: { key: 'proxyMaxAttempts', kind: 'number', format: 'int', label: 'Accounts tried per request', note: 'Before the proxy answers 429 to the client.' },
  limitsDryRun: {
    key: 'limitsDryRun',
    kind: 'toggle',
    label: 'Dry run: warn only',
    note: 'Limits still warn at 80%, 90% and 100%, but nothing is suspended: no account is skipped and no request refused.',
  },
  usageRetentionDays: { key: 'usageRetentionDays', kind: 'number', format: 'int', label: 'Keep request log', unit: 'days', note: 'Older request rows are deleted; daily totals are kept.' },
  snapshotRetentionDays: { key: 'snapshotRetentionDays', kind: 'number', format: 'int', label: 'Keep quota history', unit: 'days' },
  logLevel: {
    key: 'logLevel',
    kind: 'select',
    label: 'Log level',
    options: LOG_LEVELS.map((value) => ({ value, label: LOG_LEVEL_LABELS[value] })),
    note: 'The lowest level written to the log file.',
  },
} satisfies Partial<Record<keyof Settings, FieldDef>>;

export type EditableKey = keyof typeof FIELDS;
export const FIELD_LIST: readonly FieldDef[] = Object.values(FIELDS);
