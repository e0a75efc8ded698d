// One client request's state across the dispatch loop's attempts: the call as the proxy server
// parsed it, the attempt count, upstream time, the model plan and session, and the headers every
// answer carries.
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { AccountRecord } from '../model';
import type { Clock } from '../ports';
import type { AttemptStart } from '../usage/usage-ports';
import type { ModelPlan } from './model-plan';
import type { ProxyRoute } from './proxy-routes';
import { maskedAccount } from './relay-headers';
import type { Translation } from './translate/translated-attempt';
import type { Cancellation } from './upstream-transport';

export interface ClientCall {
  res: ServerResponse;
  headers: IncomingHttpHeaders;
  route: ProxyRoute;
  model: string;
  body: Buffer;
  json: Record<string, unknown>;
  /** Query string to forward ("" or "?…"). */
  search: string;
  /** The client's product from its User-Agent. */
  client: string | null;
  /** performance.now() when the request arrived. */
  t0: number;
  /** Set when the client goes away. */
  cancel: Cancellation;
  /** CORS headers for an allowed browser origin. */
  extraHeaders: Record<string, string>;
}


/** One client request's state across its attempts. */
export class Attempts {
  readonly requestId = randomUUID();
  /** Time spent waiting on upstreams (the rest is the proxy's own). */
  upstreamMs = 0;
  attempt = 0;
  lastAccount: AccountRecord | null = null;
  /** The request in the IR, made on the first attempt that lands on another protocol. */
  translation: Translation | null = null;

  constructor(
    readonly c: ClientCall,
    private readonly clock: Clock,
    /** The models this request may be served by (alias, then fallbacks). */
    readonly plan: ModelPlan,
    /** The client's session key when sticky sessions are on, else null. */
    readonly session: string | null,
  ) {}

  /** The model the current attempt asks for. */
  get model(): string {
    return this.plan.model;
  }

  /** The headers every answer carries: the proxy's own milliseconds, attempts, the account (masked). */
  stamp(account: AccountRecord | null): Record<string, string> {
    const ms = Math.max(0, performance.now() - this.c.t0 - this.upstreamMs).toFixed(3);
    const h: Record<string, string> = {
      'x-quotadeck-proxy-ms': ms,
      'x-quotadeck-attempts': String(this.attempt),
      'server-timing': `proxy;dur=${ms}, upstream;dur=${this.upstreamMs.toFixed(3)}`,
    };
    if (account) {
      h['x-quotadeck-account'] = maskedAccount(account);
      h['x-quotadeck-model'] = this.plan.model;
    }
    const extra = this.c.extraHeaders;
    for (const k in extra) h[k] = extra[k]!;
    return h;
  }

  start(attempt: number, account: AccountRecord | null): AttemptStart {
    const c = this.c;
    return {
      requestId: this.requestId,
      attempt,
      accountId: account ? account.id : null,
      provider: account ? account.provider : null,
      model: this.plan.model,
      requestedModel: c.model,
      client: c.client,
      route: c.route.op,
      startedAt: this.clock.now(),
    };
  }
}
