// Turns an Envelope into its result or a ContractError carrying the stable code, so callers
// see one kind of failure whichever transport carried the call.
import { ContractError, type Envelope } from '../../../shared/contract-wire';

export function unwrap<T>(env: Envelope<T>): T {
  if (env && env.ok === true) return env.result;
  if (env && env.ok === false && env.error) throw new ContractError(env.error);
  throw new ContractError({ code: 'internal', message: 'Malformed answer from QuotaDeck' });
}

export function asContractError(err: unknown, fallback: string): ContractError {
  if (err instanceof ContractError) return err;
  const detail = err instanceof Error ? err.message : String(err);
  return new ContractError({ code: 'internal', message: `${fallback}: ${detail}` });
}
