// Bar charts: vertical (one group of bars per category, e.g. per day) with a value axis, or
// horizontal (one row per category with its label and value, e.g. per model). Several series
// make grouped bars. Hover or arrow keys show the category's numbers in a tooltip.
import { useMemo, type PointerEvent } from 'react';
import { ChartTooltip, Legend, seriesClass, useActiveIndex, useChartWidth, ChartSvg, YGrid } from './chart-kit';
import { linearScale, valueTicks } from './scales';

export interface BarCategory {
  key: string;
  /** Short axis label ("Mon 3 Mar"); `title` is the longer tooltip heading when given. */
  label: string;
  title?: string;
}

export interface BarSeries {
  id: string;
  label: string;
  /** One value per category, in the categories' order. */
  values: number[];
}

export interface BarChartProps {
  categories: BarCategory[];
  series: BarSeries[];
  label: string;
  description?: string;
  formatValue: (v: number) => string;
  /** Value-axis labels, given the axis step (e.g. cost ticks with the decimals the step needs). Default: formatValue. */
  formatTick?: (v: number, step: number) => string;
  orientation?: 'vertical' | 'horizontal';
  /** Whole quantities (tokens, requests): value-axis steps stay whole. */
  integer?: boolean;
  /** Vertical charts only; horizontal ones grow with their rows. */
  height?: number;
  emptyText?: string;
}

export function BarChart(props: BarChartProps) {
  return props.orientation === 'horizontal' ? <HorizontalBars {...props} /> : <VerticalBars {...props} />;
}

const VM = { top: 12, right: 12, bottom: 26, left: 58 };

function VerticalBars({ categories, series, label, description, formatValue, formatTick, integer = false, height = 200, emptyText = 'No usage in this range' }: BarChartProps) {
  const [wrapRef, width] = useChartWidth<HTMLDivElement>();
  const n = categories.length;
  const max = useMemo(() => Math.max(0, ...series.flatMap((s) => s.values)), [series]);
  const ticks = valueTicks(max, { integer });
  const top = ticks[ticks.length - 1]!;
  const y = linearScale([0, top], [height - VM.bottom, VM.top]);
  const innerW = width - VM.left - VM.right;
  const band = n > 0 ? innerW / n : innerW;
  const pad = Math.min(band * 0.25, 12);
  const barW = Math.max(1, (band - pad) / Math.max(1, series.length));
  const every = Math.max(1, Math.ceil(n / Math.max(1, Math.floor(innerW / 64))));
  const { active, setActive, onKeyDown, clear } = useActiveIndex(n);

  const onPointerMove = (e: PointerEvent<SVGSVGElement>) => {
    const rect = e.currentTarget.getBoundingClientRect();
    if (rect.width === 0 || n === 0) return;
    const px = ((e.clientX - rect.left) / rect.width) * width;
    const i = Math.floor((px - VM.left) / band);
    setActive(i >= 0 && i < n ? i : null);
  };

  return (
    <div className="chart" ref={wrapRef}>
      <ChartSvg label={label} description={description} width={width} height={height} onPointerMove={onPointerMove} clear={clear} onKeyDown={onKeyDown}>
        <g className="chart-grid" aria-hidden="true">
          <YGrid ticks={ticks} y={y} left={VM.left} right={width - VM.right} format={formatTick ? (v) => formatTick(v, ticks[1] ?? top) : formatValue} />
          {categories.map((c, i) =>
            i % every === 0 ? (
              <text key={c.key} className="chart-axis-label" x={VM.left + band * (i + 0.5)} y={height - VM.bottom + 16} textAnchor="middle">
                {c.label}
              </text>
            ) : null,
          )}
        </g>
        {active !== null && <rect className="chart-band-active" x={VM.left + band * active} y={VM.top} width={band} height={height - VM.top - VM.bottom} aria-hidden="true" />}
        {series.map((s, si) => (
          <g key={s.id} className={`chart-series ${seriesClass(si)}`} data-series={s.id} aria-hidden="true">
            {categories.map((c, i) => {
              const v = s.values[i] ?? 0;
              const h = v > 0 ? Math.max(1, y(0) - y(v)) : 0;
              return <rect key={c.key} className="chart-bar" data-category={c.key} x={VM.left + band * i + pad / 2 + barW * si} y={y(0) - h} width={barW} height={h} rx={Math.min(2, barW / 2)} />;
            })}
          </g>
        ))}
        {max === 0 && (
          <text className="chart-empty" x={VM.left + innerW / 2} y={(VM.top + height - VM.bottom) / 2} textAnchor="middle">
            {emptyText}
          </text>
        )}
      </ChartSvg>
      {active !== null && (
        <ChartTooltip x={VM.left + band * (active + 0.5)} y={height / 2} width={width} height={height}>
          <TooltipBody category={categories[active]!} series={series} index={active} formatValue={formatValue} />
        </ChartTooltip>
      )}
      <Legend items={series} />
    </div>
  );
}

const ROW = 26;
const HM = { top: 4, right: 72, bottom: 4 };

function HorizontalBars({ categories, series, label, description, formatValue, emptyText = 'No usage in this range' }: BarChartProps) {
  const [wrapRef, width] = useChartWidth<HTMLDivElement>();
  const n = categories.length;
  const rowH = series.length > 1 ? 10 + 12 * series.length : ROW;
  const height = n === 0 ? 48 : HM.top + HM.bottom + rowH * n;
  const labelW = Math.min(180, Math.round(width * 0.38));
  const maxChars = Math.max(4, Math.floor((labelW - 10) / 7));
  const max = useMemo(() => Math.max(0, ...series.flatMap((s) => s.values)), [series]);
  const x = linearScale([0, max > 0 ? max : 1], [labelW, width - HM.right]);
  const barH = series.length > 1 ? 10 : 14;
  const { active, setActive, onKeyDown, clear } = useActiveIndex(n);

  const onPointerMove = (e: PointerEvent<SVGSVGElement>) => {
    const rect = e.currentTarget.getBoundingClientRect();
    if (rect.height === 0 || n === 0) return;
    const py = ((e.clientY - rect.top) / rect.height) * height;
    const i = Math.floor((py - HM.top) / rowH);
    setActive(i >= 0 && i < n ? i : null);
  };

  return (
    <div className="chart" ref={wrapRef}>
      <ChartSvg label={label} description={description} width={width} height={height} onPointerMove={onPointerMove} clear={clear} onKeyDown={onKeyDown}>
        {active !== null && <rect className="chart-band-active" x={0} y={HM.top + rowH * active} width={width} height={rowH} aria-hidden="true" />}
        <g className="chart-grid" aria-hidden="true">
          <line x1={labelW} x2={labelW} y1={HM.top} y2={height - HM.bottom} />
          {categories.map((c, i) => (
            <text key={c.key} className="chart-row-label" x={labelW - 8} y={HM.top + rowH * (i + 0.5)} dy="0.32em" textAnchor="end">
              {truncate(c.label, maxChars)}
              {c.label.length > maxChars && <title>{c.title ?? c.label}</title>}
            </text>
          ))}
        </g>
        {series.map((s, si) => (
          <g key={s.id} className={`chart-series ${seriesClass(si)}`} data-series={s.id} aria-hidden="true">
            {categories.map((c, i) => {
              const v = s.values[i] ?? 0;
              const w = v > 0 ? Math.max(1, x(v) - x(0)) : 0;
              const by = HM.top + rowH * i + (rowH - barH * series.length) / 2 + barH * si;
              return (
                <g key={c.key}>
                  <rect className="chart-bar" data-category={c.key} x={x(0)} y={by} width={w} height={barH - 1} rx={2} />
                  <text className="chart-value-label" x={x(0) + w + 6} y={by + barH / 2} dy="0.32em">
                    {formatValue(v)}
                  </text>
                </g>
              );
            })}
          </g>
        ))}
        {n === 0 && (
          <text className="chart-empty" x={width / 2} y={height / 2} dy="0.32em" textAnchor="middle">
            {emptyText}
          </text>
        )}
      </ChartSvg>
      {active !== null && (
        <ChartTooltip x={labelW} y={HM.top + rowH * (active + 0.5)} width={width} height={height}>
          <TooltipBody category={categories[active]!} series={series} index={active} formatValue={formatValue} />
        </ChartTooltip>
      )}
      <Legend items={series} />
    </div>
  );
}

function TooltipBody({ category, series, index, formatValue }: { category: BarCategory; series: BarSeries[]; index: number; formatValue: (v: number) => string }) {
  return (
    <>
      <div className="chart-tooltip-title">{category.title ?? category.label}</div>
      {series.map((s, si) => (
        <div key={s.id} className="chart-tooltip-row">
          {series.length > 1 && <span className={`chart-swatch ${seriesClass(si)}`} aria-hidden="true" />}
          {series.length > 1 && <span>{s.label}: </span>}
          <strong>{formatValue(s.values[index] ?? 0)}</strong>
        </div>
      ))}
    </>
  );
}

export function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, Math.max(1, max - 1))}…`;
}
