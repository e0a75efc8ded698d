// Pointing Codex CLI's config.toml at QuotaDeck: a `[model_providers.quotadeck]` table and the
// root key `model_provider = "quotadeck"`, written by editing only those lines so comments,
// order and every other setting stay as the user wrote them. smol-toml parses the file before
// (a file that does not parse is refused) and after: the edit must leave every other value
// exactly as it was, or nothing is written.
import { isDeepStrictEqual } from 'node:util';
import { parse, TomlError } from 'smol-toml';
import { ConfigParseError } from './config-parse-error';

export const CODEX_PROVIDER_ID = 'quotadeck';

export interface CodexTarget {
  /** The proxy's OpenAI-compatible root, e.g. http://127.0.0.1:4821/v1. */
  baseUrl: string;
  key: string;
}

type Table = Record<string, unknown>;

export function parseToml(path: string, text: string | null): Table {
  if (text === null) return {};
  try {
    return parse(text.replace(/^\uFEFF/, '')) as Table;
  } catch (err) {
    const msg = err instanceof TomlError ? `line ${err.line}, column ${err.column}: ${err.message.split('\n')[0]}` : (err as Error).message;
    throw new ConfigParseError(path, msg);
  }
}

function providerTable(doc: Table): Table | undefined {
  const providers = doc.model_providers as Table | undefined;
  const p = providers?.[CODEX_PROVIDER_ID];
  return p && typeof p === 'object' ? (p as Table) : undefined;
}

export function codexConfigured(doc: Table, t: CodexTarget): boolean {
  const p = providerTable(doc);
  return doc.model_provider === CODEX_PROVIDER_ID && p?.base_url === t.baseUrl && p?.experimental_bearer_token === t.key && p?.wire_api === 'responses';
}

const str = (s: string) => JSON.stringify(s);
const HEADER = /^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$/;
const headerName = (line: string) => HEADER.exec(line)?.[1]?.replace(/\s*\.\s*/g, '.').replace(/"/g, '') ?? null;

function providerLines(t: CodexTarget): string[] {
  return [
    `[model_providers.${CODEX_PROVIDER_ID}]`,
    `name = "QuotaDeck"`,
    `base_url = ${str(t.baseUrl)}`,
    `wire_api = "responses"`,
    `experimental_bearer_token = ${str(t.key)}`,
  ];
}

export function setCodexProvider(path: string, text: string | null, t: CodexTarget): string {
  const before = parseToml(path, text);
  if (codexConfigured(before, t)) return text ?? '';
  const eol = text?.includes('\r\n') ? '\r\n' : '\n';
  const lines = text === null || text === '' ? [] : text.split(/\r?\n/);
  const hadFinalNewline = lines.length === 0 || lines[lines.length - 1] === '';
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();

  const headers = lines.map(headerName);
  const firstHeader = headers.findIndex((h) => h !== null);
  const rootEnd = firstHeader < 0 ? lines.length : firstHeader;

  // 1. The provider table: replace its body in place, or append it.
  const own = headers.indexOf(`model_providers.${CODEX_PROVIDER_ID}`);
  if (own >= 0) {
    let end = own + 1;
    while (end < lines.length && headers[end] === null) end++;
    // Keep trailing blank lines and comments that introduce the next table.
    while (end > own + 1 && /^\s*(#.*)?$/.test(lines[end - 1]!)) end--;
    lines.splice(own, end - own, ...providerLines(t));
  } else {
    if (lines.length > 0 && lines[lines.length - 1]!.trim() !== '') lines.push('');
    lines.push(...providerLines(t));
  }

  // 2. The root key (root keys must come before the first table).
  const rootLine = lines.slice(0, rootEnd).findIndex((l) => /^\s*model_provider\s*=/.test(l));
  const selection = `model_provider = ${str(CODEX_PROVIDER_ID)}`;
  if (rootLine >= 0) lines[rootLine] = selection;
  else if (firstHeader < 0 && own < 0) lines.splice(rootEnd, 0, selection, ...(rootEnd > 0 ? [] : ['']));
  else {
    // Before the first table, after the root keys, separated by a blank line from the table.
    let at = rootEnd;
    while (at > 0 && /^\s*(#.*)?$/.test(lines[at - 1]!)) at--;
    lines.splice(at, 0, ...(at > 0 ? [selection] : [selection, '']));
  }

  const out = `${lines.join(eol)}${hadFinalNewline || text === null ? eol : ''}`;
  verify(path, before, out, t);
  return out;
}

/** The edit must have set exactly our values: anything else (a quirk of the file) refuses it. */
function verify(path: string, before: Table, text: string, t: CodexTarget): void {
  const refuse = () =>
    new ConfigParseError(path, 'its layout is one QuotaDeck cannot edit line by line safely (for example model_providers written inline); add the provider by hand as shown in the README');
  let after: Table;
  try {
    after = parse(text) as Table;
  } catch {
    throw refuse();
  }
  const strip = (doc: Table) => {
    const { model_provider: _m, model_providers, ...rest } = doc;
    const others = { ...((model_providers as Table | undefined) ?? {}) };
    delete others[CODEX_PROVIDER_ID];
    return { ...rest, model_providers: others };
  };
  if (!codexConfigured(after, t) || !isDeepStrictEqual(strip(before), strip(after))) {
    throw refuse();
  }
}
