// What a CHECK constraint costs per row written, the measurement behind migration 10: the same
// insert into a table whose status column is checked with an IN list of strings (the ledger's
// CHECK up to version 9), with the same rule as equalities (version 10), and unchecked (the
// baseline), each in SQLite in memory (no I/O: only the statement's own work), in interleaved
// rounds. SQLite evaluates `x IN ('a', 'b', …)` in a CHECK by building an ephemeral lookup table
// each time a row is written; the equalities are plain comparisons.
//
//   node --require tsx/cjs bench/sqlite-check-cost.ts [--rows 200000] [--rounds 3]
import Database from 'better-sqlite3';
import { arg, f, machine, median, printResult, table, target } from './lib';

const ROWS = arg('rows', 200000);
const ROUNDS = arg('rounds', 3);
const COLUMNS = 'id INTEGER PRIMARY KEY, request_id TEXT, status TEXT NOT NULL, partial INTEGER NOT NULL DEFAULT 0, started_at INTEGER';
const VARIANTS = {
  unchecked: `CREATE TABLE x (${COLUMNS})`,
  'IN list (≤ v9)': `CREATE TABLE x (${COLUMNS}, CHECK (status IN ('pending','completed','failed','rejected')))`,
  'equalities (v10)': `CREATE TABLE x (${COLUMNS}, CHECK (status = 'pending' OR status = 'completed' OR status = 'failed' OR status = 'rejected'))`,
} as const;
type Variant = keyof typeof VARIANTS;

function usPerRow(sql: string): number {
  const db = new Database(':memory:');
  db.exec(sql);
  const insert = db.prepare("INSERT INTO x (request_id, status, started_at) VALUES ('r', 'pending', ?)");
  let at = 0;
  const write = db.transaction((n: number) => {
    for (let i = 0; i < n; i++) insert.run(++at);
  });
  write(1000);
  const t0 = performance.now();
  write(ROWS);
  const us = ((performance.now() - t0) * 1000) / ROWS;
  db.close();
  return us;
}

function main(): void {
  console.log(`# sqlite-check-cost — ${machine()}; ${ROWS} rows per variant, ${ROUNDS} interleaved rounds`);
  const runs: Record<Variant, number[]> = { unchecked: [], 'IN list (≤ v9)': [], 'equalities (v10)': [] };
  const names = Object.keys(VARIANTS) as Variant[];
  for (let r = 0; r < ROUNDS; r++) {
    // The order rotates per round, so drift hits every variant alike.
    for (let k = 0; k < names.length; k++) {
      const v = names[(k + r) % names.length]!;
      runs[v].push(usPerRow(VARIANTS[v]));
    }
    console.log(`round ${r + 1}/${ROUNDS}: ${names.map((v) => `${v} ${f(runs[v][r]!, 2)} µs`).join(', ')}`);
  }
  const base = median(runs.unchecked);
  const added = (v: Variant) => median(runs[v]) - base;
  console.log();
  console.log(table([['variant', 'µs per row (median)', 'added by the CHECK, µs'], ...names.map((v) => [v, f(median(runs[v]), 2), f(added(v), 2)])]));
  const targets = [
    target(
      'CHECK cost per row written, equalities (v10) vs IN list (≤ v9)',
      `${f(added('equalities (v10)'), 2)} µs added`,
      `IN list ${f(added('IN list (≤ v9)'), 2)} µs added; unchecked ${f(base, 2)} µs/row`,
      median(runs['equalities (v10)']) / median(runs['IN list (≤ v9)']),
      '< 1',
      median(runs['equalities (v10)']) < median(runs['IN list (≤ v9)']),
    ),
  ];
  printResult('sqlite-check-cost', { runs, targets });
}

main();
