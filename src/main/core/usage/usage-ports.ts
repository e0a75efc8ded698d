// The seam between the proxy (and the token API's /v1/report) and the usage ledger/limits:
// the proxy writes a pending row before each dispatch and completes it after; limits are
// checked before dispatch. Times are epoch ms.
import type { ProviderId } from '../../../shared/types';

export type AttemptStatus = 'completed' | 'failed' | 'rejected';

export interface AttemptStart {
  /** One client request; its attempts share it. */
  requestId: string;
  /** 1 for the first account tried, 2 for the next, … */
  attempt: number;
  accountId: string | null;
  provider: ProviderId | null;
  /** The model this attempt asked the upstream for (the one served: after alias and fallbacks). */
  model: string;
  /** The model the client named, when it differs from `model` or is known (the proxy always sets it). */
  requestedModel?: string | null;
  /** Who asked, e.g. the client's User-Agent product ("claude-cli/2.0", "OpenAI/JS 5.1"). */
  client: string | null;
  /** "openai.chat", "openai.responses", "anthropic.messages", "gemini.generate", "token-api", … */
  route: string;
  startedAt: number;
}

export interface AttemptEnd {
  status: AttemptStatus;
  httpStatus: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  endedAt: number;
  /** Short, secret-free text for failed/rejected attempts. */
  error: string | null;
  /**
   * A failed attempt that still consumed tokens upstream (a stream cut midway): its tokens are
   * costed and counted like a completed one's, and the row is marked partial.
   */
  partial?: boolean;
}

export interface UsageLedgerPort {
  /**
   * Writes a pending row; returns its id, or (group commit) a promise of it that resolves once
   * the row is committed. The caller dispatches only after: a row exists before any upstream call.
   */
  begin(a: AttemptStart): number | Promise<number>;
  /** Completes a pending row (cost from the pricing table; rollups in the same transaction). */
  complete(id: number, e: AttemptEnd): void;
  /** A request refused before any dispatch (limits, no account): one rejected row. */
  reject(a: AttemptStart, e: Omit<AttemptEnd, 'status'>): void;
}

/** The proxy's side of the ledger: rows of one event-loop turn are committed together. */
export interface GroupedLedgerPort extends UsageLedgerPort {
  begin(a: AttemptStart): Promise<number>;
}

export type LimitKind = 'requests_per_hour' | 'requests_per_day' | 'input_tokens_per_month' | 'output_tokens_per_month' | 'cost_per_month';

export interface LimitBreach {
  scope: 'global' | 'account';
  accountId: string | null;
  limit: LimitKind;
  max: number;
  used: number;
  /** When the window frees up (epoch ms). */
  resetAt: number;
}

export type LimitDecision = { ok: true } | { ok: false; breach: LimitBreach };

export interface UsageLimitsPort {
  /** Global limits, checked once per client request before any account is chosen. */
  checkGlobal(now: number): LimitDecision;
  /** An account's own limits, checked before dispatching to it (over: skip the account). */
  checkAccount(accountId: string, now: number): LimitDecision;
}
