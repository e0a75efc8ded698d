// The one way adapters talk HTTP: injected fetch, an AbortSignal, a bounded body read, and
// JSON parsing that turns garbage into a classified error instead of a crash.
import type { FetchFn } from '../ports';
import { BodyTooLargeError, headersOf, LEAN, plainHeaders, type LeanFetch } from '../net/node-http-client';
import { ProviderError, toProviderError } from './provider-error';

export interface HttpResult {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

const MAX_BODY = 4 * 1024 * 1024;

export async function httpRequest(
  fetchFn: FetchFn,
  url: string,
  init: RequestInit & { signal: AbortSignal },
): Promise<HttpResult> {
  const lean = (fetchFn as Partial<LeanFetch>)[LEAN];
  if (lean && (init.body === undefined || init.body === null || typeof init.body === 'string')) {
    let r;
    try {
      r = await lean(url, {
        method: init.method,
        headers: init.headers ? plainHeaders(init.headers) : undefined,
        body: (init.body as string | null | undefined) ?? undefined,
        signal: init.signal,
        maxBodyBytes: MAX_BODY,
      });
    } catch (err) {
      if (err instanceof BodyTooLargeError) throw new ProviderError({ kind: 'transient', code: 'bad_response', message: `Upstream answer too large (${err.size} bytes)` });
      throw toProviderError(err, init.signal);
    }
    const text = r.body.toString('utf8');
    // Headers are built only if read (errors, rate-limit parsing): not for every 200. The
    // getter holds the parsed header object only, not the answer's body.
    const raw = r.rawHeaders;
    let headers: Headers | null = null;
    return {
      status: r.status,
      get headers() {
        return (headers ??= headersOf(raw));
      },
      text,
      json: parseJson(text),
    };
  }
  let res: Response;
  try {
    res = await fetchFn(url, init);
  } catch (err) {
    throw toProviderError(err, init.signal);
  }
  let text: string;
  try {
    text = await readBounded(res);
  } catch (err) {
    throw toProviderError(err, init.signal);
  }
  return { status: res.status, headers: res.headers, text, json: parseJson(text) };
}

function parseJson(text: string): unknown {
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

async function readBounded(res: Response): Promise<string> {
  const len = Number(res.headers.get('content-length') ?? '0');
  if (len > MAX_BODY) {
    await res.body?.cancel();
    throw new ProviderError({ kind: 'transient', code: 'bad_response', message: `Upstream answer too large (${len} bytes)`, status: res.status });
  }
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > MAX_BODY) {
      await reader.cancel();
      throw new ProviderError({ kind: 'transient', code: 'bad_response', message: 'Upstream answer too large', status: res.status });
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function badResponse(what: string, status: number): ProviderError {
  return new ProviderError({ kind: 'transient', code: 'bad_response', message: `Unexpected answer from ${what} (HTTP ${status})`, status });
}

/** Retry-After as seconds or an HTTP date, to epoch ms. */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (!value) return null;
  const secs = Number(value);
  if (Number.isFinite(secs) && secs >= 0) return now + secs * 1000;
  const t = Date.parse(value);
  return Number.isNaN(t) ? null : t;
}
