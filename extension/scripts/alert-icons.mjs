// Draws the notification icons (public/icon/{near-sl,near-tp,sl-hit,tp-hit}.png): colour and shape tell
// near-SL (red, arrow down) from near-TP (green, arrow up), and a hit (filled square, a bar at the level)
// from an approach (disc). Run once after a change: `node extension/scripts/alert-icons.mjs`.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const N = 128;
const out = join(dirname(fileURLToPath(import.meta.url)), '../public/icon');
const RED = [214, 40, 40];
const GREEN = [22, 150, 80];
const WHITE = [255, 255, 255];

function png(pixel) {
  const raw = Buffer.alloc((N * 4 + 1) * N);
  for (let y = 0; y < N; y++) {
    raw[y * (N * 4 + 1)] = 0;
    for (let x = 0; x < N; x++) {
      const [r, g, b, a] = pixel(x + 0.5, y + 0.5);
      raw.set([r, g, b, a], y * (N * 4 + 1) + 1 + x * 4);
    }
  }
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type), data]);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(N, 0);
  ihdr.writeUInt32BE(N, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Inside a triangle pointing down (dir 1) or up (dir -1), centred. */
const arrow = (x, y, dir) => {
  const cx = 64;
  const top = dir > 0 ? 34 : 94;
  const tip = dir > 0 ? 86 : 42;
  const t = (y - top) / (tip - top);
  if (t < 0 || t > 1) return false;
  const half = 28 * (1 - t);
  return Math.abs(x - cx) <= half || (t < 0.45 && Math.abs(x - cx) <= 9 && (dir > 0 ? y >= 22 : y <= 106));
};

function icon(colour, dir, hit) {
  return png((x, y) => {
    const inShape = hit ? x > 6 && x < 122 && y > 6 && y < 122 : (x - 64) ** 2 + (y - 64) ** 2 <= 60 ** 2;
    if (!inShape) return [0, 0, 0, 0];
    const bar = hit && Math.abs(y - (dir > 0 ? 100 : 28)) <= 5 && x > 24 && x < 104;
    return arrow(x, y, dir) || bar ? [...WHITE, 255] : [...colour, 255];
  });
}

writeFileSync(join(out, 'near-sl.png'), icon(RED, 1, false));
writeFileSync(join(out, 'near-tp.png'), icon(GREEN, -1, false));
writeFileSync(join(out, 'sl-hit.png'), icon(RED, 1, true));
writeFileSync(join(out, 'tp-hit.png'), icon(GREEN, -1, true));
