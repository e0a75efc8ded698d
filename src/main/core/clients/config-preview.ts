// What the window shows before a config change: the file's text before and after with secret
// values masked (keys, tokens — the user's and the proxy key alike), and a unified line diff.
import { maskSecret } from '../log/redact';

const SECRET_NAME = /(token|secret|password|passwd|api[-_]?key|apikey|credential|auth_token)/i;
// `"NAME": "value"`, `NAME = "value"`, `NAME=value`, `export NAME=value`.
const ASSIGNMENT = /^(\s*(?:export\s+)?"?([A-Za-z0-9_.-]+)"?\s*[:=]\s*)(["'`]?)([^"'`\s,]+)(["'`]?)/;
const TOKEN_SHAPED = /\b(?:sk-[A-Za-z0-9_-]{12,}|AIza[0-9A-Za-z_-]{20,}|ya29\.[A-Za-z0-9._-]+|1\/\/[A-Za-z0-9._-]{12,}|eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*)/g;

export function maskConfigText(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      const m = ASSIGNMENT.exec(line);
      let out = line;
      if (m && SECRET_NAME.test(m[2]!) && !/^env_key$/i.test(m[2]!)) {
        out = `${m[1]}${m[3]}${maskSecret(m[4])}${m[5]}${line.slice(m[0].length)}`;
      }
      return out.replace(TOKEN_SHAPED, (s) => maskSecret(s));
    })
    .join('\n');
}

/** Longest common subsequence table over lines; config files are small (capped in config-file-io). */
function lcs(a: string[], b: string[]): Uint32Array {
  const w = b.length + 1;
  const t = new Uint32Array((a.length + 1) * w);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      t[i * w + j] = a[i] === b[j] ? t[(i + 1) * w + j + 1]! + 1 : Math.max(t[(i + 1) * w + j]!, t[i * w + j + 1]!);
    }
  }
  return t;
}

/** A unified diff (3 lines of context) of two texts, headed by the path; '' when equal. */
export function unifiedDiff(path: string, before: string | null, after: string | null, context = 3): string {
  if (before === after) return '';
  const split = (s: string | null) => (s === null || s === '' ? [] : s.replace(/\r?\n$/, '').split(/\r?\n/));
  const a = split(before);
  const b = split(after);
  // Files too large for a line table are shown whole (still masked).
  const ops: Array<{ kind: ' ' | '-' | '+'; line: string }> = [];
  if (a.length * b.length > 4_000_000) {
    for (const l of a) ops.push({ kind: '-', line: l });
    for (const l of b) ops.push({ kind: '+', line: l });
  } else {
    const t = lcs(a, b);
    const w = b.length + 1;
    let i = 0;
    let j = 0;
    while (i < a.length || j < b.length) {
      if (i < a.length && j < b.length && a[i] === b[j]) {
        ops.push({ kind: ' ', line: a[i]! });
        i++;
        j++;
      } else if (i < a.length && (j === b.length || t[(i + 1) * w + j]! >= t[i * w + j + 1]!)) {
        ops.push({ kind: '-', line: a[i++]! });
      } else {
        ops.push({ kind: '+', line: b[j++]! });
      }
    }
  }
  const out = [`--- ${before === null ? '/dev/null' : path}`, `+++ ${after === null ? '/dev/null' : path}`];
  // Hunks: changes closer than 2 × context lines share one, with `context` lines around.
  const changed = ops.flatMap((o, i) => (o.kind === ' ' ? [] : [i]));
  let g = 0;
  while (g < changed.length) {
    let last = g;
    while (last + 1 < changed.length && changed[last + 1]! - changed[last]! <= context * 2 + 1) last++;
    const from = Math.max(0, changed[g]! - context);
    const to = Math.min(ops.length, changed[last]! + context + 1);
    const aStart = ops.slice(0, from).filter((o) => o.kind !== '+').length;
    const bStart = ops.slice(0, from).filter((o) => o.kind !== '-').length;
    const hunk = ops.slice(from, to);
    const aLen = hunk.filter((o) => o.kind !== '+').length;
    const bLen = hunk.filter((o) => o.kind !== '-').length;
    out.push(`@@ -${aLen ? aStart + 1 : aStart},${aLen} +${bLen ? bStart + 1 : bStart},${bLen} @@`);
    for (const o of hunk) out.push(`${o.kind}${o.line}`);
    g = last + 1;
  }
  return `${out.join('\n')}\n`;
}
