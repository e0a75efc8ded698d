// The AI tools QuotaDeck can point at its proxy, and exactly what it writes into each one's own
// config (the formats and their sources are in docs/PROVIDERS.md, "Client setup"). Paths follow
// the home directory QuotaDeck was given (HOME), nothing else.
import { join } from 'node:path';
import type { ClientId } from '../../../shared/client-setup';
import { codexConfigured, parseToml, setCodexProvider } from './codex-toml-edit';
import { dotenvValue, parseDotenv, setDotenvValues } from './dotenv-edit';
import { objectAt, parseJsonObject, setJsonValues } from './json-config-edit';

/** Where the client should send its requests: the proxy's root URL and its key. */
export interface ProxyTarget {
  /** http://127.0.0.1:PORT, no trailing slash. */
  url: string;
  key: string;
}

export interface ClientFile {
  path: string;
  /** The new text (the same text when nothing needs to change); throws ConfigParseError. */
  apply(text: string | null, t: ProxyTarget): string;
  /** Already points at `t`; throws ConfigParseError. */
  configured(text: string | null, t: ProxyTarget): boolean;
}

export interface ClientDefinition {
  id: ClientId;
  name: string;
  /** The tool's own folder: its existence means the tool is (or was) used here. */
  folder: string;
  /** Commands whose presence on PATH means the tool is installed. */
  commands: string[];
  /** Every file Configure edits, the main one first. */
  files: ClientFile[];
}

function jsonFile(path: string, keys: string[], values: (t: ProxyTarget) => Record<string, string>): ClientFile {
  return {
    path,
    apply: (text, t) => setJsonValues(path, text, keys, values(t)),
    configured: (text, t) => {
      const holder = objectAt(path, parseJsonObject(path, text), keys);
      return holder !== null && Object.entries(values(t)).every(([k, v]) => holder[k] === v);
    },
  };
}

export function clientDefinitions(homeDir: string): ClientDefinition[] {
  const claude = join(homeDir, '.claude');
  const codex = join(homeDir, '.codex');
  const gemini = join(homeDir, '.gemini');
  const codexToml = join(codex, 'config.toml');
  const geminiEnv = join(gemini, '.env');
  const geminiEnvValues = (t: ProxyTarget) => ({ GEMINI_API_KEY: t.key, GOOGLE_GEMINI_BASE_URL: t.url });
  return [
    {
      id: 'claude-code',
      name: 'Claude Code',
      folder: claude,
      commands: ['claude'],
      // Claude Code appends /v1/messages to the base URL; the token goes out as a bearer header.
      files: [jsonFile(join(claude, 'settings.json'), ['env'], (t) => ({ ANTHROPIC_BASE_URL: t.url, ANTHROPIC_AUTH_TOKEN: t.key }))],
    },
    {
      id: 'codex',
      name: 'Codex CLI',
      folder: codex,
      commands: ['codex'],
      files: [
        {
          path: codexToml,
          apply: (text, t) => setCodexProvider(codexToml, text, { baseUrl: `${t.url}/v1`, key: t.key }),
          configured: (text, t) => codexConfigured(parseToml(codexToml, text), { baseUrl: `${t.url}/v1`, key: t.key }),
        },
      ],
    },
    {
      id: 'gemini-cli',
      name: 'Gemini CLI',
      folder: gemini,
      commands: ['gemini'],
      files: [
        {
          path: geminiEnv,
          apply: (text, t) => setDotenvValues(geminiEnv, text, geminiEnvValues(t)),
          configured: (text, t) => {
            const entries = parseDotenv(geminiEnv, text);
            return Object.entries(geminiEnvValues(t)).every(([k, v]) => dotenvValue(entries, k) === v);
          },
        },
        // The API-key auth type, so a CLI that was signed in with Google uses the key above.
        jsonFile(join(gemini, 'settings.json'), ['security', 'auth'], () => ({ selectedType: 'gemini-api-key' })),
      ],
    },
  ];
}
