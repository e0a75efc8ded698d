// Setting a few string values inside a JSON settings file (Claude Code's and Gemini CLI's
// settings.json) by editing only their text: every other key, the order, the spacing and the
// final newline stay exactly as the user wrote them. A small scanner locates the objects on the
// path; the result is parsed again and must equal the original with just those values set
// (else the whole file is re-serialised, which still keeps every value). A file that is not a
// JSON object is refused, never rewritten.
import { isDeepStrictEqual } from 'node:util';
import { ConfigParseError } from './config-parse-error';

type JsonObject = Record<string, unknown>;

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The file's object; an absent or blank file is an empty one. */
export function parseJsonObject(path: string, text: string | null): JsonObject {
  if (text === null || text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new ConfigParseError(path, (err as Error).message);
  }
  if (!isObject(value)) throw new ConfigParseError(path, 'the top level is not a JSON object');
  return value;
}

/** The object at `keys` (null when missing); refuses a key that holds something else. */
export function objectAt(path: string, root: JsonObject, keys: string[]): JsonObject | null {
  let cur: JsonObject = root;
  for (const k of keys) {
    const next = cur[k];
    if (next === undefined) return null;
    if (!isObject(next)) throw new ConfigParseError(path, `"${keys.slice(0, keys.indexOf(k) + 1).join('.')}" is not an object`);
    cur = next;
  }
  return cur;
}

interface ObjectSpan {
  open: number;
  close: number;
  /** Members in order: the value's span; a nested object's own span when it is one. */
  members: Array<{ key: string; valueStart: number; valueEnd: number; object: ObjectSpan | null }>;
}

/** Locates objects and member values in valid JSON (already checked by JSON.parse). */
function scan(text: string): ObjectSpan {
  let i = 0;
  const ws = () => {
    while (/\s/.test(text[i] ?? '')) i++;
  };
  const str = () => {
    const start = i++;
    while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (): ObjectSpan | null => {
    ws();
    const c = text[i];
    if (c === '{') return obj();
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') return i++, null;
      for (;;) {
        value();
        ws();
        if (text[i++] === ']') return null;
      }
    }
    if (c === '"') return str(), null;
    while (i < text.length && !/[\s,\]}]/.test(text[i]!)) i++;
    return null;
  };
  const obj = (): ObjectSpan => {
    const span: ObjectSpan = { open: i++, close: -1, members: [] };
    ws();
    if (text[i] === '}') {
      span.close = i++;
      return span;
    }
    for (;;) {
      ws();
      const key = str();
      ws();
      i++; // ':'
      ws();
      const valueStart = i;
      const object = value();
      span.members.push({ key, valueStart, valueEnd: i, object });
      ws();
      if (text[i++] === '}') {
        span.close = i - 1;
        return span;
      }
    }
  };
  ws();
  return obj();
}

const lineIndent = (text: string, at: number) => /^[ \t]*/.exec(text.slice(text.lastIndexOf('\n', at - 1) + 1))![0];

function indentUnit(text: string): string {
  const m = /\n([ \t]+)"/.exec(text);
  return m ? m[1]! : '  ';
}

/** Inserts `"key": <json>` as the last member of the object at `span`, in the object's own style. */
function insertMember(text: string, span: ObjectSpan, key: string, value: unknown, unit: string): string {
  const multiline = text.slice(span.open, span.close).includes('\n');
  const last = span.members[span.members.length - 1];
  const baseIndent = lineIndent(text, span.open);
  const memberIndent = last && multiline ? lineIndent(text, last.valueStart) : baseIndent + unit;
  const rendered = multiline || !last ? JSON.stringify(value, null, unit).replace(/\n/g, `\n${memberIndent}`) : JSON.stringify(value);
  const member = `${JSON.stringify(key)}: ${rendered}`;
  if (last) {
    const sep = multiline ? `,\n${memberIndent}` : ', ';
    return text.slice(0, last.valueEnd) + sep + member + text.slice(last.valueEnd);
  }
  // An empty object: `{}` becomes a block in the file's layout.
  return `${text.slice(0, span.open + 1)}\n${memberIndent}${member}\n${baseIndent}${text.slice(span.close)}`;
}

/**
 * The text with `values` set in the object at `keys` (created when missing). Returns the
 * original text untouched when every value is already there.
 */
export function setJsonValues(path: string, text: string | null, keys: string[], values: Record<string, string>): string {
  const root = parseJsonObject(path, text);
  const holder = objectAt(path, root, keys);
  if (holder && Object.entries(values).every(([k, v]) => holder[k] === v)) return text ?? '';

  const expected = structuredClone(root);
  let cur = expected;
  for (const k of keys) cur = (cur[k] ??= {}) as JsonObject;
  Object.assign(cur, values);

  const eol = text?.includes('\r\n') ? '\r\n' : '\n';
  if (text === null || text.trim() === '') return `${JSON.stringify(expected, null, 2).replace(/\n/g, eol)}${eol}`;

  const bom = text.startsWith('\uFEFF') ? '\uFEFF' : '';
  let body = text.slice(bom.length);
  const unit = indentUnit(body);
  // One value at a time, rescanning after each edit (offsets move).
  for (const [k, v] of Object.entries(values)) {
    let span = scan(body);
    let depth = 0;
    for (; depth < keys.length; depth++) {
      const m = [...span.members].reverse().find((x) => x.key === keys[depth]);
      if (!m?.object) break;
      span = m.object;
    }
    if (depth < keys.length) {
      // Missing objects on the path: insert them whole, holding every value.
      const nested = keys.slice(depth + 1).reduceRight<unknown>((inner, key) => ({ [key]: inner }), values);
      body = insertMember(body, span, keys[depth]!, nested, unit);
      break;
    }
    const m = [...span.members].reverse().find((x) => x.key === k);
    body = m ? body.slice(0, m.valueStart) + JSON.stringify(v) + body.slice(m.valueEnd) : insertMember(body, span, k, v, unit);
  }
  body = body.replace(/\r?\n/g, eol);
  let result: unknown;
  try {
    result = JSON.parse(body);
  } catch {
    result = undefined;
  }
  if (isDeepStrictEqual(result, expected)) return bom + body;
  const trailing = /\r?\n$/.test(text) ? eol : '';
  return `${bom}${JSON.stringify(expected, null, unit).replace(/\n/g, eol)}${trailing}`;
}
