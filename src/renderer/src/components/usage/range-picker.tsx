// The Usage page's range: today, the last 7 or 30 UTC days, or custom dates (both inclusive).
// useUsageRange turns the store's choice into the contract's [from, to) days.
import { useClockStore } from '../../stores/clock-store';
import { useUsageStore } from '../../stores/usage-store';
import { formatDay } from '../../format';
import { addDays, customRange, presetRange, utcDay, type DayRange, type RangePreset } from './ranges';
import { Segmented } from './segmented';

const PRESETS = [
  { value: 'today', label: 'Today' },
  { value: '7d', label: '7 days' },
  { value: '30d', label: '30 days' },
  { value: 'custom', label: 'Custom' },
] as const satisfies ReadonlyArray<{ value: RangePreset; label: string }>;

export function useUsageRange(): { range: DayRange | null; error: string | null; words: string; today: string } {
  // Only the day matters: the page re-renders when the UTC day turns, not every clock tick.
  const today = useClockStore((s) => utcDay(s.now));
  const preset = useUsageStore((s) => s.preset);
  const first = useUsageStore((s) => s.customFirst);
  const last = useUsageStore((s) => s.customLast);
  if (preset !== 'custom') {
    const range = presetRange(preset, Date.parse(`${today}T12:00:00Z`));
    return { range, error: null, words: preset === 'today' ? 'today' : `the last ${preset === '7d' ? 7 : 30} days`, today };
  }
  const c = customRange(first, last);
  if (!c.range) return { range: null, error: c.error, words: '', today };
  return { range: c.range, error: null, words: `${formatDay(first, { year: true })} – ${formatDay(last, { year: true })}`, today };
}

export function RangePicker({ range, error, today }: { range: DayRange | null; error: string | null; today: string }) {
  const preset = useUsageStore((s) => s.preset);
  const first = useUsageStore((s) => s.customFirst);
  const last = useUsageStore((s) => s.customLast);
  const { setPreset, setCustom } = useUsageStore.getState();
  return (
    <div className="range-picker">
      <Segmented
        legend="Range"
        value={preset}
        options={PRESETS}
        onChange={(p) => {
          // Custom starts from the range on screen.
          if (p === 'custom' && (!first || !last) && range) setCustom(range.from, addDays(range.to, -1));
          setPreset(p);
        }}
      />
      {preset === 'custom' && (
        <div className="custom-range">
          <label>
            From
            <input type="date" value={first} max={last || today} onChange={(e) => setCustom(e.target.value, last)} />
          </label>
          <label>
            To
            <input type="date" value={last} min={first || undefined} max={today} onChange={(e) => setCustom(first, e.target.value)} />
          </label>
        </div>
      )}
      {error && (
        <span className="field-error small" role="alert">
          {error}
        </span>
      )}
      {range && (
        <span className="muted small range-words">
          {formatDay(range.from, { year: true })} – {formatDay(addDays(range.to, -1), { year: true })}, UTC days
        </span>
      )}
    </div>
  );
}
