/**
 * Draws the extension and task icons as PNGs (no image tools needed on the build machine).
 * Run once after changing a design: `node out/scripts/make-icons.js`; the PNGs are committed.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';

type RGBA = [number, number, number, number];

function crc32(buf: Buffer): number {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

export function encodePng(size: number, pixel: (x: number, y: number) => RGBA): Buffer {
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0; // filter: none
    for (let x = 0; x < size; x++) {
      const o = y * (size * 4 + 1) + 1 + x * 4;
      const [r, g, b, a] = pixel(x, y);
      raw[o] = r; raw[o + 1] = g; raw[o + 2] = b; raw[o + 3] = a;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; ihdr[9] = 6; ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Rounded square in `color`, a white ring (the "edge device") and a glyph dot pattern per task. */
function icon(size: number, color: RGBA, dots: [number, number][]): Buffer {
  const r = size * 0.18;
  return encodePng(size, (x, y) => {
    const cx = x + 0.5, cy = y + 0.5;
    const dx = Math.max(r - cx, 0, cx - (size - r)), dy = Math.max(r - cy, 0, cy - (size - r));
    if (dx * dx + dy * dy > r * r) return [0, 0, 0, 0];
    const d = Math.hypot(cx - size / 2, cy - size / 2) / size;
    if (d > 0.28 && d < 0.36) return [255, 255, 255, 255];
    for (const [px, py] of dots) {
      if (Math.hypot(cx / size - px, cy / size - py) < 0.07) return [255, 255, 255, 255];
    }
    const shade = 1 - (cy / size) * 0.25;
    return [Math.round(color[0] * shade), Math.round(color[1] * shade), Math.round(color[2] * shade), 255];
  });
}

const root = path.resolve(__dirname, '..', '..');
const designs: Record<string, [RGBA, [number, number][]]> = {
  IoTEdgeBuildModuleImages: [[0, 120, 212, 255], [[0.5, 0.5]]],
  IoTEdgePushModuleImages: [[0, 153, 188, 255], [[0.5, 0.42], [0.5, 0.58]]],
  IoTEdgeGenerateManifest: [[92, 45, 145, 255], [[0.42, 0.5], [0.58, 0.5]]],
  IoTEdgeDeploy: [[16, 124, 16, 255], [[0.5, 0.5], [0.5, 0.1], [0.5, 0.9]]],
  IoTEdgeSmokeTest: [[202, 80, 16, 255], [[0.42, 0.42], [0.58, 0.58]]],
};

if (require.main === module) {
  fs.mkdirSync(path.join(root, 'images'), { recursive: true });
  fs.writeFileSync(path.join(root, 'images', 'extension-icon.png'), icon(128, [0, 120, 212, 255], [[0.5, 0.5], [0.5, 0.1], [0.9, 0.5], [0.5, 0.9], [0.1, 0.5]]));
  for (const [task, [color, dots]] of Object.entries(designs)) {
    fs.writeFileSync(path.join(root, 'tasks', task, 'icon.png'), icon(32, color, dots));
  }
  console.log('icons written');
}
