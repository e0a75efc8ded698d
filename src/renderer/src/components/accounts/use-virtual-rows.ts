// Hand-written windowing for a long list of rows of varying height in a scroll container: only
// the rows in view plus an overscan margin are rendered, with spacer heights standing in for the
// rest. Row heights are measured after render (and whenever a row resizes), cached by row key so
// they survive filtering and sorting; rows never rendered use the estimate, scaled by how far
// the estimates of measured rows were off (so the scrollbar is right early). When rows above the
// viewport turn out taller or shorter than assumed, the scroll position moves by the difference
// so the rows on screen stay put.
import { useLayoutEffect, useMemo, useRef, useState, type RefObject } from 'react';

export interface VirtualRowsOptions {
  /** Row identities in display order. */
  keys: readonly string[];
  /** Height of a row not measured yet (px). */
  estimate: (key: string) => number;
  scrollRef: RefObject<HTMLElement | null>;
  /** The element whose children are the rows; each row carries `data-row-key`. */
  bodyRef: RefObject<HTMLElement | null>;
  /** Extra pixels rendered above and below the viewport. */
  overscanPx?: number;
  /** And at least this many rows on each side, so Tab always has a next row to move into. */
  overscanRows?: number;
  /** Scroll position to start from (returning to the page). */
  initialScrollTop?: number;
  /**
   * The container's height before it has been measured (default: the window's). A good guess
   * spares the first paint a second render once the container is measured.
   */
  initialViewportHeight?: number;
}

export interface VirtualRows {
  /** Rendered rows: keys.slice(start, end). */
  start: number;
  end: number;
  padTop: number;
  padBottom: number;
  totalHeight: number;
}

interface Viewport {
  top: number;
  height: number;
}

export function useVirtualRows(opts: VirtualRowsOptions): VirtualRows {
  const { keys, estimate, scrollRef, bodyRef, overscanPx = 400, overscanRows = 2 } = opts;
  const heights = useRef(new Map<string, number>());
  /** Measured and estimated height summed over the rows measured so far. */
  const calibration = useRef({ measured: 0, estimated: 0 });
  const [version, setVersion] = useState(0);
  const [viewport, setViewport] = useState<Viewport>(() => ({
    top: opts.initialScrollTop ?? 0,
    height: opts.initialViewportHeight ?? (typeof window === 'undefined' ? 800 : window.innerHeight || 800),
  }));

  const offsets = useMemo(() => {
    const { measured, estimated } = calibration.current;
    const scale = measured > 0 && estimated > 0 ? Math.min(4, Math.max(0.25, measured / estimated)) : 1;
    const out = new Float64Array(keys.length + 1);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      out[i + 1] = out[i]! + (heights.current.get(k) ?? estimate(k) * scale);
    }
    return out;
    // `version` stands for the measured heights, which live in a ref.
  }, [keys, estimate, version]);

  const [start, end] = visibleRange(offsets, viewport, overscanPx, overscanRows);
  // Read by the scroll handler and the measuring effect without re-subscribing them.
  const live = useRef({ offsets, start, end, viewport });
  live.current = { offsets, start, end, viewport };

  // Follow scrolling and the container's size; re-render only when the row window changes.
  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    if (opts.initialScrollTop) el.scrollTop = opts.initialScrollTop;
    const update = () => {
      const next = { top: el.scrollTop, height: el.clientHeight || live.current.viewport.height };
      const [s, e] = visibleRange(live.current.offsets, next, overscanPx, overscanRows);
      if (s !== live.current.start || e !== live.current.end || Math.abs(next.height - live.current.viewport.height) > 1) setViewport(next);
    };
    update();
    el.addEventListener('scroll', update, { passive: true });
    const ro = typeof ResizeObserver === 'function' ? new ResizeObserver(update) : null;
    ro?.observe(el);
    return () => {
      el.removeEventListener('scroll', update);
      ro?.disconnect();
    };
    // initialScrollTop applies once, on mount.
  }, [scrollRef, overscanPx, overscanRows]);

  // Measure rendered rows after each commit, and again whenever one resizes (its quotas or its
  // sync error changed, the window was resized).
  const measureRef = useRef<() => void>(() => {});
  measureRef.current = () => {
    const body = bodyRef.current;
    const el = scrollRef.current;
    if (!body || !el) return;
    const { offsets: offs, start: s, end: e } = live.current;
    const indexOf = new Map<string, number>();
    for (let i = s; i < e; i++) indexOf.set(keys[i]!, i);
    let changed = false;
    const rows = body.querySelectorAll<HTMLElement>(':scope > [data-row-key]');
    rows.forEach((row) => {
      const key = row.dataset.rowKey!;
      const index = indexOf.get(key);
      if (index === undefined) return;
      const h = row.getBoundingClientRect().height;
      if (!(h > 0)) return; // no layout (hidden, or a test DOM): keep the estimate
      const assumed = offs[index + 1]! - offs[index]!;
      if (!heights.current.has(key)) {
        calibration.current.measured += h;
        calibration.current.estimated += estimate(key);
      }
      heights.current.set(key, h);
      if (Math.abs(h - assumed) >= 0.5) changed = true;
    });
    if (changed) setVersion((v) => v + 1);
  };

  const observer = useRef<ResizeObserver | null>(null);
  useLayoutEffect(() => {
    if (typeof ResizeObserver !== 'function') return;
    const ro = new ResizeObserver(() => measureRef.current());
    observer.current = ro;
    return () => {
      ro.disconnect();
      observer.current = null;
    };
  }, []);

  useLayoutEffect(() => {
    measureRef.current();
    const body = bodyRef.current;
    const ro = observer.current;
    if (!body || !ro) return;
    const rows = body.querySelectorAll<HTMLElement>(':scope > [data-row-key]');
    rows.forEach((row) => ro.observe(row));
    return () => rows.forEach((row) => ro.unobserve(row));
  });

  // Scroll anchoring: the first row reaching into the viewport keeps its place on screen when
  // the rows above it are measured or re-estimated. Not across a change of the row list itself
  // (a filter or a new sort order starts over).
  const anchor = useRef<{ keys: readonly string[]; index: number; offset: number } | null>(null);
  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    const a = anchor.current;
    if (a && a.keys === keys && a.index < keys.length) {
      const drift = offsets[a.index]! - a.offset;
      if (Math.abs(drift) >= 0.5) el.scrollTop += drift;
    }
    if (keys.length === 0) {
      anchor.current = null;
      return;
    }
    let i = start;
    while (i < end - 1 && offsets[i + 1]! <= el.scrollTop) i++;
    anchor.current = { keys, index: i, offset: offsets[i]! };
  });

  const total = offsets[keys.length]!;
  return { start, end, padTop: offsets[start]!, padBottom: total - offsets[end]!, totalHeight: total };
}

/** [start, end) of the rows overlapping the viewport plus the overscan margins. */
export function visibleRange(offsets: Float64Array, vp: Viewport, overscanPx: number, overscanRows: number): [number, number] {
  const n = offsets.length - 1;
  if (n <= 0) return [0, 0];
  const lo = Math.max(0, vp.top - overscanPx);
  const hi = vp.top + vp.height + overscanPx;
  // The first row whose bottom is below lo, and the first row whose top is at or past hi.
  let start = firstIndex(offsets, (v) => v > lo, 1) - 1;
  let end = firstIndex(offsets, (v) => v >= hi, 0);
  start = Math.max(0, Math.min(start, n - 1) - overscanRows);
  end = Math.min(n, Math.max(end, start + 1) + overscanRows);
  return [start, end];
}

/** Binary search: the first index i >= from where `past(a[i])` holds (a is non-decreasing), or a.length. */
function firstIndex(a: Float64Array, past: (v: number) => boolean, from: number): number {
  let lo = from;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (past(a[mid]!)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
