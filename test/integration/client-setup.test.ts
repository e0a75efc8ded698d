// Client setup through the real service's HTTP control API: a temp HOME per test, the proxy
// running on a free port, and the files of Claude Code, Codex CLI and Gemini CLI checked byte
// for byte, mode included.
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'smol-toml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ClientPreview, ClientRow } from '../../src/shared/client-setup';
import type { ProxyInfo } from '../../src/shared/types';
import { silentLogger } from '../../src/main/core/ports';
import { startControlServer, type ControlServer } from '../../src/main/core/server/control-server';
import { makeHarness, tempDir, type Harness } from '../helpers/harness';

const TOKEN = 'control-token-for-client-setup-tests';
let home: { dir: string; cleanup: () => void };
let h: Harness;
let server: ControlServer;
let proxy: ProxyInfo;

beforeEach(async () => {
  home = tempDir('quotadeck-home-');
  h = await makeHarness({ homeDir: home.dir, overrides: { proxyPort: 0 } });
  await h.app.start();
  server = await startControlServer({ app: h.app, token: TOKEN, port: 0, rendererDir: null, log: silentLogger });
  proxy = await ok<ProxyInfo>('proxy:getInfo');
});
afterEach(async () => {
  await server.close();
  await h.close();
  home.cleanup();
});

async function api(method: string, body?: unknown): Promise<{ status: number; body: { ok: boolean; result?: unknown; error?: { code: string; message: string; details?: unknown } } }> {
  const res = await fetch(`${server.url}/api/${method}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as never };
}

async function ok<T>(method: string, body?: unknown): Promise<T> {
  const r = await api(method, body);
  if (!r.body.ok) throw new Error(`${method}: ${r.body.error!.code} ${r.body.error!.message}`);
  return r.body.result as T;
}

const row = async (id: string) => (await ok<ClientRow[]>('clients:list')).find((r) => r.id === id)!;
const file = (...p: string[]) => join(home.dir, ...p);
const mode = (p: string) => statSync(p).mode & 0o777;
function put(path: string, text: string, m = 0o644): Buffer {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  chmodSync(path, m);
  return readFileSync(path);
}

describe('clients:list', () => {
  it('lists the three clients under HOME; detected follows their folders', async () => {
    let rows = await ok<ClientRow[]>('clients:list');
    expect(rows.map((r) => [r.id, r.name, r.detected, r.configured, r.restorable])).toEqual([
      ['claude-code', 'Claude Code', false, false, false],
      ['codex', 'Codex CLI', false, false, false],
      ['gemini-cli', 'Gemini CLI', false, false, false],
    ]);
    expect(rows.map((r) => r.configPath)).toEqual([file('.claude', 'settings.json'), file('.codex', 'config.toml'), file('.gemini', '.env')]);
    expect(rows[2]!.files).toEqual([file('.gemini', '.env'), file('.gemini', 'settings.json')]);
    expect(rows.every((r) => r.backupPath === undefined && r.problem === undefined)).toBe(true);
    mkdirSync(file('.codex'));
    rows = await ok<ClientRow[]>('clients:list');
    expect(rows.find((r) => r.id === 'codex')!.detected).toBe(true);
    expect(rows.find((r) => r.id === 'claude-code')!.detected).toBe(false);
  });

  it('rejects an unknown client id with a clear 400', async () => {
    const r = await api('clients:configure', { id: 'vim' });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: 'bad_request' });
    expect(r.body.error!.message).toMatch(/id/);
  });
});

describe('Claude Code', () => {
  const settings = () => file('.claude', 'settings.json');
  const original = `{
    "model": "opus",
    "permissions": { "allow": ["Bash(npm test)"], "deny": [] },
    "env": { "DISABLE_TELEMETRY": "1", "ANTHROPIC_BASE_URL": "https://old.example" },
    "hooks": {}
}
`;

  it('previews, configures keeping every other setting and the mode, and restores byte for byte', async () => {
    const before = put(settings(), original, 0o640);
    const preview = await ok<ClientPreview>('clients:preview', { id: 'claude-code' });
    expect(preview).toMatchObject({ id: 'claude-code', action: 'configure', unchanged: false, proxyUrl: proxy.url });
    const change = preview.changes[0]!;
    expect(change).toMatchObject({ path: settings(), existsBefore: true, existsAfter: true });
    expect(change.diff).toContain(`-    "env": { "DISABLE_TELEMETRY": "1", "ANTHROPIC_BASE_URL": "https://old.example" },\n`);
    expect(change.diff).toMatch(new RegExp(`\\n\\+    "env": \\{ "DISABLE_TELEMETRY": "1", "ANTHROPIC_BASE_URL": "${proxy.url}", "ANTHROPIC_AUTH_TOKEN": "sk-q…[^"]+" \\},\\n`));
    // Only that line changes: the rest of the file keeps its layout.
    expect(change.diff.split('\n').filter((l) => /^[-+][^-+]/.test(l))).toHaveLength(2);
    // The preview masks the key and wrote nothing.
    expect(JSON.stringify(preview)).not.toContain(proxy.key);
    expect(readFileSync(settings())).toEqual(before);

    const configured = await ok<ClientRow>('clients:configure', { id: 'claude-code' });
    expect(configured).toMatchObject({ id: 'claude-code', detected: true, configured: true, restorable: true, configPath: settings() });
    const json = JSON.parse(readFileSync(settings(), 'utf8'));
    expect(json).toEqual({
      model: 'opus',
      permissions: { allow: ['Bash(npm test)'], deny: [] },
      env: { DISABLE_TELEMETRY: '1', ANTHROPIC_BASE_URL: proxy.url, ANTHROPIC_AUTH_TOKEN: proxy.key },
      hooks: {},
    });
    expect(readFileSync(settings(), 'utf8')).toBe(original.replace('"https://old.example" }', `"${proxy.url}", "ANTHROPIC_AUTH_TOKEN": "${proxy.key}" }`));
    expect(mode(settings())).toBe(0o640);
    expect(readFileSync(configured.backupPath!)).toEqual(before);

    // Configuring again changes nothing; the preview says so.
    expect((await ok<ClientPreview>('clients:preview', { id: 'claude-code' })).unchanged).toBe(true);
    expect(await ok<ClientRow>('clients:configure', { id: 'claude-code' })).toEqual(configured);

    const restorePreview = await ok<ClientPreview>('clients:preview', { id: 'claude-code', action: 'restore' });
    expect(restorePreview.changes[0]!.diff).toContain('+    "env": { "DISABLE_TELEMETRY": "1", "ANTHROPIC_BASE_URL": "https://old.example" },');
    const restored = await ok<ClientRow>('clients:restore', { id: 'claude-code' });
    expect(restored).toMatchObject({ configured: false, restorable: false });
    expect(restored.backupPath).toBeUndefined();
    expect(readFileSync(settings())).toEqual(before);
    expect(mode(settings())).toBe(0o640);
    expect(existsSync(configured.backupPath!)).toBe(false);
  });

  it('creates a missing file (0600) and removes it, and the folder it made, on restore', async () => {
    const r = await ok<ClientRow>('clients:configure', { id: 'claude-code' });
    expect(r).toMatchObject({ configured: true, restorable: true, detected: true });
    expect(r.backupPath).toBeUndefined();
    expect(JSON.parse(readFileSync(settings(), 'utf8'))).toEqual({ env: { ANTHROPIC_BASE_URL: proxy.url, ANTHROPIC_AUTH_TOKEN: proxy.key } });
    expect(mode(settings())).toBe(0o600);
    await ok('clients:restore', { id: 'claude-code' });
    expect(existsSync(settings())).toBe(false);
    expect(existsSync(file('.claude'))).toBe(false);
  });

  it('leaves a file that does not parse untouched, with a clear error', async () => {
    const before = put(settings(), '{ "model": "opus", // a comment\n}', 0o600);
    const mtime = statSync(settings()).mtimeMs;
    for (const method of ['clients:configure', 'clients:preview']) {
      const r = await api(method, { id: 'claude-code' });
      expect(r.status).toBe(400);
      expect(r.body.error!.code).toBe('bad_request');
      expect(r.body.error!.message).toContain(`${settings()} does not parse`);
      expect(r.body.error!.message).toContain('left it untouched');
    }
    expect(readFileSync(settings())).toEqual(before);
    expect(statSync(settings()).mtimeMs).toBe(mtime);
    const listed = await row('claude-code');
    expect(listed).toMatchObject({ configured: false, restorable: false });
    expect(listed.problem).toContain('does not parse');
    expect(existsSync(join(h.dir, 'client-backups', 'claude-code'))).toBe(false);
  });

  it('keeps the first original across a new proxy key: configured turns false, a second configure updates, restore brings the original', async () => {
    const before = put(settings(), '{"theme":"dark"}', 0o644);
    await ok('clients:configure', { id: 'claude-code' });
    const next = await ok<ProxyInfo>('proxy:regenerateKey');
    expect((await row('claude-code')).configured).toBe(false);
    await ok('clients:configure', { id: 'claude-code' });
    expect(JSON.parse(readFileSync(settings(), 'utf8')).env.ANTHROPIC_AUTH_TOKEN).toBe(next.key);
    expect((await row('claude-code')).configured).toBe(true);
    await ok('clients:restore', { id: 'claude-code' });
    expect(readFileSync(settings())).toEqual(before);
  });

  it('refuses to configure while the proxy is turned off', async () => {
    await ok('settings:update', { proxyEnabled: false });
    await server.close();
    await h.close();
    h = await makeHarness({ homeDir: home.dir, overrides: { proxyPort: 0, proxyEnabled: false } });
    server = await startControlServer({ app: h.app, token: TOKEN, port: 0, rendererDir: null, log: silentLogger });
    const r = await api('clients:configure', { id: 'claude-code' });
    expect(r.status).toBe(400);
    expect(r.body.error!.message).toMatch(/proxy is turned off/);
    expect(existsSync(settings())).toBe(false);
    expect((await row('claude-code')).problem).toMatch(/proxy is turned off/);
  });
});

describe('Codex CLI', () => {
  const config = () => file('.codex', 'config.toml');
  const original = `# my Codex settings
model = "gpt-5.2-codex"
model_provider = "openai"   # the default
approval_policy = "on-request"

# tools
[mcp_servers.docs]
command = "npx"
args = ["-y", "docs-mcp"]

[model_providers.other]
name = "Other"
base_url = "https://other.example/v1"
env_key = "OTHER_KEY"
`;

  it('adds and selects a quotadeck provider editing only those lines, and restores byte for byte', async () => {
    const before = put(config(), original, 0o600);
    const r = await ok<ClientRow>('clients:configure', { id: 'codex' });
    expect(r).toMatchObject({ configured: true, restorable: true, detected: true });
    const text = readFileSync(config(), 'utf8');
    const doc = parse(text) as Record<string, any>;
    expect(doc.model_provider).toBe('quotadeck');
    expect(doc.model_providers.quotadeck).toEqual({ name: 'QuotaDeck', base_url: `${proxy.url}/v1`, wire_api: 'responses', experimental_bearer_token: proxy.key });
    expect(doc.model_providers.other).toEqual({ name: 'Other', base_url: 'https://other.example/v1', env_key: 'OTHER_KEY' });
    expect(doc.mcp_servers).toEqual({ docs: { command: 'npx', args: ['-y', 'docs-mcp'] } });
    expect(doc.model).toBe('gpt-5.2-codex');
    expect(doc.approval_policy).toBe('on-request');
    // Every line but the selection is still there, comments included.
    const kept = original.split('\n').filter((l) => !l.startsWith('model_provider ='));
    for (const line of kept) expect(text.split('\n')).toContain(line);
    expect(mode(config())).toBe(0o600);

    await ok('clients:restore', { id: 'codex' });
    expect(readFileSync(config())).toEqual(before);
  });

  it('writes a fresh config.toml when there is none', async () => {
    mkdirSync(file('.codex'));
    await ok('clients:configure', { id: 'codex' });
    const doc = parse(readFileSync(config(), 'utf8')) as Record<string, any>;
    expect(doc).toEqual({ model_provider: 'quotadeck', model_providers: { quotadeck: { name: 'QuotaDeck', base_url: `${proxy.url}/v1`, wire_api: 'responses', experimental_bearer_token: proxy.key } } });
    await ok('clients:restore', { id: 'codex' });
    expect(existsSync(config())).toBe(false);
    expect(existsSync(file('.codex'))).toBe(true); // the user's folder stays
  });

  it('leaves a config.toml that does not parse untouched', async () => {
    const before = put(config(), 'model = "gpt-5"\n[model_providers.x\nname = 1\n');
    const r = await api('clients:configure', { id: 'codex' });
    expect(r.status).toBe(400);
    expect(r.body.error!.message).toMatch(/config\.toml does not parse \(line \d+/);
    expect(readFileSync(config())).toEqual(before);
  });

  it('refuses a layout it cannot edit line by line, writing nothing', async () => {
    const before = put(config(), 'model_providers = { quotadeck = { name = "mine" } }\n');
    const r = await api('clients:configure', { id: 'codex' });
    expect(r.status).toBe(400);
    expect(r.body.error!.message).toContain('cannot edit line by line safely');
    expect(readFileSync(config())).toEqual(before);
    expect(existsSync(join(h.dir, 'client-backups', 'codex'))).toBe(false);
  });
});

describe('Gemini CLI', () => {
  const env = () => file('.gemini', '.env');
  const settings = () => file('.gemini', 'settings.json');

  it('sets the key and base URL in .env and the API-key auth type in settings.json; restore brings both back', async () => {
    const envBefore = put(env(), '# Gemini\nGEMINI_MODEL=gemini-3-pro-preview\nexport GEMINI_API_KEY="AIzaSyDUMMYDUMMYDUMMYDUMMYDUMMY1234"\n', 0o600);
    const settingsBefore = put(settings(), '{\n  "ui": { "theme": "GitHub" },\n  "security": { "auth": { "selectedType": "oauth-personal" } }\n}\n', 0o644);
    const preview = await ok<ClientPreview>('clients:preview', { id: 'gemini-cli' });
    expect(preview.changes.map((c) => c.path)).toEqual([env(), settings()]);
    expect(JSON.stringify(preview)).not.toContain('AIzaSyDUMMYDUMMYDUMMYDUMMYDUMMY1234');
    expect(JSON.stringify(preview)).not.toContain(proxy.key);

    const r = await ok<ClientRow>('clients:configure', { id: 'gemini-cli' });
    expect(r).toMatchObject({ configured: true, restorable: true });
    expect(readFileSync(env(), 'utf8')).toBe(`# Gemini\nGEMINI_MODEL=gemini-3-pro-preview\nexport GEMINI_API_KEY=${proxy.key}\nGOOGLE_GEMINI_BASE_URL=${proxy.url}\n`);
    expect(JSON.parse(readFileSync(settings(), 'utf8'))).toEqual({ ui: { theme: 'GitHub' }, security: { auth: { selectedType: 'gemini-api-key' } } });
    expect(mode(env())).toBe(0o600);
    expect(mode(settings())).toBe(0o644);

    await ok('clients:restore', { id: 'gemini-cli' });
    expect(readFileSync(env())).toEqual(envBefore);
    expect(readFileSync(settings())).toEqual(settingsBefore);
  });

  it('an unparsable .env stops the whole change: settings.json is not touched either', async () => {
    const envBefore = put(env(), 'GEMINI_MODEL=x\nthis line is not an assignment\n');
    const settingsBefore = put(settings(), '{}\n');
    const r = await api('clients:configure', { id: 'gemini-cli' });
    expect(r.status).toBe(400);
    expect(r.body.error!.message).toContain('line 2 is not KEY=value');
    expect(readFileSync(env())).toEqual(envBefore);
    expect(readFileSync(settings())).toEqual(settingsBefore);
  });

  it('creates both files when Gemini CLI has none, and removes them on restore', async () => {
    mkdirSync(file('.gemini'));
    await ok('clients:configure', { id: 'gemini-cli' });
    expect(readFileSync(env(), 'utf8')).toBe(`GEMINI_API_KEY=${proxy.key}\nGOOGLE_GEMINI_BASE_URL=${proxy.url}\n`);
    expect(mode(env())).toBe(0o600);
    await ok('clients:restore', { id: 'gemini-cli' });
    expect(existsSync(env())).toBe(false);
    expect(existsSync(settings())).toBe(false);
  });
});
