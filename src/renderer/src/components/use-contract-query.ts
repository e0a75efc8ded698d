// A page-local contract query: loading / error / data and refetch, keyed on the request's
// value (not its identity). Only the newest request's answer lands; an answer to an older
// request (the range changed meanwhile, or the component left) is dropped.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { MethodName, RequestOf, ResponseOf } from '../../../shared/contract';
import { useClient } from './client-context';

export interface ContractQuery<T> {
  /** The last answer; kept while a newer request is in flight so charts do not blink. */
  data: T | undefined;
  error: Error | null;
  loading: boolean;
  refetch(): void;
}

export function useContractQuery<M extends MethodName>(method: M, request: RequestOf<M>, opts: { enabled?: boolean } = {}): ContractQuery<ResponseOf<M>> {
  const client = useClient();
  const enabled = opts.enabled ?? true;
  const key = JSON.stringify(request ?? null);
  const [nonce, setNonce] = useState(0);
  const [state, setState] = useState<{ data: ResponseOf<M> | undefined; error: Error | null; loading: boolean }>({
    data: undefined,
    error: null,
    loading: enabled,
  });
  const seq = useRef(0);

  useEffect(() => {
    if (!enabled) return;
    const mine = ++seq.current;
    setState((s) => (s.loading && s.error === null ? s : { ...s, loading: true, error: null }));
    const req = JSON.parse(key) as RequestOf<M> | null;
    client.invoke(method, req ?? undefined).then(
      (data) => {
        if (seq.current === mine) setState({ data, error: null, loading: false });
      },
      (err: unknown) => {
        if (seq.current === mine) setState((s) => ({ ...s, error: err instanceof Error ? err : new Error(String(err)), loading: false }));
      },
    );
    return () => {
      // Leaving (or a newer request) makes this one's answer stale.
      if (seq.current === mine) seq.current++;
    };
  }, [client, method, key, nonce, enabled]);

  const refetch = useCallback(() => setNonce((n) => n + 1), []);
  return { ...state, refetch };
}
