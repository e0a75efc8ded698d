// Where ForecastAlerts keeps the period it already notified per account+model (table
// forecast_alerts, migration 8), so a restart within a period does not notify again.
import type { Db } from '../db/open-database';

export interface SentForecastAlert {
  accountId: string;
  model: string;
  /** The reset that ends the notified period (null: none known, the period never ends). */
  resetAt: number | null;
}

export interface ForecastAlertStore {
  load(): SentForecastAlert[];
  save(a: SentForecastAlert, at: number): void;
}

export function sqliteForecastAlertStore(db: Db): ForecastAlertStore {
  const all = db.prepare<[], { account_id: string; model: string; reset_at: number | null }>('SELECT account_id, model, reset_at FROM forecast_alerts');
  const upsert = db.prepare<[string, string, number | null, number]>(
    `INSERT INTO forecast_alerts (account_id, model, reset_at, alerted_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (account_id, model) DO UPDATE SET reset_at = excluded.reset_at, alerted_at = excluded.alerted_at`,
  );
  return {
    load: () => all.all().map((r) => ({ accountId: r.account_id, model: r.model, resetAt: r.reset_at })),
    save: (a, at) => void upsert.run(a.accountId, a.model, a.resetAt, at),
  };
}
