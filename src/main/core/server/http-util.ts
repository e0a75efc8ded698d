// Small node:http helpers of the control API: bounded JSON body reading (through the hardened
// front's body cap, net/http-front.ts), JSON answers, and content negotiation for compressed ones.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlib, gzip } from 'node:zlib';
import { AppError } from '../errors';
import { declaredTooLarge, readBody } from '../net/http-front';

/** Thrown past the body cap: the server answers 413 without reading the rest (refuseOversized). */
export class PayloadTooLargeError extends AppError {
  constructor(maxBytes: number) {
    super('payload_too_large', `Request body over ${maxBytes} bytes`, 413);
    this.name = 'PayloadTooLargeError';
  }
}

export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  if (declaredTooLarge(req, maxBytes)) throw new PayloadTooLargeError(maxBytes);
  const read = await readBody(req, maxBytes);
  if (!read.ok) {
    if (read.reason === 'too_large') throw new PayloadTooLargeError(maxBytes);
    throw new AppError('bad_request', 'Request body was not received whole', 400);
  }
  if (read.body.length === 0) return undefined;
  try {
    return JSON.parse(read.body.toString('utf8'));
  } catch {
    throw new AppError('bad_request', 'Request body is not valid JSON', 400);
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, jsonHeaders(Buffer.byteLength(text), extra));
  res.end(text);
}

export type Encoding = 'br' | 'gzip';

/** The best encoding the client accepts among those available (br, then gzip), or null. */
export function pickEncoding(acceptEncoding: string | string[] | undefined, available: readonly Encoding[]): Encoding | null {
  const header = (Array.isArray(acceptEncoding) ? acceptEncoding.join(',') : (acceptEncoding ?? '')).toLowerCase();
  const accepted = new Map<string, number>();
  for (const part of header.split(',')) {
    const [name, ...params] = part.trim().split(';');
    if (!name) continue;
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    accepted.set(name.trim(), q === undefined ? 1 : Number(q));
  }
  for (const enc of ['br', 'gzip'] as const) {
    if (!available.includes(enc)) continue;
    const q = accepted.get(enc) ?? (accepted.has(enc) ? 0 : (accepted.get('*') ?? 0));
    if (q > 0) return enc;
  }
  return null;
}

/** JSON answers from this size on are compressed for clients that accept it. */
export const COMPRESS_MIN_BYTES = 16 * 1024;
const brotliAsync = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/**
 * sendJson, compressed when the answer is large and the client accepts br or gzip (the account
 * list is ~650 kB and quota:list ~5 MB at 1,000 accounts: a tenth of that compressed). Fast
 * settings (brotli quality 1, gzip level 1), on libuv's thread pool: the event loop does not
 * wait for it.
 */
export async function sendJsonCompressed(req: IncomingMessage, res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): Promise<void> {
  const text = JSON.stringify(body);
  const enc = text.length >= COMPRESS_MIN_BYTES ? pickEncoding(req.headers['accept-encoding'], ['br', 'gzip']) : null;
  if (!enc) {
    res.writeHead(status, jsonHeaders(Buffer.byteLength(text), extra));
    res.end(text);
    return;
  }
  const raw = Buffer.from(text, 'utf8');
  const packed = enc === 'br' ? await brotliAsync(raw, { params: { [zlib.BROTLI_PARAM_QUALITY]: 1, [zlib.BROTLI_PARAM_SIZE_HINT]: raw.length } }) : await gzipAsync(raw, { level: 1 });
  if (res.destroyed) return; // the client went away meanwhile
  res.writeHead(status, { ...jsonHeaders(packed.length, extra), 'Content-Encoding': enc, Vary: 'Accept-Encoding' });
  res.end(packed);
}

function jsonHeaders(length: number, extra: Record<string, string>): Record<string, string | number> {
  return {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': length,
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    ...extra,
  };
}
