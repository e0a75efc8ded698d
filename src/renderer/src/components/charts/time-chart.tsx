// A line / area chart over time with a 0–100% (or 0–yMax) value axis: one path per run of known
// values (a missing reading leaves a gap, a lone reading is a dot), an optional dashed
// threshold line (drawn over the series so it stays readable), and a tooltip for the hovered or keyboard-selected moment.
import { useMemo, type PointerEvent } from 'react';
import { formatDateTime, formatPercent } from '../../format';
import { ChartTooltip, Legend, seriesClass, useActiveIndex, useChartWidth, ChartSvg, YGrid } from './chart-kit';
import { linearScale, nearestIndex, segments, timeTicks } from './scales';

export interface TimePoint {
  t: number;
  v: number | null;
  /** Extra line for the tooltip (e.g. the reset time of that reading). */
  note?: string;
}

export interface TimeSeries {
  id: string;
  label: string;
  /** Oldest first. */
  points: TimePoint[];
}

export interface TimeChartProps {
  series: TimeSeries[];
  from: number;
  to: number;
  /** Accessible name of the chart. */
  label: string;
  /** A longer description (the numbers in words) for assistive technology. */
  description?: string;
  yMax?: number;
  threshold?: { value: number; label: string } | null;
  formatValue?: (v: number | null) => string;
  height?: number;
  emptyText?: string;
}

const M = { top: 12, right: 14, bottom: 26, left: 44 };

export function TimeChart({
  series,
  from,
  to,
  label,
  description,
  yMax = 1,
  threshold = null,
  formatValue = formatPercent,
  height = 180,
  emptyText = 'No readings in this range',
}: TimeChartProps) {
  const [wrapRef, width] = useChartWidth<HTMLDivElement>();
  const x = useMemo(() => linearScale([from, to], [M.left, width - M.right]), [from, to, width]);
  const y = useMemo(() => linearScale([0, yMax], [height - M.bottom, M.top]), [yMax, height]);
  const times = useMemo(() => [...new Set(series.flatMap((s) => s.points.map((p) => p.t)))].sort((a, b) => a - b), [series]);
  const { active, setActive, onKeyDown, clear } = useActiveIndex(times.length);
  const yTicks = [0, 0.25, 0.5, 0.75, 1].map((f) => f * yMax);
  const xTicks = timeTicks(from, to, Math.max(2, Math.floor((width - M.left - M.right) / 90)));
  const hasData = series.some((s) => s.points.some((p) => p.v !== null));
  const clampV = (v: number) => Math.max(0, Math.min(yMax, v));

  const onPointerMove = (e: PointerEvent<SVGSVGElement>) => {
    const rect = e.currentTarget.getBoundingClientRect();
    if (rect.width === 0 || times.length === 0) return;
    const px = ((e.clientX - rect.left) / rect.width) * width;
    const t = from + ((px - M.left) / (width - M.left - M.right)) * (to - from);
    setActive(nearestIndex(times, t));
  };

  const activeT = active === null ? null : times[active]!;
  const activeRows =
    activeT === null
      ? []
      : series.map((s, i) => {
          const idx = nearestIndex(
            s.points.map((p) => p.t),
            activeT,
          );
          return { s, i, p: idx < 0 ? null : s.points[idx]! };
        });
  const focusY = activeRows.find((r) => r.p?.v != null)?.p?.v;

  return (
    <div className="chart" ref={wrapRef}>
      <ChartSvg label={label} description={description} width={width} height={height} onPointerMove={onPointerMove} clear={clear} onKeyDown={onKeyDown}>
        <g className="chart-grid" aria-hidden="true">
          <YGrid ticks={yTicks} y={y} left={M.left} right={width - M.right} format={formatValue} />
          {xTicks.map((tk) => (
            <g key={tk.at}>
              <line className="chart-tick" x1={x(tk.at)} x2={x(tk.at)} y1={height - M.bottom} y2={height - M.bottom + 4} />
              <text className="chart-axis-label" x={x(tk.at)} y={height - M.bottom + 16} textAnchor="middle">
                {tk.label}
              </text>
            </g>
          ))}
        </g>
        {series.map((s, i) => (
          <g key={s.id} className={`chart-series ${seriesClass(i)}`} data-series={s.id} aria-hidden="true">
            {segments(s.points, (p) => p.v !== null).map((run) => {
              const first = run[0]!;
              if (run.length === 1) return <circle key={first.t} className="chart-dot" cx={x(first.t)} cy={y(clampV(first.v!))} r={2.5} />;
              const line = run.map((p, k) => `${k === 0 ? 'M' : 'L'}${r1(x(p.t))},${r1(y(clampV(p.v!)))}`).join('');
              const last = run[run.length - 1]!;
              const area = `${line}L${r1(x(last.t))},${r1(y(0))}L${r1(x(first.t))},${r1(y(0))}Z`;
              return (
                <g key={first.t}>
                  {series.length === 1 && <path className="chart-area" d={area} />}
                  <path className="chart-line" d={line} />
                </g>
              );
            })}
          </g>
        ))}
        {threshold && (
          <g className="chart-threshold" aria-hidden="true">
            <line x1={M.left} x2={width - M.right} y1={y(threshold.value)} y2={y(threshold.value)} />
            <text x={width - M.right} y={y(threshold.value) - 4} textAnchor="end">
              {threshold.label}
            </text>
          </g>
        )}
        {!hasData && (
          <text className="chart-empty" x={(M.left + width - M.right) / 2} y={(M.top + height - M.bottom) / 2} textAnchor="middle">
            {emptyText}
          </text>
        )}
        {activeT !== null && (
          <g className="chart-focus" aria-hidden="true">
            <line x1={x(activeT)} x2={x(activeT)} y1={M.top} y2={height - M.bottom} />
            {activeRows.map(({ s, i, p }) =>
              p && p.v !== null ? <circle key={s.id} className={seriesClass(i)} cx={x(p.t)} cy={y(clampV(p.v))} r={4} /> : null,
            )}
          </g>
        )}
        <rect className="chart-hit" x={M.left} y={M.top} width={Math.max(0, width - M.left - M.right)} height={Math.max(0, height - M.top - M.bottom)} />
      </ChartSvg>
      {activeT !== null && (
        <ChartTooltip x={x(activeT)} y={focusY == null ? height / 2 : y(clampV(focusY))} width={width} height={height}>
          <div className="chart-tooltip-title">{formatDateTime(new Date(activeT).toISOString())}</div>
          {activeRows.map(({ s, i, p }) => (
            <div key={s.id} className="chart-tooltip-row">
              {series.length > 1 && <span className={`chart-swatch ${seriesClass(i)}`} aria-hidden="true" />}
              {series.length > 1 && <span>{s.label}: </span>}
              <strong>{p && p.v !== null ? formatValue(p.v) : 'no reading'}</strong>
              {p?.note && <span className="muted"> · {p.note}</span>}
            </div>
          ))}
        </ChartTooltip>
      )}
      <Legend items={series} />
    </div>
  );
}

const r1 = (n: number) => Math.round(n * 10) / 10;
