// Peers' files (issue 12 §7): CLIProxyAPI auth files (one JSON per account, `type` naming the
// provider), alone or gathered into an array, are honoured per entry; the Antigravity Manager's
// account data files and export import as Antigravity accounts; an import names every problem of
// every entry, numbered from 0 (`entry` and `index`, as in the messages) and the
// entry's email or label; discovery finds both tools' folders under HOME (a temp HOME here).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AccountView, DiscoveredCredential, ImportIssue, ImportReport } from '../../src/shared/types';
import { call, makeHarness, tempDir, type Harness } from '../helpers/harness';

let h: Harness;
let home: { dir: string; cleanup: () => void };

const jwt = (claims: object) => `e30.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;

beforeEach(async () => {
  home = tempDir('quotadeck-home-');
  h = await makeHarness({ homeDir: home.dir });
});
afterEach(async () => {
  await h.close();
  home.cleanup();
});

// Shapes as CLIProxyAPI writes them (internal/auth/<provider>/…token.go).
const cpaClaude = {
  id_token: '', access_token: 'sk-ant-oat01-cpa-access', refresh_token: 'sk-ant-ort01-cpa-refresh', last_refresh: '2026-11-20T10:00:00Z',
  email: 'claude-user@example.com', type: 'claude', expired: '2026-11-20T18:00:00Z',
};
const cpaCodex = {
  id_token: jwt({ email: 'codex-user@example.com', 'https://api.openai.com/auth': { chatgpt_account_id: 'acct-cpa', chatgpt_plan_type: 'plus' } }),
  access_token: jwt({ exp: 1795430000 }), refresh_token: 'rt-codex-cpa', account_id: 'acct-cpa', last_refresh: '2026-11-20T10:00:00Z',
  email: 'codex-user@example.com', type: 'codex', expired: '2026-11-30T10:00:00Z',
};
const cpaGemini = {
  token: { access_token: 'ya29.cpa-gemini', token_type: 'Bearer', refresh_token: '1//cpa-gemini-refresh', expiry: '2026-11-20T11:00:00Z', client_id: 'cpa-client.apps.googleusercontent.com', client_secret: 'cpa-secret' },
  project_id: 'gemini-project-1', email: 'gemini-user@example.com', auto: false, checked: true, type: 'gemini',
};
const cpaAntigravity = {
  access_token: 'ya29.cpa-antigravity', refresh_token: '1//cpa-antigravity-refresh', expires_in: 3599, timestamp: 1795400000000,
  expired: '2026-11-20T12:00:00Z', email: 'ag-user@example.com', type: 'antigravity', project_id: 'ag-project-7',
};
// The Antigravity Manager's account data file (src-tauri/src/models/account.rs, token.rs).
const managerAccount = {
  id: '5b8e1c0a-0000-4000-8000-000000000001', email: 'manager-user@example.com', name: 'Manager One',
  token: { access_token: 'ya29.manager', refresh_token: '1//manager-refresh', expires_in: 3599, expiry_timestamp: 1795403599, token_type: 'Bearer', email: 'manager-user@example.com', project_id: 'mgr-project' },
  quota: null, disabled: false, created_at: 1795400000, last_used: 1795400000,
};

async function importError(doc: unknown): Promise<{ code: string; message: string; issues: ImportIssue[] }> {
  const env = await h.app.api.call('accounts:import', doc);
  if (env.ok) throw new Error('expected the import to be rejected');
  return { code: env.error.code, message: env.error.message, issues: (env.error.details as { issues: ImportIssue[] }).issues };
}

describe('CLIProxyAPI and Antigravity Manager files', () => {
  it('a mixed CLIProxyAPI array imports each entry as its own type (a "claude" entry is Claude, not Antigravity)', async () => {
    const r = await call<ImportReport>(h.app, 'accounts:import', [cpaClaude, cpaCodex, cpaGemini, cpaAntigravity, managerAccount, { email: 'export@example.com', refresh_token: '1//manager-export' }]);
    expect(r.created).toBe(6);
    expect(r.accounts.map((a) => [a.provider, a.email])).toEqual([
      ['claude', 'claude-user@example.com'],
      ['codex', 'codex-user@example.com'],
      ['gemini-cli', 'gemini-user@example.com'],
      ['antigravity', 'ag-user@example.com'],
      ['antigravity', 'manager-user@example.com'],
      ['antigravity', 'export@example.com'],
    ]);
    const [claude, codex, gemini, ag, manager] = r.accounts;
    const creds = (a: AccountView | undefined) => h.app.services.store.credentials(a!.id);
    expect(creds(claude)).toMatchObject({ refreshToken: 'sk-ant-ort01-cpa-refresh', accessToken: 'sk-ant-oat01-cpa-access', accessTokenExpiresAt: Date.parse('2026-11-20T18:00:00Z') });
    expect(creds(codex)).toMatchObject({ refreshToken: 'rt-codex-cpa', accountId: 'acct-cpa', idToken: cpaCodex.id_token });
    expect(codex).toMatchObject({ tier: 'pro' }); // the id_token's chatgpt_plan_type: plus
    expect(creds(gemini)).toMatchObject({ refreshToken: '1//cpa-gemini-refresh', clientId: 'cpa-client.apps.googleusercontent.com', clientSecret: 'cpa-secret', accessTokenExpiresAt: Date.parse('2026-11-20T11:00:00Z') });
    expect(gemini).toMatchObject({ projectId: 'gemini-project-1' });
    expect(creds(ag)).toMatchObject({ refreshToken: '1//cpa-antigravity-refresh', accessTokenExpiresAt: Date.parse('2026-11-20T12:00:00Z') });
    expect(ag).toMatchObject({ projectId: 'ag-project-7' });
    expect(manager).toMatchObject({ label: 'Manager One', projectId: 'mgr-project' });
    expect(creds(manager)).toMatchObject({ refreshToken: '1//manager-refresh', accessToken: 'ya29.manager', accessTokenExpiresAt: 1795403599 * 1000 });

    // Importing them again changes nothing.
    expect(await call<ImportReport>(h.app, 'accounts:import', [cpaClaude, cpaCodex, cpaGemini, cpaAntigravity, managerAccount])).toMatchObject({ created: 0, unchanged: 5 });
  });

  it('one CLIProxyAPI file, or one Antigravity Manager account file, is a document of one account', async () => {
    expect((await call<ImportReport>(h.app, 'accounts:import', cpaClaude)).accounts[0]).toMatchObject({ provider: 'claude', email: 'claude-user@example.com' });
    expect((await call<ImportReport>(h.app, 'accounts:import', managerAccount)).accounts[0]).toMatchObject({ provider: 'antigravity', email: 'manager-user@example.com' });
  });

  it('reports every problem of every entry, numbered from 0 with the entry\'s email or label, and writes nothing', async () => {
    const err = await importError([
      cpaClaude,
      // Three problems in one entry: a bad email, no refresh token, an expiry that is no date.
      { provider: 'claude', label: 'broken one', email: 'not-an-email', expiresAt: 'next tuesday' },
      { ...cpaCodex, type: 'qwen', email: 'qwen-user@example.com' },
      { ...cpaClaude, access_token: 'other' },
      { type: 'gemini', email: 'g@example.com', token: {} },
    ]);
    expect(err.code).toBe('import_invalid');
    expect(err.issues.map((i) => [i.entry, i.index, i.label, i.field])).toEqual([
      [1, 1, 'not-an-email', 'email'],
      [1, 1, 'not-an-email', 'expiresAt'],
      [1, 1, 'not-an-email', 'refreshToken'],
      [2, 2, 'qwen-user@example.com', 'type'],
      [3, 3, 'claude-user@example.com', 'email'],
      [4, 4, 'g@example.com', 'refreshToken'],
    ]);
    expect(err.issues[3]!.message).toMatch(/CLIProxyAPI type "qwen" is not supported/);
    expect(err.issues[4]!.message).toBe('duplicate of entry 0');
    // The message counts the same way.
    expect(err.message).toContain('entry 1 (not-an-email), email:');
    expect(err.message).toContain('entry 3 (claude-user@example.com), email: duplicate of entry 0');
    expect(await call<AccountView[]>(h.app, 'accounts:list')).toEqual([]);
  });
});

describe('discovery of both tools\' folders', () => {
  function write(rel: string, body: unknown): void {
    const p = join(home.dir, rel);
    mkdirSync(join(p, '..'), { recursive: true });
    writeFileSync(p, typeof body === 'string' ? body : JSON.stringify(body, null, 2));
  }

  it('finds CLIProxyAPI\'s auth folder and the Antigravity Manager\'s data folder, masked, and imports what is picked', async () => {
    write('.cli-proxy-api/claude-claude-user@example.com.json', cpaClaude);
    write('.cli-proxy-api/codex-codex-user@example.com-plus.json', cpaCodex);
    write('.cli-proxy-api/gemini-gemini-user@example.com-gemini-project-1.json', cpaGemini);
    write('.cli-proxy-api/antigravity-ag-user@example.com.json', cpaAntigravity);
    write('.cli-proxy-api/qwen-someone.json', { type: 'qwen', access_token: 'x', refresh_token: 'y', email: 'q@example.com' });
    write('.cli-proxy-api/config.yaml', 'port: 8317');
    write('.antigravity_tools/accounts.json', { version: '2.0', accounts: [{ id: managerAccount.id, email: managerAccount.email, name: 'Manager One', created_at: 1, last_used: 1 }], current_account_id: managerAccount.id });
    write(`.antigravity_tools/accounts/${managerAccount.id}.json`, managerAccount);
    write('.antigravity_tools/accounts/broken.json', '{ not json');
    const before = readFileSync(join(home.dir, '.cli-proxy-api/claude-claude-user@example.com.json'), 'utf8');

    const found = await call<DiscoveredCredential[]>(h.app, 'accounts:discover');
    const byId = Object.fromEntries(found.map((f) => [f.id, f]));
    expect(Object.keys(byId).sort()).toEqual([
      'antigravity-manager:5b8e1c0a-0000-4000-8000-000000000001.json',
      'antigravity-manager:broken.json',
      'cliproxyapi:antigravity-ag-user@example.com.json',
      'cliproxyapi:claude-claude-user@example.com.json',
      'cliproxyapi:codex-codex-user@example.com-plus.json',
      'cliproxyapi:gemini-gemini-user@example.com-gemini-project-1.json',
      'cliproxyapi:qwen-someone.json',
    ]);
    expect(byId['cliproxyapi:claude-claude-user@example.com.json']).toMatchObject({ provider: 'claude', email: 'claude-user@example.com', error: null, alreadyImported: false, path: join(home.dir, '.cli-proxy-api/claude-claude-user@example.com.json') });
    expect(byId['cliproxyapi:gemini-gemini-user@example.com-gemini-project-1.json']).toMatchObject({ provider: 'gemini-cli', email: 'gemini-user@example.com', error: null });
    expect(byId['antigravity-manager:5b8e1c0a-0000-4000-8000-000000000001.json']).toMatchObject({ provider: 'antigravity', email: 'manager-user@example.com', label: 'Manager One', error: null });
    expect(byId['cliproxyapi:qwen-someone.json']!.error).toMatch(/CLIProxyAPI type "qwen" is not supported/);
    expect(byId['antigravity-manager:broken.json']!.error).toMatch(/not valid JSON/);
    // Masked: no secret travels over the contract.
    expect(JSON.stringify(found)).not.toMatch(/cpa-refresh|manager-refresh|cpa-access|cpa-secret/);

    const r = await call<ImportReport>(h.app, 'accounts:importDiscovered', { ids: ['cliproxyapi:claude-claude-user@example.com.json', 'cliproxyapi:gemini-gemini-user@example.com-gemini-project-1.json', 'antigravity-manager:5b8e1c0a-0000-4000-8000-000000000001.json'] });
    expect(r.accounts.map((a) => [a.provider, a.email])).toEqual([
      ['claude', 'claude-user@example.com'],
      ['gemini-cli', 'gemini-user@example.com'],
      ['antigravity', 'manager-user@example.com'],
    ]);
    expect(h.app.services.store.credentials(r.accounts[1]!.id)).toMatchObject({ clientId: 'cpa-client.apps.googleusercontent.com', clientSecret: 'cpa-secret' });
    expect(r.accounts[1]).toMatchObject({ projectId: 'gemini-project-1' });
    const again = await call<DiscoveredCredential[]>(h.app, 'accounts:discover');
    expect(again.filter((f) => f.alreadyImported).map((f) => f.id).sort()).toEqual([
      'antigravity-manager:5b8e1c0a-0000-4000-8000-000000000001.json',
      'cliproxyapi:claude-claude-user@example.com.json',
      'cliproxyapi:gemini-gemini-user@example.com-gemini-project-1.json',
    ]);
    // Their files are never written.
    expect(readFileSync(join(home.dir, '.cli-proxy-api/claude-claude-user@example.com.json'), 'utf8')).toBe(before);
  });

  it('finds nothing where neither tool has a folder', async () => {
    expect(await call<DiscoveredCredential[]>(h.app, 'accounts:discover')).toEqual([]);
  });
});
