// A row of exclusive choices (range pickers): native radio buttons drawn as segments, so
// arrow keys, forms and screen readers behave as they do for any radio group.
import { useId } from 'react';

export function Segmented<V extends string>({
  legend,
  value,
  options,
  onChange,
}: {
  legend: string;
  value: V;
  options: ReadonlyArray<{ value: V; label: string }>;
  onChange(value: NoInfer<V>): void;
}) {
  const name = useId();
  return (
    <fieldset className="segmented">
      <legend className="visually-hidden">{legend}</legend>
      {options.map((o) => (
        <label key={o.value} className={o.value === value ? 'is-checked' : undefined}>
          <input type="radio" name={name} value={o.value} checked={o.value === value} onChange={() => onChange(o.value)} />
          {o.label}
        </label>
      ))}
    </fieldset>
  );
}
