// One labelled setting: a number input, a checkbox or a select, with its note and its error
// tied to the control (aria-describedby) so both are read with it.
import { useId } from 'react';
import { numberBounds, type FieldDef, type RawValue } from './settings-fields';

export interface SettingFieldProps {
  def: FieldDef;
  value: RawValue;
  error?: string | undefined;
  dirty: boolean;
  /** The form the control submits (the settings save bar), since sections sit outside it. */
  form: string;
  onChange(value: RawValue): void;
  /** Leaving a number field checks it. */
  onBlur?(): void;
}

export function SettingField({ def, value, error, dirty, form, onChange, onBlur }: SettingFieldProps) {
  const id = useId();
  const noteId = `${id}-note`;
  const errorId = `${id}-error`;
  const describedBy = [error ? errorId : null, def.note ? noteId : null].filter(Boolean).join(' ') || undefined;
  const common = { id, form, 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy } as const;
  const className = `setting${dirty ? ' is-dirty' : ''}${error ? ' has-error' : ''}${def.kind === 'toggle' ? ' setting-toggle' : ''}`;

  const note = def.note && (
    <p className="setting-note" id={noteId}>
      {def.note}
    </p>
  );
  const errorText = error && (
    <p className="setting-error" id={errorId}>
      {error}
    </p>
  );

  if (def.kind === 'toggle') {
    return (
      <div className={className} data-setting={def.key}>
        <div className="setting-control">
          <input {...common} type="checkbox" checked={value === true} onChange={(e) => onChange(e.target.checked)} />
          <label htmlFor={id}>{def.label}</label>
        </div>
        {errorText}
        {note}
      </div>
    );
  }

  return (
    <div className={className} data-setting={def.key}>
      <label htmlFor={id}>
        {def.label}
        {def.kind === 'number' && (def.unit || def.format === 'percent') && <span className="visually-hidden"> ({def.format === 'percent' ? 'percent' : def.unit})</span>}
      </label>
      <div className="setting-control">
        {def.kind === 'select' ? (
          <select {...common} value={String(value)} onChange={(e) => onChange(e.target.value)}>
            {def.options.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        ) : (
          <>
            <input
              {...common}
              type="number"
              inputMode={def.format === 'int' ? 'numeric' : 'decimal'}
              {...numberBounds(def)}
              value={String(value)}
              onChange={(e) => onChange(e.target.value)}
              onBlur={onBlur}
            />
            {(def.unit ?? (def.format === 'percent' ? '%' : null)) && (
              <span className="setting-unit" aria-hidden="true">
                {def.format === 'percent' ? '%' : def.unit}
              </span>
            )}
          </>
        )}
      </div>
      {errorText}
      {note}
    </div>
  );
}
