// One browser sign-in as the window sees it: start it (accounts:signIn), open the provider's page
// (the desktop app hands it to the system browser; web mode opens a tab), take a pasted code,
// cancel it, and follow it to its end through accounts:signInFinished (and accounts:signInStatus
// after a reconnect). Reusable: the Add account dialog and "Sign in again" both use it.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { SignInMode, SignInProvider, SignInStart, SignInStatus } from '../../../../shared/types';
import { useClient } from '../client-context';

export type SignInPhase = 'idle' | 'starting' | 'waiting' | 'finishing' | 'done' | 'failed';

export interface SignInView {
  phase: SignInPhase;
  flow: SignInStart | null;
  status: SignInStatus | null;
  /** Why starting or finishing failed (the service's message), or the flow's own error. */
  error: string | null;
  start(provider: SignInProvider, mode?: SignInMode): Promise<void>;
  submitCode(code: string): Promise<void>;
  cancel(): void;
  reset(): void;
}

/** Opens the provider's page outside the app window (Electron routes window.open to the system browser). */
export function openExternal(url: string): void {
  window.open(url, '_blank', 'noopener,noreferrer');
}

export function useSignIn(onDone?: (status: SignInStatus) => void): SignInView {
  const client = useClient();
  const [phase, setPhase] = useState<SignInPhase>('idle');
  const [flow, setFlow] = useState<SignInStart | null>(null);
  const [status, setStatus] = useState<SignInStatus | null>(null);
  const [error, setError] = useState<string | null>(null);
  const flowRef = useRef<SignInStart | null>(null);
  const onDoneRef = useRef(onDone);
  useEffect(() => {
    onDoneRef.current = onDone;
  });

  const settle = useCallback((s: SignInStatus) => {
    if (flowRef.current?.flowId !== s.flowId || s.state === 'pending') return;
    flowRef.current = null;
    setStatus(s);
    if (s.state === 'done') {
      setPhase('done');
      setError(null);
      onDoneRef.current?.(s);
    } else {
      setPhase('failed');
      setError(s.error?.message ?? `The sign-in ended (${s.state})`);
    }
  }, []);

  useEffect(() => client.on('accounts:signInFinished', settle), [client, settle]);
  // After a reconnect an event may have been missed: ask where the flow stands.
  useEffect(
    () =>
      client.onConnection((c) => {
        const f = flowRef.current;
        if (c === 'open' && f) void client.invoke('accounts:signInStatus', { flowId: f.flowId }).then(settle, () => {});
      }),
    [client, settle],
  );
  // Leaving mid-flow cancels it, so its loopback listener is freed at once.
  useEffect(
    () => () => {
      const f = flowRef.current;
      if (f) void client.invoke('accounts:signInCancel', { flowId: f.flowId }).catch(() => {});
    },
    [client],
  );

  const start = useCallback(
    async (provider: SignInProvider, mode?: SignInMode) => {
      const previous = flowRef.current;
      if (previous) void client.invoke('accounts:signInCancel', { flowId: previous.flowId }).catch(() => {});
      flowRef.current = null;
      setPhase('starting');
      setError(null);
      setStatus(null);
      setFlow(null);
      try {
        const started = await client.invoke('accounts:signIn', mode ? { provider, mode } : { provider });
        flowRef.current = started;
        setFlow(started);
        setPhase('waiting');
        openExternal(started.authorizeUrl);
      } catch (err) {
        setPhase('failed');
        setError(err instanceof Error ? err.message : String(err));
      }
    },
    [client],
  );

  const submitCode = useCallback(
    async (code: string) => {
      const f = flowRef.current;
      if (!f || !code.trim()) return;
      setPhase('finishing');
      try {
        settle(await client.invoke('accounts:signInComplete', { flowId: f.flowId, code: code.trim() }));
      } catch (err) {
        flowRef.current = null;
        setPhase('failed');
        setError(err instanceof Error ? err.message : String(err));
      }
    },
    [client, settle],
  );

  const cancel = useCallback(() => {
    const f = flowRef.current;
    if (f) void client.invoke('accounts:signInCancel', { flowId: f.flowId }).then(settle, () => {});
  }, [client, settle]);

  const reset = useCallback(() => {
    const f = flowRef.current;
    flowRef.current = null;
    if (f) void client.invoke('accounts:signInCancel', { flowId: f.flowId }).catch(() => {});
    setFlow(null);
    setStatus(null);
    setError(null);
    setPhase('idle');
  }, [client]);

  return { phase, flow, status, error, start, submitCode, cancel, reset };
}
