// Reading and classifying what an upstream answered, before the retry loop decides: the first
// body chunk (to know whether anything was sent), whole error bodies, JSON, quota-error text,
// rate-limit headers. Pure helpers: no state, no I/O beyond the stream handed in.
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { safeUpstreamText, scrubSecrets } from '../log/redact';
import type { Credentials } from '../model';
import type { TranslatedAttempt } from './translate/translated-attempt';

/** Error bodies are small; past this they are cut (they are only classified and relayed). */
export const MAX_ERROR_BODY = 1024 * 1024;
/** Cloud Code non-stream answers are read whole to unwrap them. */
export const MAX_UNWRAP_BODY = 64 * 1024 * 1024;

const QUOTA_TEXT = /insufficient_quota|credit balance is too low|exceeded your current quota|RESOURCE_EXHAUSTED|QUOTA_EXHAUSTED|out of credits|insufficient credits/i;

/** A rate-limit header says some window has nothing left, or asks the caller to wait. */
export function urgent(h: IncomingHttpHeaders): boolean {
  if (h['retry-after'] !== undefined || h['retry-after-ms'] !== undefined) return true;
  for (const k in h) {
    if (!k.includes('remaining')) continue;
    const v = h[k];
    if (typeof v === 'string' && v.trim() === '0') return true;
  }
  return false;
}

export interface Failure {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** Set when the attempt was translated: the error is written in the client's shape. */
  translated?: TranslatedAttempt | null;
}

/** A no-op listener (keeps an 'error' from becoming an uncaught exception). */
export function ignore(): void {}

export interface FirstChunk {
  chunk: Buffer | null;
  /** The body ended (with `chunk`, if any). */
  ended: boolean;
  /** It closed before sending anything. */
  failed: boolean;
}

/**
 * Waits for the first body chunk and pauses there. 'end' and 'close' can still fire while the
 * stream sits paused with nothing buffered, so they keep being watched until the relay takes
 * over (`release()` says what happened meanwhile and stops watching).
 */
export class FirstChunkWatch {
  private chunk: Buffer | null = null;
  private ended = false;
  private closed = false;
  private resolved = false;
  private resolve!: (r: FirstChunk) => void;
  readonly first: Promise<FirstChunk>;
  private readonly onData = this.data.bind(this);
  private readonly onEnd = this.end.bind(this);
  private readonly onClose = this.close.bind(this);

  constructor(private readonly body: Readable) {
    this.first = new Promise<FirstChunk>((resolve) => {
      this.resolve = resolve;
    });
    body.on('data', this.onData);
    body.on('end', this.onEnd);
    body.on('close', this.onClose);
  }

  private settle(failed: boolean): void {
    if (this.resolved) return;
    this.resolved = true;
    this.body.off('data', this.onData);
    this.resolve({ chunk: this.chunk, ended: this.ended, failed });
  }

  private data(c: Buffer): void {
    this.body.pause();
    this.chunk = c;
    this.settle(false);
  }

  private end(): void {
    this.ended = true;
    this.settle(false);
  }

  private close(): void {
    this.closed = true;
    this.settle(!this.ended);
  }

  release(): { ended: boolean; closed: boolean } {
    this.body.off('end', this.onEnd);
    this.body.off('close', this.onClose);
    return { ended: this.ended, closed: this.closed };
  }
}

export function readAll(body: Readable, max: number): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    body.on('data', (c: Buffer) => {
      if (settled) return;
      if (size + c.length > max) {
        chunks.push(c.subarray(0, max - size));
        size = max;
        settled = true;
        resolve(Buffer.concat(chunks, size));
        body.destroy();
        return;
      }
      size += c.length;
      chunks.push(c);
    });
    body.on('end', () => {
      if (settled) return;
      settled = true;
      resolve(Buffer.concat(chunks, size));
    });
    body.on('close', () => {
      if (settled) return;
      settled = true;
      resolve(null);
    });
  });
}

export function parseJson(buf: Buffer): unknown {
  try {
    return JSON.parse(buf.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** Every secret an account's credentials hold (for scrubbing). */
export function credentialSecrets(creds: Credentials): string[] {
  const out: string[] = [];
  for (const v of [creds.apiKey, creds.accessToken, creds.refreshToken, creds.idToken]) if (typeof v === 'string' && v) out.push(v);
  return out;
}

/**
 * An upstream error body about to be relayed to the client, with the account's secrets and
 * every token shape scrubbed out (kept whole otherwise: it is the client's answer). A body the
 * upstream compressed cannot be scrubbed and is replaced by a short note.
 */
export function scrubRelayedBody(body: Buffer, headers: IncomingHttpHeaders, creds: Credentials): Buffer {
  const enc = headers['content-encoding'];
  if (enc !== undefined && enc !== '' && enc.toLowerCase() !== 'identity') return Buffer.from('{"error":{"message":"upstream error (body withheld)"}}');
  const text = body.toString('utf8');
  const clean = scrubSecrets(text, credentialSecrets(creds));
  return clean === text ? body : Buffer.from(clean, 'utf8');
}

/** The upstream's own error message: the account's secrets and token shapes removed first, then cut short. */
export function upstreamErrorText(status: number, json: unknown, creds: Credentials): string {
  const e = (json as { error?: unknown } | undefined)?.error;
  let msg = typeof e === 'string' ? e : e && typeof e === 'object' && typeof (e as { message?: unknown }).message === 'string' ? (e as { message: string }).message : '';
  msg = safeUpstreamText(msg, credentialSecrets(creds));
  return msg ? `HTTP ${status}: ${msg}` : `HTTP ${status}`;
}

export function toHeaders(h: IncomingHttpHeaders): Headers {
  const out = new Headers();
  for (const k in h) {
    const v = h[k];
    if (v === undefined) continue;
    try {
      if (Array.isArray(v)) for (const x of v) out.append(k, x);
      else out.set(k, v);
    } catch {
      // A header value fetch's Headers refuses: not one we read.
    }
  }
  return out;
}

export function hasRateLimitHeaders(h: IncomingHttpHeaders): boolean {
  for (const k in h) {
    const c = k.charCodeAt(0);
    if ((c === 120 /* x */ && k.startsWith('x-ratelimit-')) || (c === 97 /* a */ && k.startsWith('anthropic-ratelimit-')) || k === 'retry-after' || k === 'retry-after-ms') return true;
  }
  return false;
}

export function headerOf(h: IncomingHttpHeaders, name: string): string | null {
  const v = h[name];
  return v === undefined ? null : Array.isArray(v) ? (v[0] ?? null) : v;
}

export function isQuotaError(status: number, text: string): boolean {
  if (status === 402) return true;
  return (status === 400 || status === 403 || status === 429) && QUOTA_TEXT.test(text);
}
