// Serves the built renderer (out/renderer) for web mode: files under the root only, SPA
// fallback to index.html, strict CSP.
// - Files are read once and kept in memory (re-read when their size or mtime changes).
// - Precompressed variants written by the build (`<file>.br`, `<file>.gz`, see
//   tools/vite-renderer-shared.mts) are sent to clients that accept them (Vary: Accept-Encoding).
// - Content-hashed assets (`assets/`) are cacheable for a year (immutable); other files are
//   revalidated by ETag; index.html is never stored.
// - index.html's inline scripts (the early-load script) are allowed by their hashes in the CSP
//   header, as the page's own CSP meta tag does.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pickEncoding, type Encoding } from './http-util';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
};

export const CSP = "default-src 'self'; script-src 'self'; connect-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

interface Cached {
  mtimeMs: number;
  size: number;
  body: Buffer;
  /** Precompressed variants found next to the file. */
  encoded: Partial<Record<Encoding, Buffer>>;
  etag: string;
  csp: string;
}

const cache = new Map<string, Cached>();

/** `'sha256-…'` sources for the inline (src-less) scripts of an HTML page. */
export function inlineScriptHashes(html: string): string[] {
  const out: string[] = [];
  for (const m of html.matchAll(/<script(\s[^>]*)?>([\s\S]*?)<\/script>/gi)) {
    if (/\ssrc\s*=/i.test(m[1] ?? '') || m[2]!.length === 0) continue;
    out.push(`'sha256-${createHash('sha256').update(m[2]!, 'utf8').digest('base64')}'`);
  }
  return out;
}

function load(file: string): Cached {
  const st = statSync(file);
  const hit = cache.get(file);
  if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit;
  const body = readFileSync(file);
  const encoded: Cached['encoded'] = {};
  for (const [enc, ext] of [['br', '.br'], ['gzip', '.gz']] as const) {
    const path = file + ext;
    // A variant older than the file is stale (a rebuild that wrote no new one): not used.
    if (existsSync(path) && statSync(path).mtimeMs >= st.mtimeMs) encoded[enc] = readFileSync(path);
  }
  const hashes = extname(file) === '.html' ? inlineScriptHashes(body.toString('utf8')) : [];
  const entry: Cached = {
    mtimeMs: st.mtimeMs,
    size: st.size,
    body,
    encoded,
    etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
    csp: hashes.length ? CSP.replace("script-src 'self'", `script-src 'self' ${hashes.join(' ')}`) : CSP,
  };
  cache.set(file, entry);
  return entry;
}

function cacheControl(rel: string, ext: string): string {
  if (ext === '.html') return 'no-store';
  // Vite names everything under assets/ by its content hash: a new build is a new name.
  if (rel.startsWith('/assets/')) return 'public, max-age=31536000, immutable';
  return 'no-cache';
}

export function serveStatic(root: string | null, req: IncomingMessage, pathname: string, res: ServerResponse): boolean {
  if (!root || !existsSync(root)) return false;
  const base = resolve(root);
  let rel = decodeURIComponent(pathname);
  if (rel === '/' || rel === '') rel = '/index.html';
  let file = resolve(join(base, normalize(rel)));
  if (file !== base && !file.startsWith(base + sep)) return false;
  if (!existsSync(file) || !statSync(file).isFile()) {
    if (extname(rel)) return false; // a missing asset is a 404, not the app
    file = join(base, 'index.html');
    if (!existsSync(file)) return false;
    rel = '/index.html';
  }
  const ext = extname(file);
  const entry = load(file);
  const headers: Record<string, string | number> = {
    'Content-Type': TYPES[ext] ?? 'application/octet-stream',
    'Content-Security-Policy': entry.csp,
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': cacheControl(rel.replace(/\\/g, '/'), ext),
  };
  const available = Object.keys(entry.encoded) as Encoding[];
  if (available.length) headers.Vary = 'Accept-Encoding';
  const enc = pickEncoding(req.headers['accept-encoding'], available);
  if (ext !== '.html') {
    // One validator per representation (identity, br, gzip).
    const etag = enc ? `${entry.etag.slice(0, -1)}-${enc}"` : entry.etag;
    headers.ETag = etag;
    if (req.headers['if-none-match']?.split(',').some((t) => t.trim() === etag)) {
      res.writeHead(304, headers).end();
      return true;
    }
  }
  const body = enc ? entry.encoded[enc]! : entry.body;
  if (enc) headers['Content-Encoding'] = enc;
  headers['Content-Length'] = body.length;
  res.writeHead(200, headers);
  res.end(req.method === 'HEAD' ? undefined : body);
  return true;
}
