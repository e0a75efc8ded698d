// One figure as a card in a `<dl className="cards">`: a label, a big value, an optional note,
// and a tone for the top border. Overview's stats and Usage's totals both use it.
import type { ReactNode } from 'react';

export function StatCard({ label, value, note, tone, total, title }: { label: string; value: ReactNode; note?: ReactNode; tone?: 'good' | 'warn' | 'bad'; total?: string; title?: string }) {
  return (
    <div className={`card${tone ? ` card-${tone}` : ''}`}>
      <dt>{label}</dt>
      <dd>
        <span className="card-value" data-total={total} title={title}>
          {value}
        </span>
        {note !== undefined && <span className="card-note">{note}</span>}
      </dd>
    </div>
  );
}
