// Small node:http helpers of the control API: bounded JSON body reading (through the hardened
// front's body cap, net/http-front.ts) and JSON answers.
import type { IncomingMessage, ServerResponse } from 'node:http';
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
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    ...extra,
  });
  res.end(text);
}
