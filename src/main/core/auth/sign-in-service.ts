// Browser sign-in flows (OAuth authorization code + PKCE): start one per click, each with its own
// state, verifier and — for loopback flows — its own one-shot listener on 127.0.0.1; finish it from
// the callback or from a pasted code; expire it after 10 minutes. A finished flow creates the
// account, or updates the one with the same identity, through the account service (which
// announces the change), then syncs it once so its project, tier and quotas are known.
import { randomUUID } from 'node:crypto';
import type { Settings, SignInMode, SignInProvider, SignInStart, SignInStatus } from '../../../shared/types';
import { AppError, NotFoundError } from '../errors';
import type { Clock, FetchFn, Logger } from '../ports';
import { callbackPage } from './callback-page';
import { createPkce, randomState } from './pkce';
import { exchangeCode, SignInError, type SignedIn } from './sign-in-exchange';
import { authorizeUrlFor, callbackPortFor, endpointsFor, SIGN_IN_DEFS, type SignInProviderDef } from './sign-in-providers';
import { PortInUseError, startLoopbackListener, type CallbackAnswer, type LoopbackListener } from './loopback-listener';

export const SIGN_IN_TTL_MS = 10 * 60_000;
/** Ended flows stay answerable by accounts:signInStatus this long. */
const KEEP_ENDED_MS = 30 * 60_000;
const EXCHANGE_TIMEOUT_MS = 30_000;

export interface SignInDeps {
  settings: () => Settings;
  fetch: FetchFn;
  clock: Clock;
  log: Logger;
  /** Creates the account or updates the one with the same identity; returns its id. */
  saveAccount: (provider: SignInProvider, signedIn: SignedIn) => string;
  /** Syncs one account now (project, tier, quotas); never throws. */
  syncAccount: (accountId: string) => Promise<void>;
  onFinished: (status: SignInStatus) => void;
  ttlMs?: number;
}

interface Flow {
  id: string;
  def: SignInProviderDef;
  state: string;
  verifier: string;
  redirectUri: string;
  mode: SignInMode;
  expiresAt: number;
  status: SignInStatus;
  endedAt: number | null;
  listener: LoopbackListener | null;
  timer: unknown;
  /** The exchange in flight (a callback and a paste may race: one exchange only). */
  finishing: Promise<SignInStatus> | null;
  onEnded: ((s: SignInStatus) => void) | null;
}

/** "code", "code#state", or the whole address the browser landed on. */
export function parsePastedCode(input: string): { code: string | null; state: string | null; error: string | null } {
  const text = input.trim();
  if (/^https?:\/\//i.test(text)) {
    try {
      const u = new URL(text);
      const q = new URLSearchParams(u.search || u.hash.replace(/^#/, ''));
      return { code: q.get('code'), state: q.get('state'), error: q.get('error') };
    } catch {
      return { code: null, state: null, error: null };
    }
  }
  const hash = text.indexOf('#');
  return hash === -1 ? { code: text, state: null, error: null } : { code: text.slice(0, hash), state: text.slice(hash + 1) || null, error: null };
}

export class SignInService {
  private readonly flows = new Map<string, Flow>();
  private closed = false;

  constructor(private readonly d: SignInDeps) {}

  async start(provider: SignInProvider, wanted: SignInMode | undefined): Promise<SignInStart> {
    if (this.closed) throw new AppError('internal', 'QuotaDeck is shutting down', 503);
    this.prune();
    const def = SIGN_IN_DEFS[provider];
    const settings = this.d.settings();
    const { authorizeUrl: base } = endpointsFor(def, settings);
    const pkce = createPkce();
    const flow: Flow = {
      id: randomUUID(),
      def,
      state: randomState(),
      verifier: pkce.verifier,
      redirectUri: '',
      mode: 'loopback',
      expiresAt: this.d.clock.now() + (this.d.ttlMs ?? SIGN_IN_TTL_MS),
      status: { flowId: '', provider, state: 'pending' },
      endedAt: null,
      listener: null,
      timer: null,
      finishing: null,
      onEnded: null,
    };
    flow.status.flowId = flow.id;
    if (wanted === 'paste' && def.pasteRedirectUri) {
      flow.mode = 'paste';
      flow.redirectUri = def.pasteRedirectUri;
    } else {
      const port = callbackPortFor(def, settings);
      try {
        flow.listener = await startLoopbackListener({ port, path: def.callbackPath, onCallback: (q) => this.onCallback(flow, q) });
        flow.redirectUri = `http://${def.redirectHost}:${flow.listener.port}${def.callbackPath}`;
      } catch (err) {
        if (!(err instanceof PortInUseError)) throw err;
        if (!def.pasteRedirectUri) {
          throw new AppError(
            'bad_request',
            `Port ${port} on 127.0.0.1 is in use, and ${def.displayName} only accepts sign-ins that come back to that port: close the program using it (another sign-in, the official CLI logging in) and try again`,
            409,
          );
        }
        // The code-display page needs no port: the user pastes what it shows.
        this.d.log.warn(`sign-in port ${port} is in use; ${def.displayName} sign-in falls back to pasting the code`);
        flow.mode = 'paste';
        flow.redirectUri = def.pasteRedirectUri;
      }
    }
    const authorizeUrl = authorizeUrlFor(def, base, { clientId: def.client(settings).id, redirectUri: flow.redirectUri, state: flow.state, challenge: pkce.challenge });
    flow.timer = this.d.clock.setTimeout(() => this.end(flow, 'expired', { code: 'expired', message: 'The sign-in was not finished within 10 minutes; start it again' }), flow.expiresAt - this.d.clock.now());
    this.flows.set(flow.id, flow);
    this.d.log.info(`sign-in started: ${def.displayName}, ${flow.mode}${flow.listener ? ` on 127.0.0.1:${flow.listener.port}` : ''}`);
    return { flowId: flow.id, provider, authorizeUrl, redirectUri: flow.redirectUri, mode: flow.mode, expiresAt: new Date(flow.expiresAt).toISOString() };
  }

  status(flowId: string): SignInStatus {
    const flow = this.flows.get(flowId);
    if (!flow) throw new NotFoundError(`Sign-in ${flowId}`);
    return { ...flow.status };
  }

  /** Finishes a flow with the code the provider showed; answers once the flow has ended. */
  async complete(flowId: string, input: string): Promise<SignInStatus> {
    const flow = this.flows.get(flowId);
    if (!flow) throw new AppError('bad_request', 'No such sign-in: it was never started here, or ended long ago; start it again');
    if (flow.finishing) return flow.finishing;
    if (flow.status.state !== 'pending') throw new AppError('bad_request', `This sign-in has already ended (${flow.status.state}); start it again`);
    const p = parsePastedCode(input);
    if (p.error) return this.end(flow, 'failed', accessError(p.error, flow.def));
    if (!p.code) return this.end(flow, 'failed', { code: 'bad_code', message: 'That is not a sign-in code: paste the code the page showed, or the whole address' });
    if (p.state !== null && p.state !== flow.state) return this.end(flow, 'failed', stateMismatch());
    return this.finish(flow, p.code);
  }

  cancel(flowId: string): Promise<SignInStatus> | SignInStatus {
    const flow = this.flows.get(flowId);
    if (!flow) throw new NotFoundError(`Sign-in ${flowId}`);
    if (flow.status.state !== 'pending' || flow.finishing) return flow.finishing ?? { ...flow.status };
    return this.end(flow, 'cancelled', { code: 'cancelled', message: 'The sign-in was cancelled' });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const f of this.flows.values()) if (f.endedAt === null && !f.finishing) this.end(f, 'cancelled', { code: 'cancelled', message: 'QuotaDeck stopped' });
    await Promise.all([...this.flows.values()].map((f) => f.listener?.close()));
  }

  private async onCallback(flow: Flow, q: URLSearchParams): Promise<CallbackAnswer> {
    const fail = (s: SignInStatus): CallbackAnswer => ({ status: 400, html: callbackPage(false, 'Sign-in failed', `${s.error?.message ?? 'Unknown error'}. You can close this tab and try again from QuotaDeck.`) });
    if (flow.finishing || flow.status.state !== 'pending') {
      const s = await (flow.finishing ?? Promise.resolve(flow.status));
      return s.state === 'done' ? signedInPage(s, flow.def) : fail(s);
    }
    const error = q.get('error');
    const state = q.get('state');
    const code = q.get('code');
    let s: SignInStatus;
    if (error) s = this.end(flow, 'failed', accessError(error, flow.def));
    else if (!state || state !== flow.state) s = this.end(flow, 'failed', stateMismatch());
    else if (!code) s = this.end(flow, 'failed', { code: 'bad_code', message: `${flow.def.displayName} came back without a sign-in code` });
    else s = await this.finish(flow, code);
    return s.state === 'done' ? signedInPage(s, flow.def) : fail(s);
  }

  private finish(flow: Flow, code: string): Promise<SignInStatus> {
    flow.finishing = (async () => {
      const now = this.d.clock.now();
      if (now >= flow.expiresAt) return this.end(flow, 'expired', { code: 'expired', message: 'The sign-in was not finished within 10 minutes; start it again' });
      let signedIn: SignedIn;
      try {
        signedIn = await exchangeCode({
          def: flow.def,
          settings: this.d.settings(),
          code,
          state: flow.state,
          verifier: flow.verifier,
          redirectUri: flow.redirectUri,
          fetch: this.d.fetch,
          now,
          signal: AbortSignal.timeout(EXCHANGE_TIMEOUT_MS),
        });
      } catch (err) {
        const e = err instanceof SignInError ? err : new SignInError('internal', 'The sign-in could not be finished (see the QuotaDeck log)');
        if (!(err instanceof SignInError)) this.d.log.error(`sign-in exchange failed: ${(err as Error).name}`);
        return this.end(flow, 'failed', { code: e.code, message: e.message });
      }
      if (flow.status.state !== 'pending') return { ...flow.status };
      let accountId: string;
      try {
        accountId = this.d.saveAccount(flow.def.provider, signedIn);
      } catch (err) {
        return this.end(flow, 'failed', { code: 'save_failed', message: `The account could not be saved: ${(err as Error).message}` });
      }
      flow.status = { ...flow.status, accountId, email: signedIn.email };
      // The page can say who signed in while the first sync runs.
      void this.d
        .syncAccount(accountId)
        .catch((err: unknown) => this.d.log.warn(`first sync after sign-in failed: ${(err as Error).name}`))
        .finally(() => this.end(flow, 'done'));
      return { ...flow.status, state: 'done' as const };
    })();
    // A paste waits for the sync too, so the account it answers with is known.
    return flow.finishing.then(async (s) => (s.state === 'done' ? this.waitEnded(flow) : s));
  }

  private waitEnded(flow: Flow): Promise<SignInStatus> {
    if (flow.endedAt !== null) return Promise.resolve({ ...flow.status });
    return new Promise((resolve) => {
      const prev = flow.onEnded;
      flow.onEnded = (s) => {
        prev?.(s);
        resolve(s);
      };
    });
  }

  private end(flow: Flow, state: SignInStatus['state'], error?: { code: string; message: string }): SignInStatus {
    if (flow.endedAt !== null) return { ...flow.status };
    flow.endedAt = this.d.clock.now();
    this.d.clock.clearTimeout(flow.timer);
    flow.status = { ...flow.status, state, ...(error ? { error } : {}) };
    const ended = { ...flow.status };
    this.d.log.info(`sign-in ${state}: ${flow.def.displayName}${error ? ` (${error.code})` : ''}`);
    // Not awaited: a callback page still being answered is sent before the listener is gone.
    void flow.listener?.close();
    this.d.onFinished(ended);
    flow.onEnded?.(ended);
    return ended;
  }

  private prune(): void {
    const now = this.d.clock.now();
    for (const [id, f] of this.flows) if (f.endedAt !== null && now - f.endedAt > KEEP_ENDED_MS) this.flows.delete(id);
  }
}

function stateMismatch() {
  return { code: 'state_mismatch', message: 'The sign-in came back with a missing or wrong state (not the sign-in QuotaDeck started); start it again' };
}

function accessError(error: string, def: SignInProviderDef) {
  if (error === 'access_denied') return { code: 'access_denied', message: `Access was denied in the browser, so ${def.displayName} gave QuotaDeck nothing` };
  const safe = /^[A-Za-z0-9_.-]{1,64}$/.test(error) ? error : 'error';
  return { code: safe, message: `${def.displayName} refused the sign-in (${safe})` };
}

function signedInPage(s: SignInStatus, def: SignInProviderDef): CallbackAnswer {
  return { status: 200, html: callbackPage(true, `Signed in as ${s.email ?? def.displayName}`, 'QuotaDeck has the account. You can close this tab.') };
}

