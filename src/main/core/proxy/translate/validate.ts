// zod at the translation boundary: a client body that does not fit its protocol becomes a
// BadClientRequest naming the first offending field ("messages.2.content.0.source.data: …").
import type { z } from 'zod';
import { BadClientRequest } from './ir';

export function fieldPath(path: ReadonlyArray<PropertyKey>, prefix = ''): string {
  let s = prefix;
  for (const p of path) s += s ? `.${String(p)}` : String(p);
  return s || '(body)';
}

/** Parses or throws a BadClientRequest naming the field. */
export function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, prefix = ''): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  if (!issue) throw new BadClientRequest(`${prefix || '(body)'}: invalid`);
  throw new BadClientRequest(`${fieldPath(issue.path, prefix)}: ${issue.message}`);
}

/** A data: URL's media type and base64 payload, or null when it is not an inline base64 image. */
export function dataUrl(url: string): { mediaType: string; data: string } | null {
  const m = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  return m ? { mediaType: m[1]!, data: m[2]! } : null;
}

export const IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/heic', 'image/heif']);

export function unsupported(field: string, what: string): BadClientRequest {
  return new BadClientRequest(`${field}: ${what} cannot be sent to this account's upstream; send text or inline base64 images (png, jpeg, gif, webp)`);
}
