// Usage test helpers: accounts to attribute attempts to, and attempts written through the real
// ledger (the proxy's port) at chosen times.
import type { Harness } from './harness';
import { call } from './harness';
import type { AccountView } from '../../src/shared/types';
import type { AttemptEnd, AttemptStart } from '../../src/main/core/usage/usage-ports';

export const MIN = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

let seq = 0;

export async function addAccount(h: Harness, label: string): Promise<string> {
  const key = `sk-test-${label.toLowerCase().replace(/\W/g, '')}-${'x'.repeat(24)}`;
  const a = await call<AccountView>(h.app, 'accounts:add', { provider: 'openai', apiKey: key, label });
  return a.id;
}

export interface AttemptSpec {
  accountId: string | null;
  model?: string;
  at: number;
  /** Default 'completed'; 'pending' leaves the row open. */
  status?: AttemptEnd['status'] | 'pending';
  input?: number | null;
  output?: number | null;
  durationMs?: number;
  httpStatus?: number | null;
  error?: string | null;
  client?: string | null;
}

export function startOf(spec: AttemptSpec): AttemptStart {
  return {
    requestId: `req-${++seq}`,
    attempt: spec.accountId === null ? 0 : 1,
    accountId: spec.accountId,
    provider: spec.accountId === null ? null : 'openai',
    model: spec.model ?? 'gpt-4o',
    client: spec.client ?? 'test-client/1.0',
    route: 'openai.chat',
    startedAt: spec.at,
  };
}

/** One attempt through the ledger port; returns its row id (rejected rows: null). */
export function attempt(h: Harness, spec: AttemptSpec): number | null {
  const { ledger } = h.app.services;
  const a = startOf(spec);
  const status = spec.status ?? 'completed';
  const end = {
    httpStatus: spec.httpStatus ?? (status === 'completed' ? 200 : status === 'rejected' ? 429 : 500),
    inputTokens: spec.input === undefined ? (status === 'completed' ? 100 : null) : spec.input,
    outputTokens: spec.output === undefined ? (status === 'completed' ? 50 : null) : spec.output,
    endedAt: spec.at + (spec.durationMs ?? 1000),
    error: spec.error ?? (status === 'completed' ? null : `${status} in test`),
  };
  if (status === 'rejected' && spec.accountId === null) {
    ledger.reject(a, end);
    return null;
  }
  const id = ledger.begin(a);
  if (status !== 'pending') ledger.complete(id, { ...end, status });
  return id;
}

/** `n` completed attempts at `at` (same time) on one account and model. */
export function attempts(h: Harness, n: number, spec: AttemptSpec): void {
  for (let i = 0; i < n; i++) attempt(h, spec);
}
