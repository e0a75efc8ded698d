// One error type for everything that goes wrong talking to an upstream, already classified:
// transient (retry later with backoff), auth (refresh once), permanent (mark the account),
// aborted (we stopped it). The message never contains a credential.
import type { AccountStatus } from '../../../shared/types';
import { SyncTimeoutError } from '../quota/sync-deadline';

export type ProviderErrorKind = 'transient' | 'auth' | 'permanent' | 'aborted';

export interface ProviderErrorInit {
  kind: ProviderErrorKind;
  code: string;
  message: string;
  status?: number | null;
  /** Earliest time worth trying again (epoch ms), from Retry-After or the body's hints. */
  retryAt?: number | null;
  /** For permanent errors: what the account becomes. */
  accountStatus?: Extract<AccountStatus, 'invalid_credentials' | 'suspended'>;
}

export class ProviderError extends Error {
  readonly kind: ProviderErrorKind;
  readonly code: string;
  readonly status: number | null;
  readonly retryAt: number | null;
  readonly accountStatus: ProviderErrorInit['accountStatus'];
  constructor(init: ProviderErrorInit) {
    super(init.message);
    this.name = 'ProviderError';
    this.kind = init.kind;
    this.code = init.code;
    this.status = init.status ?? null;
    this.retryAt = init.retryAt ?? null;
    this.accountStatus = init.accountStatus;
  }
}

/** Turns anything thrown during a fetch into a ProviderError. */
export function toProviderError(err: unknown, signal?: AbortSignal): ProviderError {
  if (err instanceof ProviderError) return err;
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  const timedOut = () => new ProviderError({ kind: 'transient', code: 'timeout', message: 'Timed out waiting for the upstream' });
  if (signal?.aborted) return signal.reason instanceof SyncTimeoutError ? timedOut() : new ProviderError({ kind: 'aborted', code: 'aborted', message: 'Stopped before the upstream answered' });
  if (err instanceof SyncTimeoutError) return timedOut();
  const detail = e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err);
  return new ProviderError({ kind: 'transient', code: 'network', message: `Network error: ${detail}` });
}
