import { fireEvent, render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { BarChart } from '../../src/renderer/src/components/charts/bar-chart';
import { ChartFigure } from '../../src/renderer/src/components/charts/chart-figure';
import { linearScale, nearestIndex, segments, timeTicks, valueTicks } from '../../src/renderer/src/components/charts/scales';
import { TimeChart } from '../../src/renderer/src/components/charts/time-chart';
import { formatCost, formatTokens } from '../../src/renderer/src/format';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const T0 = Date.parse('2026-03-01T00:00:00.000Z');

describe('scales', () => {
  it('maps a domain onto a range, inverted ranges included', () => {
    const y = linearScale([0, 1], [154, 12]);
    expect(y(0)).toBe(154);
    expect(y(1)).toBe(12);
    expect(y(0.5)).toBe(83);
    // A zero-width domain (one point in time) lands in the middle instead of dividing by zero.
    expect(linearScale([5, 5], [0, 100])(5)).toBe(50);
  });

  it('steps value ticks by 1, 2 or 5 times a power of ten, whole for counts', () => {
    expect(valueTicks(10)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(valueTicks(7)).toEqual([0, 2, 4, 6, 8]);
    expect(valueTicks(0.3)).toEqual([0, 0.1, 0.2, 0.3]);
    expect(valueTicks(12_345)).toEqual([0, 5000, 10_000, 15_000]);
    expect(valueTicks(0)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(valueTicks(Number.NaN)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(valueTicks(0, { integer: true })).toEqual([0, 1]);
    expect(valueTicks(3, { integer: true })).toEqual([0, 1, 2, 3]);
  });

  it('puts time ticks on whole local hours, or on local midnights for long ranges', () => {
    const from = T0 + 17 * 60_000; // not on an hour
    const day = timeTicks(from, from + DAY, 8);
    expect(day.length).toBeGreaterThan(3);
    expect(day.length).toBeLessThanOrEqual(9);
    for (const t of day) {
      expect(t.at).toBeGreaterThanOrEqual(from);
      expect(t.at).toBeLessThanOrEqual(from + DAY);
      const d = new Date(t.at);
      expect(d.getMinutes()).toBe(0);
    }
    const steps = day.slice(1).map((t, i) => t.at - day[i]!.at);
    expect(new Set(steps).size).toBe(1);

    const month = timeTicks(from, from + 30 * DAY, 8);
    expect(month.length).toBeLessThanOrEqual(9);
    for (const t of month) {
      const d = new Date(t.at);
      expect([d.getHours(), d.getMinutes()]).toEqual([0, 0]);
      expect(t.label).toMatch(/^\d{1,2} [A-Z][a-z]{2}$/);
    }
    expect(timeTicks(from, from, 5)).toEqual([]);
  });

  it('splits series at missing values and finds the nearest sorted value', () => {
    expect(segments([1, null, 2, 3, null, null, 4], (v) => v !== null)).toEqual([[1], [2, 3], [4]]);
    expect(segments([null, null], (v) => v !== null)).toEqual([]);
    expect(nearestIndex([10, 20, 30], 24)).toBe(1);
    expect(nearestIndex([10, 20, 30], 26)).toBe(2);
    expect(nearestIndex([10, 20, 30], -5)).toBe(0);
    expect(nearestIndex([], 1)).toBe(-1);
  });
});

function series(values: Array<number | null>, stepMs = HOUR) {
  return { id: 'm', label: 'Model M', points: values.map((v, i) => ({ t: T0 + i * stepMs, v })) };
}

describe('TimeChart', () => {
  it('draws one path per run of known readings and a dot for a lone one (missing readings are gaps)', () => {
    const { container } = render(<TimeChart series={[series([0.9, 0.8, null, 0.5, 0.4, 0.45, null, 0.3])]} from={T0} to={T0 + 7 * HOUR} label="history" />);
    const lines = container.querySelectorAll('path.chart-line');
    expect(lines).toHaveLength(2);
    // Two points, then three: M + L segments.
    expect(lines[0]!.getAttribute('d')!.match(/[ML]/g)).toEqual(['M', 'L']);
    expect(lines[1]!.getAttribute('d')!.match(/[ML]/g)).toEqual(['M', 'L', 'L']);
    expect(container.querySelectorAll('circle.chart-dot')).toHaveLength(1);
    // A single series gets an area under each line.
    expect(container.querySelectorAll('path.chart-area')).toHaveLength(2);
    // The first reading sits on the left edge (x = 44) at 90% of the 0–100% axis (154 → 12).
    expect(lines[0]!.getAttribute('d')!.startsWith(`M44,${Math.round((154 - 0.9 * 142) * 10) / 10}`)).toBe(true);
  });

  it('labels the 0–100% axis and draws the threshold line at its value', () => {
    const { container } = render(
      <TimeChart series={[series([0.5, 0.4])]} from={T0} to={T0 + HOUR} label="history" threshold={{ value: 0.1, label: 'low 10%' }} />,
    );
    const axis = [...container.querySelectorAll('.chart-axis-label')].map((t) => t.textContent);
    expect(axis).toEqual(expect.arrayContaining(['0%', '25%', '50%', '75%', '100%']));
    const line = container.querySelector('.chart-threshold line')!;
    expect(Number(line.getAttribute('y1'))).toBeCloseTo(154 - 0.1 * 142);
    expect(within(container.querySelector('.chart-threshold')! as HTMLElement).getByText('low 10%')).toBeTruthy();
  });

  it('says when there is nothing to draw', () => {
    const { container } = render(<TimeChart series={[series([null, null])]} from={T0} to={T0 + DAY} label="history" />);
    expect(screen.getByText('No readings in this range')).toBeTruthy();
    expect(container.querySelectorAll('path.chart-line')).toHaveLength(0);
    render(<TimeChart series={[]} from={T0} to={T0 + DAY} label="empty" emptyText="Nothing yet" />);
    expect(screen.getByText('Nothing yet')).toBeTruthy();
  });

  it('shows a reading in a tooltip from the keyboard', () => {
    render(<TimeChart series={[{ ...series([0.9, null, 0.42]), points: series([0.9, null, 0.42]).points.map((p, i) => (i === 2 ? { ...p, note: 'resets soon' } : p)) }]} from={T0} to={T0 + 2 * HOUR} label="history" />);
    const svg = screen.getByRole('img', { name: 'history' });
    fireEvent.keyDown(svg, { key: 'ArrowRight' });
    expect(screen.getByRole('status').textContent).toContain('90%');
    fireEvent.keyDown(svg, { key: 'ArrowRight' });
    expect(screen.getByRole('status').textContent).toContain('no reading');
    fireEvent.keyDown(svg, { key: 'End' });
    expect(screen.getByRole('status').textContent).toContain('42%');
    expect(screen.getByRole('status').textContent).toContain('resets soon');
    fireEvent.keyDown(svg, { key: 'Escape' });
    expect(screen.queryByRole('status')).toBeNull();
  });

  it('draws several series in distinct colour classes with a legend', () => {
    const { container } = render(
      <TimeChart series={[{ ...series([0.5, 0.6]), id: 'a', label: 'A' }, { ...series([0.2, 0.1]), id: 'b', label: 'B' }]} from={T0} to={T0 + HOUR} label="two" />,
    );
    const groups = container.querySelectorAll('g.chart-series');
    expect([...groups].map((g) => g.getAttribute('data-series'))).toEqual(['a', 'b']);
    expect(groups[0]!.getAttribute('class')).toContain('chart-s0');
    expect(groups[1]!.getAttribute('class')).toContain('chart-s1');
    expect(screen.getByText('A')).toBeTruthy();
    expect(screen.getByText('B')).toBeTruthy();
  });
});

describe('BarChart', () => {
  const categories = [
    { key: 'd1', label: 'Mon' },
    { key: 'd2', label: 'Tue' },
    { key: 'd3', label: 'Wed' },
  ];

  it('draws grouped bars with heights on a nice scale and a formatted value axis', () => {
    const { container } = render(
      <BarChart
        categories={categories}
        series={[
          { id: 'in', label: 'Input', values: [5, 0, 10] },
          { id: 'out', label: 'Output', values: [1, 2, 3] },
        ]}
        formatValue={formatTokens}
        label="tokens"
        integer
      />,
    );
    const bars = container.querySelectorAll('rect.chart-bar');
    expect(bars).toHaveLength(6);
    const input = [...container.querySelectorAll('[data-series="in"] rect.chart-bar')].map((b) => Number(b.getAttribute('height')));
    // Max 10 → axis to 10; the plot is 200 - 12 - 26 = 162 px high.
    expect(input).toEqual([81, 0, 162]);
    const axis = [...container.querySelectorAll('.chart-axis-label')].map((t) => t.textContent);
    expect(axis).toEqual(['0', '2', '4', '6', '8', '10', 'Mon', 'Tue', 'Wed']);
    expect(screen.getByText('Input')).toBeTruthy(); // legend
  });

  it('says when every value is zero, and tells a category’s numbers from the keyboard', () => {
    render(<BarChart categories={categories} series={[{ id: 'c', label: 'Cost', values: [0, 0, 0] }]} formatValue={formatCost} label="cost" />);
    expect(screen.getByText('No usage in this range')).toBeTruthy();
    const svg = screen.getByRole('img', { name: 'cost' });
    fireEvent.keyDown(svg, { key: 'ArrowLeft' });
    expect(screen.getByRole('status').textContent).toBe('Wed$0.00');
  });

  it('draws horizontal rows with truncated labels and value labels', () => {
    const long = 'a-very-long-model-name-that-does-not-fit-anywhere';
    const { container } = render(
      <BarChart
        orientation="horizontal"
        categories={[
          { key: long, label: long },
          { key: 'short', label: 'short' },
        ]}
        series={[{ id: 'cost', label: 'Cost', values: [1.5, 0.25] }]}
        formatValue={formatCost}
        label="by model"
      />,
    );
    const labels = [...container.querySelectorAll('.chart-row-label')];
    expect(labels[0]!.textContent!.startsWith('a-very')).toBe(true);
    expect(labels[0]!.textContent).toContain('…');
    expect(labels[0]!.querySelector('title')!.textContent).toBe(long);
    expect(labels[1]!.textContent).toBe('short');
    expect([...container.querySelectorAll('.chart-value-label')].map((t) => t.textContent)).toEqual(['$1.50', '$0.25']);
    const widths = [...container.querySelectorAll('rect.chart-bar')].map((b) => Number(b.getAttribute('width')));
    expect(widths[1]! / widths[0]!).toBeCloseTo(0.25 / 1.5);
  });

  it('with no categories, a horizontal chart says so', () => {
    render(<BarChart orientation="horizontal" categories={[]} series={[]} formatValue={formatCost} label="none" />);
    expect(screen.getByText('No usage in this range')).toBeTruthy();
  });
});

describe('ChartFigure', () => {
  it('switches between the chart and a table of the same numbers', () => {
    render(
      <ChartFigure
        title="Cost per day"
        table={{ columns: [{ label: 'Day' }, { label: 'Cost', numeric: true }], rows: [{ key: 'd1', cells: ['1 Mar', '$1.00'] }], footer: ['Total', '$1.00'] }}
      >
        <svg role="img" aria-label="the chart" />
      </ChartFigure>,
    );
    expect(screen.getByRole('img', { name: 'the chart' })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Table' }));
    expect(screen.queryByRole('img', { name: 'the chart' })).toBeNull();
    const table = screen.getByRole('table', { name: 'Cost per day' });
    expect(within(table).getAllByRole('row').map((r) => r.textContent)).toEqual(['DayCost', '1 Mar$1.00', 'Total$1.00']);
    expect(screen.getByRole('button', { name: 'Table' }).getAttribute('aria-pressed')).toBe('true');
  });
});

describe('cost axis labels', () => {
  it('have the decimals their step needs, never "<$0.0001" on every tick', async () => {
    const { formatCostTick } = await import('../../src/renderer/src/format');
    const { valueTicks } = await import('../../src/renderer/src/components/charts/scales');
    const ticks = valueTicks(0.00005);
    expect(ticks.map((t) => formatCostTick(t, ticks[1]!))).toEqual(['$0', '$0.00001', '$0.00002', '$0.00003', '$0.00004', '$0.00005']);
    const big = valueTicks(12.5);
    expect(big.map((t) => formatCostTick(t, big[1]!))).toEqual(['$0', '$5', '$10', '$15']);
    const cents = valueTicks(0.9);
    expect(cents.map((t) => formatCostTick(t, cents[1]!))).toEqual(['$0', '$0.20', '$0.40', '$0.60', '$0.80', '$1.00']);
  });
});
