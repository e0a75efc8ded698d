// Setting variables in a .env file (Gemini CLI's ~/.gemini/.env) by editing only their lines:
// comments, order, blank lines and every other variable stay as they are. Understands what
// dotenv reads: `KEY=value`, `export KEY=value`, quoted values (double-quoted ones may span
// lines) and `# comments`. Anything else is refused, never rewritten.
import { ConfigParseError } from './config-parse-error';

interface Assignment {
  key: string;
  value: string;
  /** First line and the line after the last (a quoted value may span several). */
  start: number;
  end: number;
  exported: boolean;
}

const LINE = /^\s*(export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/;

export function parseDotenv(path: string, text: string | null): Assignment[] {
  if (text === null) return [];
  const lines = text.split(/\r?\n/);
  const out: Assignment[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '' || line.trim().startsWith('#')) continue;
    const m = LINE.exec(line);
    if (!m) throw new ConfigParseError(path, `line ${i + 1} is not KEY=value`);
    const raw = m[3]!;
    const start = i;
    let value: string;
    const q = raw[0];
    if (q === '"' || q === "'" || q === '`') {
      let body = raw.slice(1);
      let close = body.indexOf(q);
      while (close < 0 && q === '"' && i + 1 < lines.length) {
        i++;
        body += `\n${lines[i]}`;
        close = body.indexOf(q);
      }
      if (close < 0) throw new ConfigParseError(path, `line ${start + 1} opens a ${q} quote that is never closed`);
      value = body.slice(0, close);
    } else {
      value = raw.replace(/\s+#.*$/, '').trim();
    }
    out.push({ key: m[2]!, value, start, end: i + 1, exported: Boolean(m[1]) });
  }
  return out;
}

/** The value dotenv ends up with (the last assignment wins), or undefined. */
export function dotenvValue(entries: Assignment[], key: string): string | undefined {
  for (let i = entries.length - 1; i >= 0; i--) if (entries[i]!.key === key) return entries[i]!.value;
  return undefined;
}

const needsQuotes = (v: string) => /[\s#"'`\\]/.test(v) || v === '';

/** The text with each of `values` set: every existing line of that key rewritten, missing keys appended. */
export function setDotenvValues(path: string, text: string | null, values: Record<string, string>): string {
  const entries = parseDotenv(path, text);
  if (Object.entries(values).every(([k, v]) => dotenvValue(entries, k) === v && entries.filter((e) => e.key === k).length === 1)) return text ?? '';
  const eol = text?.includes('\r\n') ? '\r\n' : '\n';
  const lines = text === null || text === '' ? [] : text.split(/\r?\n/);
  const hadFinalNewline = lines.length > 0 && lines[lines.length - 1] === '';
  if (hadFinalNewline) lines.pop();
  const render = (k: string, exported: boolean) => `${exported ? 'export ' : ''}${k}=${needsQuotes(values[k]!) ? JSON.stringify(values[k]) : values[k]}`;
  // Rewrite from the bottom so earlier line numbers stay valid.
  for (const e of [...entries].reverse()) {
    if (!(e.key in values)) continue;
    lines.splice(e.start, e.end - e.start, render(e.key, e.exported));
  }
  for (const k of Object.keys(values)) if (!entries.some((e) => e.key === k)) lines.push(render(k, false));
  return `${lines.join(eol)}${eol}`;
}
