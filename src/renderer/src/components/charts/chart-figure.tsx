// A chart with its heading and a Chart / Table switch: the table shows the same numbers, for
// reading exact values and for assistive technology (the SVG only names itself).
import { useId, useState, type ReactNode } from 'react';

export interface FigureTable {
  columns: Array<{ label: string; numeric?: boolean; nowrap?: boolean }>;
  rows: Array<{ key: string; cells: ReactNode[] }>;
  /** A totals row. */
  footer?: ReactNode[];
}

export function ChartFigure({
  title,
  note,
  table,
  children,
  busy = false,
  className,
}: {
  title: string;
  note?: ReactNode;
  table: FigureTable;
  children: ReactNode;
  busy?: boolean;
  className?: string;
}) {
  const [view, setView] = useState<'chart' | 'table'>('chart');
  const headingId = useId();
  return (
    <figure className={`chart-figure${className ? ` ${className}` : ''}`} aria-labelledby={headingId} aria-busy={busy || undefined}>
      <div className="chart-figure-head">
        <h3 id={headingId}>{title}</h3>
        {note && <span className="muted small">{note}</span>}
        <div className="segmented segmented-small" role="group" aria-label={`${title}: show as`}>
          <button type="button" aria-pressed={view === 'chart'} onClick={() => setView('chart')}>
            Chart
          </button>
          <button type="button" aria-pressed={view === 'table'} onClick={() => setView('table')}>
            Table
          </button>
        </div>
      </div>
      {view === 'chart' ? (
        children
      ) : (
        <div className="table-scroll data-scroll">
          <table className="data-table">
            <caption className="visually-hidden">{title}</caption>
            <thead>
              <tr>
                {table.columns.map((c) => (
                  <th key={c.label} scope="col" className={c.numeric ? 'num' : undefined}>
                    {c.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {table.rows.length === 0 ? (
                <tr>
                  <td colSpan={table.columns.length} className="muted">
                    Nothing in this range
                  </td>
                </tr>
              ) : (
                table.rows.map((r) => (
                  <tr key={r.key}>
                    {r.cells.map((cell, i) => (
                      <td key={i} className={table.columns[i]?.numeric ? 'num' : table.columns[i]?.nowrap ? 'nowrap' : undefined}>
                        {cell}
                      </td>
                    ))}
                  </tr>
                ))
              )}
            </tbody>
            {table.footer && table.rows.length > 0 && (
              <tfoot>
                <tr>
                  {table.footer.map((cell, i) => (
                    <td key={i} className={table.columns[i]?.numeric ? 'num' : undefined}>
                      {cell}
                    </td>
                  ))}
                </tr>
              </tfoot>
            )}
          </table>
        </div>
      )}
    </figure>
  );
}
