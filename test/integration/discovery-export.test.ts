import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DiscoveredCredential, ExportReport, ImportReport } from '../../src/shared/types';
import { call, makeHarness, tempDir, type Harness } from '../helpers/harness';

let home: { dir: string; cleanup: () => void };
let h: Harness;

const jwt = (claims: object) => `e30.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;

function writeHome(files: Record<string, unknown>) {
  for (const [rel, body] of Object.entries(files)) {
    const p = join(home.dir, rel);
    mkdirSync(join(p, '..'), { recursive: true });
    writeFileSync(p, typeof body === 'string' ? body : JSON.stringify(body));
  }
}

beforeEach(async () => {
  home = tempDir('quotadeck-home-');
  h = await makeHarness({ homeDir: home.dir });
});
afterEach(async () => {
  await h.close();
  home.cleanup();
});

// Files are written before the app looks: discovery reads them on each call.
const withHome = async () => h;

describe('credential discovery (read-only) and export', () => {
  it('lists what other tools keep, masked, and imports only what the user picks', async () => {
    writeHome({
      '.claude/.credentials.json': { claudeAiOauth: { accessToken: 'sk-ant-oat01-DISCOVERED-ACCESS', refreshToken: 'sk-ant-ort01-DISCOVERED-REFRESH', expiresAt: 1795430000000, scopes: ['user:profile'], subscriptionType: 'max' } },
      '.codex/auth.json': { tokens: { access_token: jwt({ exp: 1795430000 }), refresh_token: 'codex-refresh-DISCOVERED', id_token: jwt({ email: 'dev@example.com', 'https://api.openai.com/auth': { chatgpt_account_id: 'acct-123' } }) } },
      '.gemini/oauth_creds.json': '{ not json',
    });
    const before = readFileSync(join(home.dir, '.claude/.credentials.json'), 'utf8');
    await withHome();
    const found = await call<DiscoveredCredential[]>(h.app, 'accounts:discover');
    const byId = Object.fromEntries(found.map((f) => [f.id, f]));
    expect(Object.keys(byId).sort()).toEqual(['claude-code', 'codex-cli', 'gemini-cli']);
    expect(byId['claude-code']).toMatchObject({ provider: 'claude', label: 'Claude Max', alreadyImported: false, error: null });
    expect(byId['codex-cli']).toMatchObject({ provider: 'codex', email: 'dev@example.com' });
    expect(byId['gemini-cli']!.error).toMatch(/not valid JSON/);
    expect(JSON.stringify(found)).not.toContain('DISCOVERED');
    expect((await call<unknown[]>(h.app, 'accounts:list')).length).toBe(0);

    const report = await call<ImportReport>(h.app, 'accounts:importDiscovered', { ids: ['codex-cli'] });
    expect(report).toMatchObject({ created: 1 });
    expect(h.app.services.store.credentials(report.accounts[0]!.id)).toMatchObject({ refreshToken: 'codex-refresh-DISCOVERED', accountId: 'acct-123' });
    const again = await call<DiscoveredCredential[]>(h.app, 'accounts:discover');
    expect(again.find((f) => f.id === 'codex-cli')?.alreadyImported).toBe(true);
    // Their files are never written.
    expect(readFileSync(join(home.dir, '.claude/.credentials.json'), 'utf8')).toBe(before);
    const bad = await h.app.api.call('accounts:importDiscovered', { ids: ['gemini-cli'] });
    expect(bad.ok ? null : bad.error.message).toMatch(/not valid JSON/);
  });

  it('exports our format without secrets unless asked, to a 0600 file, never over the contract', async () => {
    await withHome();
    await call(h.app, 'accounts:import', { accounts: [{ email: 'x@example.com', refresh_token: '1//EXPORT-CANARY-REFRESH' }] });
    const plain = join(home.dir, 'export.json');
    const r1 = await call<ExportReport>(h.app, 'accounts:export', { path: plain });
    expect(r1).toMatchObject({ accounts: 1, includesSecrets: false, warning: null });
    expect(readFileSync(plain, 'utf8')).not.toContain('EXPORT-CANARY');
    const secret = join(home.dir, 'export-secrets.json');
    const r2 = await call<ExportReport>(h.app, 'accounts:export', { path: secret, includeSecrets: true });
    expect(JSON.stringify(r2)).not.toContain('EXPORT-CANARY');
    expect(r2.warning).toMatch(/plain text/);
    expect(statSync(secret).mode & 0o777).toBe(0o600);
    const doc = JSON.parse(readFileSync(secret, 'utf8'));
    expect(doc.accounts[0]).toMatchObject({ provider: 'antigravity', email: 'x@example.com', refreshToken: '1//EXPORT-CANARY-REFRESH' });
    // The exported file imports back with no change.
    expect(await call<ImportReport>(h.app, 'accounts:import', doc)).toMatchObject({ created: 0, updated: 0, unchanged: 1 });
    const rel = await h.app.api.call('accounts:export', { path: 'relative.json' });
    expect(rel.ok ? null : rel.error.code).toBe('bad_request');
    expect(existsSync('relative.json')).toBe(false);
  });
});
