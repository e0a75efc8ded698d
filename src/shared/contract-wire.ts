// The zod-free part of the contract: the envelope every answer travels in, the stable error
// codes, the event names and the error a client rethrows. Re-exported by contract.ts; imported
// directly by code that must not build the contract's zod schemas (the renderer's entry chunk).
import type { EventName } from './contract';

export const EVENT_NAMES: EventName[] = [
  'monitor:stats',
  'monitor:syncFinished',
  'monitor:syncProgress',
  'quota:changed',
  'quota:threshold',
  'accounts:changed',
  'accounts:signInFinished',
  'settings:changed',
  'usage:limitWarning',
];

/** Stable error codes carried across every boundary. */
export type ErrorCode =
  | 'bad_request'
  | 'import_invalid'
  | 'not_found'
  | 'unauthorized'
  | 'forbidden'
  | 'no_account_available'
  /** An upstream answered 429 (a probe): details carry the reset it named, `{resetAt, retryAfterSec}`. */
  | 'rate_limited'
  | 'unsupported_provider'
  | 'payload_too_large'
  | 'unknown_method'
  | 'internal';

export interface ErrorPayload {
  code: ErrorCode;
  message: string;
  details?: unknown;
}

export type Envelope<T> = { ok: true; result: T } | { ok: false; error: ErrorPayload };

/** Rethrown on the client side with the envelope's stable code. */
export class ContractError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;
  constructor(payload: ErrorPayload) {
    super(payload.message);
    this.name = 'ContractError';
    this.code = payload.code;
    this.details = payload.details;
  }
}
