import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { readFileSync, mkdtempSync } from 'node:fs';
import { openDatabase } from '/work/main/src/main/core/db/open-database';
const f = mkdtempSync('/tmp/pr-') + '/x.db';
const d = new Database(f); d.exec('create table a(x)'); d.pragma('user_version = 9'); d.close();
const h = () => createHash('sha256').update(readFileSync(f)).digest('hex');
const b = h();
try { openDatabase(f); } catch (e) { console.log((e as Error).name); }
console.log(b === h() ? 'untouched' : 'MODIFIED');
const r = new Database(f); console.log(r.pragma('journal_mode', {simple:true}));
