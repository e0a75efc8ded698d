// Real plans (issue 12 §5): Claude and Codex subscriptions are read from what their upstreams
// answer (Claude's OAuth profile, Codex's usage plan_type and id_token claim), shown as the tier
// and its label, and used for tier priority by the selector. Real core (SQLite in a temp dir),
// fake upstreams on loopback.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AccountView, ImportReport } from '../../src/shared/types';
import { startFakeClaude, type FakeClaude } from '../helpers/fake-claude';
import { startFakeCodex, type FakeCodex } from '../helpers/fake-codex';
import { call, makeHarness, tempDir, type Harness } from '../helpers/harness';

let claude: FakeClaude;
let codex: FakeCodex;
let h: Harness;
let home: { dir: string; cleanup: () => void };

const hour = (n: number) => new Date(Date.now() + n * 3_600_000).toISOString();
const jwt = (claims: object) => `e30.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;

beforeEach(async () => {
  [claude, codex] = await Promise.all([startFakeClaude(), startFakeCodex()]);
  home = tempDir('quotadeck-home-');
  h = await makeHarness({
    homeDir: home.dir,
    overrides: {
      baseUrls: { claude: claude.baseUrl, codex: codex.baseUrl },
      oauthTokenUrls: { claude: claude.tokenUrl, codex: codex.tokenUrl },
    },
  });
});
afterEach(async () => {
  await h.close();
  home.cleanup();
  await Promise.all([claude.close(), codex.close()]);
});

const byLabel = async () => Object.fromEntries((await call<AccountView[]>(h.app, 'accounts:list')).map((a) => [a.label, a]));

describe('plans from the upstreams', () => {
  it('a sync reads Claude Pro / Max 5× / Max 20× / Team and Codex Plus / Pro / Team / Business as tiers, and the selector ranks by them', async () => {
    const same = { five_hour: { utilization: 20, resets_at: hour(3) }, seven_day: { utilization: 20, resets_at: hour(100) } };
    const claudePlans = [
      ['cl-pro', { organizationType: 'claude_pro', rateLimitTier: 'default_claude_ai' }],
      ['cl-max5', { organizationType: 'claude_max', rateLimitTier: 'default_claude_max_5x' }],
      ['cl-max20', { organizationType: 'claude_max', rateLimitTier: 'default_claude_max_20x' }],
      ['cl-team', { organizationType: 'claude_team', rateLimitTier: 'default_claude_max_5x' }],
    ] as const;
    const codexPlans = [['cx-plus', 'plus'], ['cx-pro', 'pro'], ['cx-team', 'team'], ['cx-business', 'business']] as const;
    const accounts: Record<string, unknown>[] = [];
    for (const [label, profile] of claudePlans) {
      const a = claude.addAccount({ refreshToken: `rt-${label}`, windows: same, profile });
      accounts.push({ provider: 'claude', email: `${label}@example.com`, label, refreshToken: a.refreshToken(), accessToken: a.accessToken(), expiresAt: hour(24) });
    }
    for (const [label, planType] of codexPlans) {
      // Business answers no plan_type in its usage: the id_token's chatgpt_plan_type tells.
      const a = codex.addAccount({ refreshToken: `rt-${label}`, accountId: `acct-${label}`, planType, usageWithoutPlan: planType === 'business' });
      accounts.push({ provider: 'codex', email: `${label}@example.com`, label, refreshToken: a.refreshToken(), accessToken: a.accessToken(), accountId: `acct-${label}`, expiresAt: hour(24) });
    }
    await call<ImportReport>(h.app, 'accounts:import', { accounts });
    // Before any answer, a Claude subscription is plain "free"; a ChatGPT token names its plan already.
    expect(Object.values(await byLabel()).map((a) => a.tier)).toEqual(['free', 'free', 'free', 'free', 'pro', 'ultra', 'pro', 'pro']);

    await call(h.app, 'monitor:syncNow');
    const after = await byLabel();
    const plan = (label: string) => ({ tier: after[label]!.tier, tierLabel: after[label]!.tierLabel });
    expect(plan('cl-pro')).toEqual({ tier: 'pro', tierLabel: 'Claude Pro' });
    expect(plan('cl-max5')).toEqual({ tier: 'ultra', tierLabel: 'Claude Max 5×' });
    expect(plan('cl-max20')).toEqual({ tier: 'ultra', tierLabel: 'Claude Max 20×' });
    expect(plan('cl-team')).toEqual({ tier: 'pro', tierLabel: 'Claude Team' });
    expect(plan('cx-plus')).toEqual({ tier: 'pro', tierLabel: 'ChatGPT Plus' });
    expect(plan('cx-pro')).toEqual({ tier: 'ultra', tierLabel: 'ChatGPT Pro' });
    expect(plan('cx-team')).toEqual({ tier: 'pro', tierLabel: 'ChatGPT Team' });
    expect(plan('cx-business')).toEqual({ tier: 'pro', tierLabel: 'ChatGPT Business' });
    // The rate-limit tier is kept with the account's facts.
    expect(after['cl-max20']!.details).toMatchObject({ rateLimitTier: 'default_claude_max_20x' });

    // Equal quota everywhere: the higher plan is chosen first.
    const pick = (model: string) => h.app.services.selector.select(model).account.label;
    expect(['cl-max5', 'cl-max20']).toContain(pick('claude-sonnet-4-5'));
    expect(pick('gpt-5-codex')).toBe('cx-pro');

    // The profile is asked once per Claude account (then once a day).
    const profileCalls = claude.requests.filter((r) => r.path === '/api/oauth/profile').length;
    expect(profileCalls).toBe(4);
  });

  it('an import already knows the plan its token or file names: a ChatGPT id_token, Claude Code\'s credentials file', async () => {
    const report = await call<ImportReport>(h.app, 'accounts:import', {
      accounts: [{ provider: 'codex', label: 'imported-pro', refreshToken: 'rt-imported', idToken: jwt({ email: 'p@example.com', 'https://api.openai.com/auth': { chatgpt_plan_type: 'pro', chatgpt_account_id: 'acct-p' } }) }],
    });
    expect(report.accounts[0]).toMatchObject({ tier: 'ultra' });

    mkdirSync(join(home.dir, '.claude'), { recursive: true });
    writeFileSync(join(home.dir, '.claude', '.credentials.json'), JSON.stringify({
      claudeAiOauth: { accessToken: 'sk-ant-oat01-x', refreshToken: 'sk-ant-ort01-plan-file', expiresAt: Date.now() + 3_600_000, subscriptionType: 'max', rateLimitTier: 'default_claude_max_20x' },
    }));
    const found = await call<{ id: string; label: string }[]>(h.app, 'accounts:discover');
    expect(found.find((f) => f.id === 'claude-code')?.label).toBe('Claude Max 20×');
    const imported = await call<ImportReport>(h.app, 'accounts:importDiscovered', { ids: ['claude-code'] });
    expect(imported.accounts[0]).toMatchObject({ provider: 'claude', tier: 'ultra' });
  });
});
