// What every chart shares: its measured width (so the viewBox is in real pixels and text keeps
// its size), the hovered / keyboard-selected index, and the small tooltip over the SVG.
import { useCallback, useLayoutEffect, useRef, useState, type KeyboardEvent, type PointerEvent, type ReactNode, type RefObject } from 'react';

/** Used until the container is measured (and in test DOMs without layout). */
export const DEFAULT_CHART_WIDTH = 640;

export function useChartWidth<T extends HTMLElement>(): [RefObject<T | null>, number] {
  const ref = useRef<T>(null);
  const [width, setWidth] = useState(DEFAULT_CHART_WIDTH);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const apply = (w: number) => {
      if (w > 0) setWidth(Math.max(240, Math.round(w)));
    };
    apply(el.getBoundingClientRect().width);
    const ro = new ResizeObserver((entries) => apply(entries[0]?.contentRect.width ?? 0));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  return [ref, width];
}

/**
 * The active item of a chart: set by the pointer, or by the arrow keys while the chart has focus
 * (Home / End jump, Escape clears). One tab stop per chart, not one per bar or point.
 */
export function useActiveIndex(count: number) {
  const [active, setActive] = useState<number | null>(null);
  const current = active !== null && active < count ? active : null;
  const onKeyDown = useCallback(
    (e: KeyboardEvent) => {
      if (count === 0) return;
      const at = current ?? -1;
      let next: number | null | undefined;
      if (e.key === 'ArrowRight' || e.key === 'ArrowDown') next = Math.min(count - 1, at + 1);
      else if (e.key === 'ArrowLeft' || e.key === 'ArrowUp') next = at < 0 ? count - 1 : Math.max(0, at - 1);
      else if (e.key === 'Home') next = 0;
      else if (e.key === 'End') next = count - 1;
      else if (e.key === 'Escape') next = null;
      if (next === undefined) return;
      e.preventDefault();
      setActive(next);
    },
    [count, current],
  );
  return { active: current, setActive, onKeyDown, clear: () => setActive(null) };
}

/** Positioned in percent of the chart's width, so it follows the SVG as it scales. */
export function ChartTooltip({ x, y, width, height, children }: { x: number; y: number; width: number; height: number; children: ReactNode }) {
  const left = (x / width) * 100;
  const flip = left > 60;
  return (
    <div
      className="chart-tooltip"
      role="status"
      style={{
        // Kept off the very top and bottom so it does not spill past the chart.
        top: `${Math.min(80, Math.max(20, (y / height) * 100))}%`,
        ...(flip ? { right: `${100 - left}%` } : { left: `${left}%` }),
        transform: flip ? 'translate(-8px, -50%)' : 'translate(8px, -50%)',
      }}
    >
      {children}
    </div>
  );
}

/** Series colours come from CSS variables (--chart-1 … --chart-6), so light and dark both work. */
export const seriesClass = (i: number) => `chart-s${i % 6}`;

export function Legend({ items }: { items: Array<{ id: string; label: string }> }) {
  if (items.length < 2) return null;
  return (
    <ul className="chart-legend">
      {items.map((it, i) => (
        <li key={it.id}>
          <span className={`chart-swatch ${seriesClass(i)}`} aria-hidden="true" />
          {it.label}
        </li>
      ))}
    </ul>
  );
}

/** The focusable, labelled SVG every chart draws into, wired to the active-index handlers. */
export function ChartSvg(p: {
  label: string;
  description?: string;
  width: number;
  height: number;
  onPointerMove(e: PointerEvent<SVGSVGElement>): void;
  clear(): void;
  onKeyDown(e: KeyboardEvent): void;
  children: ReactNode;
}) {
  return (
    <svg
      className="chart-svg"
      role="img"
      aria-label={p.label}
      tabIndex={0}
      viewBox={`0 0 ${p.width} ${p.height}`}
      width="100%"
      preserveAspectRatio="xMidYMid meet"
      onPointerMove={p.onPointerMove}
      onPointerLeave={p.clear}
      onKeyDown={p.onKeyDown}
      onBlur={p.clear}
    >
      {p.description && <desc>{p.description}</desc>}
      {p.children}
    </svg>
  );
}

/** Horizontal grid lines with their value labels at the left margin. */
export function YGrid({ ticks, y, left, right, format }: { ticks: number[]; y: (v: number) => number; left: number; right: number; format: (v: number) => string }) {
  return (
    <>
      {ticks.map((v) => (
        <g key={v}>
          <line x1={left} x2={right} y1={y(v)} y2={y(v)} />
          <text className="chart-axis-label" x={left - 6} y={y(v)} dy="0.32em" textAnchor="end">
            {format(v)}
          </text>
        </g>
      ))}
    </>
  );
}
