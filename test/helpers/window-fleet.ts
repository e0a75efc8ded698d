// A mixed fleet for the window's end-to-end tests: every provider's fake upstream on loopback,
// the environment that points the built headless service at them, and an import document of
// 28 accounts in the states a daily user meets (healthy, low, exhausted, weekly-bound Claude,
// failing, API keys without a quota endpoint, a 200-character label).
import { startFakeClaude, type FakeClaude, type FakeClaudeAccount } from './fake-claude';
import { startFakeCodex, type FakeCodex, type FakeCodexAccount } from './fake-codex';
import { startFakeGoogle, type FakeAccountHandle, type FakeGoogle } from './fake-google';
import { startFakeLlmApi, type FakeLlmApi } from './fake-llm-api';
import { startFakeOpenRouter, type FakeOpenRouter } from './fake-openrouter';

export interface WindowFleet {
  google: FakeGoogle;
  claude: FakeClaude;
  codex: FakeCodex;
  openrouter: FakeOpenRouter;
  llm: FakeLlmApi;
  env: Record<string, string>;
  /** The import document (accounts:import). */
  doc: { accounts: Record<string, unknown>[] };
  ag: Record<string, FakeAccountHandle>;
  cl: Record<string, FakeClaudeAccount>;
  cx: Record<string, FakeCodexAccount>;
  close(): Promise<void>;
}

export const LONG_LABEL = `Team shared research account ${'with a very long descriptive label '.repeat(5)}`.slice(0, 200);

const inHours = (h: number) => new Date(Date.now() + h * 3_600_000).toISOString();
const inSec = (h: number) => Math.round(Date.now() / 1000 + h * 3600);

export async function startWindowFleet(): Promise<WindowFleet> {
  const [google, claude, codex, openrouter, llm] = await Promise.all([startFakeGoogle(), startFakeClaude(), startFakeCodex(), startFakeOpenRouter(), startFakeLlmApi()]);
  const env = {
    QUOTADECK_ANTIGRAVITY_BASE_URL: google.baseUrl,
    QUOTADECK_GEMINI_CLI_BASE_URL: google.baseUrl,
    QUOTADECK_CLAUDE_BASE_URL: claude.baseUrl,
    QUOTADECK_CODEX_BASE_URL: codex.baseUrl,
    QUOTADECK_OPENROUTER_BASE_URL: openrouter.baseUrl,
    QUOTADECK_GOOGLE_OAUTH_TOKEN_URL: google.tokenUrl,
    QUOTADECK_CLAUDE_OAUTH_TOKEN_URL: claude.tokenUrl,
    QUOTADECK_CODEX_OAUTH_TOKEN_URL: codex.tokenUrl,
    QUOTADECK_GOOGLE_CLIENT_ID: 'e2e-client.apps.example',
    QUOTADECK_GOOGLE_CLIENT_SECRET: 'e2e-secret',
  };
  const accounts: Record<string, unknown>[] = [];
  const ag: Record<string, FakeAccountHandle> = {};
  const cl: Record<string, FakeClaudeAccount> = {};
  const cx: Record<string, FakeCodexAccount> = {};

  const agFractions = [0.92, 0.55, 0.07, 0, 0.35, 0.8, 0.64, 0.21, 0.99, 0.48];
  agFractions.forEach((f, i) => {
    const name = `ag${i}`;
    const rt = `1//e2e-${name}`;
    ag[name] = google.addAccount({
      refreshToken: rt,
      ...(i % 3 === 0 ? { paidTierId: 'g1-pro-tier', paidTierName: 'Gemini Pro' } : {}),
      models: {
        'gemini-3-pro-high': { displayName: 'Gemini 3 Pro (High)', remainingFraction: f, resetTime: inHours(1 + i) },
        'claude-sonnet-4-5-thinking': { displayName: 'Claude Sonnet 4.5 (Thinking)', remainingFraction: Math.min(1, f + 0.1), resetTime: inHours(3 + i) },
        'gemini-2.5-flash': { displayName: 'Gemini 2.5 Flash', remainingFraction: 1, resetTime: inHours(24) },
      },
      ...(i === 9 ? { behaviour: { kind: 'status', status: 500 } as const } : {}),
    });
    accounts.push({ provider: 'antigravity', email: `${name}.person@example.com`, label: i === 4 ? LONG_LABEL : `Antigravity ${i}`, refreshToken: rt });
  });
  for (let i = 0; i < 3; i++) {
    const rt = `1//e2e-gc${i}`;
    google.addAccount({ refreshToken: rt, models: { 'gemini-2.5-pro': { remainingFraction: 0.6 - i * 0.25, resetTime: inHours(5) }, 'gemini-2.5-flash': { remainingFraction: 0.9, resetTime: inHours(5) } } });
    accounts.push({ provider: 'gemini-cli', email: `gc${i}@example.com`, label: `Gemini CLI ${i}`, refreshToken: rt });
  }
  const claudeLoads = [
    { five: 20, week: 35, opus: 60 },
    { five: 96, week: 40, opus: 10 },
    { five: 10, week: 97, opus: null },
    { five: 50, week: 50, opus: 100 },
  ];
  claudeLoads.forEach((l, i) => {
    const name = `cl${i}`;
    const rt = `sk-ant-ort01-e2e-${name}`;
    cl[name] = claude.addAccount({
      refreshToken: rt,
      accessToken: `sk-ant-oat01-e2e-${name}`,
      subscriptionType: i % 2 ? 'max' : 'pro',
      windows: {
        five_hour: { utilization: l.five, resets_at: inHours(2 + i) },
        seven_day: { utilization: l.week, resets_at: inHours(70 + i) },
        ...(l.opus === null ? {} : { seven_day_opus: { utilization: l.opus, resets_at: inHours(90) } }),
      },
    });
    accounts.push({ provider: 'claude', email: `${name}@example.com`, label: `Claude ${i}`, refreshToken: rt, accessToken: `sk-ant-oat01-e2e-${name}`, expiresAt: '2099-01-01T00:00:00Z' });
  });
  for (let i = 0; i < 4; i++) {
    const name = `cx${i}`;
    const rt = `rt-e2e-${name}`;
    const accountId = `acct-e2e-${i}`;
    cx[name] = codex.addAccount({
      refreshToken: rt,
      accessToken: `at-e2e-${name}`,
      accountId,
      planType: i === 3 ? 'pro' : 'plus',
      rateLimit: {
        primary_window: { used_percent: 15 + i * 25, limit_window_seconds: 18_000, reset_at: inSec(1 + i) },
        secondary_window: { used_percent: 30 + i * 5, limit_window_seconds: 604_800, reset_at: inSec(100 + i) },
      },
      ...(i === 2 ? { behaviour: { kind: 'status', status: 401 } as const, tokenBehaviour: { kind: 'status', status: 400, body: { error: 'invalid_grant' } } as const } : {}),
    });
    accounts.push({ provider: 'codex', email: `${name}@example.com`, label: `Codex ${i}`, refreshToken: rt, accessToken: `at-e2e-${name}`, accountId, expiresAt: '2099-01-01T00:00:00Z' });
  }
  for (let i = 0; i < 3; i++) {
    const key = `sk-or-v1-e2e-${i}-abcdef0123456789`;
    openrouter.addKey({ key, limit: 100, limitRemaining: 80 - i * 30, limitReset: 'monthly' });
    accounts.push({ provider: 'openrouter', label: `OpenRouter ${i}`, apiKey: key });
  }
  for (let i = 0; i < 2; i++) {
    const oa = `sk-e2e-openai-${i}-abcdef0123456789`;
    const an = `sk-ant-api03-e2e-${i}-abcdef0123456789`;
    llm.addKey({ key: oa });
    llm.addKey({ key: an });
    accounts.push({ provider: 'openai', label: `OpenAI key ${i}`, apiKey: oa, baseUrl: llm.openaiBaseUrl });
    accounts.push({ provider: 'anthropic', label: `Anthropic key ${i}`, apiKey: an, baseUrl: llm.anthropicBaseUrl });
  }
  return {
    google,
    claude,
    codex,
    openrouter,
    llm,
    env,
    doc: { accounts },
    ag,
    cl,
    cx,
    close: async () => {
      await Promise.all([google.close(), claude.close(), codex.close(), openrouter.close(), llm.close()]);
    },
  };
}
