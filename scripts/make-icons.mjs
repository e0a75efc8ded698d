#!/usr/bin/env node
// Draws QuotaDeck's icons and writes them to resources/ as real PNGs (node:zlib, no image
// library): the tray icon per state — ok (green disc), low (amber ring, a third full),
// exhausted (red "no entry" disc) — at 16 px and 32 px (@2x, picked by Electron on HiDPI), and
// the 512 px app icon electron-builder turns into .icns/.ico. Shapes differ as well as colours,
// so the states stay apart for colour-blind users. Run: node scripts/make-icons.mjs
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { deflateSync } from 'node:zlib';

const hex = (h, a = 255) => [parseInt(h.slice(1, 3), 16), parseInt(h.slice(3, 5), 16), parseInt(h.slice(5, 7), 16), a];
const WHITE = hex('#ffffff');
const GREEN = hex('#22c55e');
const AMBER = hex('#f59e0b');
const RED = hex('#ef4444');
const SLATE = hex('#1e293b');
const TRACK = hex('#475569');

/** Unit-square shapes: each returns a colour for a point (0..1, 0..1) or null (transparent). */
const rimmed = (fill, rim, r = 0.44, rimWidth = 0.07) => (x, y) => {
  const d = Math.hypot(x - 0.5, y - 0.5);
  if (d > r) return null;
  return d > r - rimWidth ? rim : fill;
};

const redDisc = rimmed(RED, hex('#b91c1c'));

const TRAY = {
  ok: rimmed(GREEN, hex('#15803d')),
  low: (x, y) => {
    const d = Math.hypot(x - 0.5, y - 0.5);
    if (d > 0.44) return null;
    if (d > 0.3) return AMBER;
    return y > 0.6 ? AMBER : null;
  },
  exhausted: (x, y) => {
    if (Math.abs(y - 0.5) < 0.09 && Math.abs(x - 0.5) < 0.26) return WHITE;
    return redDisc(x, y);
  },
};

function roundedRect(x, y, x0, y0, x1, y1, r) {
  const cx = Math.min(Math.max(x, x0 + r), x1 - r);
  const cy = Math.min(Math.max(y, y0 + r), y1 - r);
  return Math.hypot(x - cx, y - cy) <= r;
}

const BARS = [
  [0.3, 0.74, GREEN],
  [0.5, 0.44, AMBER],
  [0.7, 0.27, RED],
];

/** The app icon: a dark card with three quota bars (full, low, nearly exhausted). */
function appIcon(x, y) {
  if (!roundedRect(x, y, 0.04, 0.04, 0.96, 0.96, 0.2)) return null;
  for (const [cy, fill, colour] of BARS) {
    if (!roundedRect(x, y, 0.2, cy - 0.055, 0.8, cy + 0.055, 0.055)) continue;
    return x <= fill ? colour : TRACK;
  }
  return SLATE;
}

export const ICONS = [
  ...Object.entries(TRAY).flatMap(([state, draw]) => [
    { file: `tray-${state}.png`, size: 16, draw },
    { file: `tray-${state}@2x.png`, size: 32, draw },
  ]),
  { file: 'icon.png', size: 512, draw: appIcon },
];

/** RGBA pixels of a shape, 4×4 supersampled so edges are smooth at 16 px. */
export function render(size, draw, samples = 4) {
  const out = Buffer.alloc(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0, g = 0, b = 0, a = 0;
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const c = draw((px + (sx + 0.5) / samples) / size, (py + (sy + 0.5) / samples) / size);
          if (!c) continue;
          // Premultiplied, so transparent samples do not darken the edge.
          r += c[0] * c[3]; g += c[1] * c[3]; b += c[2] * c[3]; a += c[3];
        }
      }
      const o = (py * size + px) * 4;
      const n = samples * samples;
      out[o + 3] = Math.round(a / n);
      if (a > 0) {
        out[o] = Math.round(r / a);
        out[o + 1] = Math.round(g / a);
        out[o + 2] = Math.round(b / a);
      }
    }
  }
  return out;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A PNG: 8-bit RGBA, no interlace, every row with filter 0. */
export function encodePng(width, height, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // colour type: RGBA
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) rgba.copy(raw, y * (width * 4 + 1) + 1, y * width * 4, (y + 1) * width * 4);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

export function writeIcons(dir) {
  mkdirSync(dir, { recursive: true });
  for (const { file, size, draw } of ICONS) writeFileSync(join(dir, file), encodePng(size, size, render(size, draw)));
  return ICONS.map((i) => i.file);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'resources');
  for (const f of writeIcons(dir)) process.stdout.write(`wrote resources/${f}\n`);
}
