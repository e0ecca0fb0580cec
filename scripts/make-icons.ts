// `tsx scripts/make-icons.ts`: draws the app icon (same shapes as public/icons/icon.svg)
// into PNGs for the web manifest. Run once; the PNGs are committed. Uses only node:zlib.
import { writeFileSync } from 'node:fs';
import { crc32, deflateSync } from 'node:zlib';

type Rgba = [number, number, number, number];

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const typeAndData = Buffer.concat([Buffer.from(type), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([len, typeAndData, crc]);
}

const hex = (h: string): Rgba => [parseInt(h.slice(1, 3), 16), parseInt(h.slice(3, 5), 16), parseInt(h.slice(5, 7), 16), 255];

function png(size: number): Buffer {
  const s = size / 64;
  // One filter byte (0, none) then RGBA per row.
  const px = Buffer.alloc(size * (size * 4 + 1));
  const shapes = [
    { x: 8, y: 20, w: 8, h: 24, c: hex('#a8dadc') },
    { x: 20, y: 16, w: 8, h: 32, c: hex('#a8dadc') },
    { x: 32, y: 22, w: 8, h: 20, c: hex('#a8dadc') },
  ];
  for (let y = 0; y < size; y++) {
    px[y * (size * 4 + 1)] = 0;
    for (let x = 0; x < size; x++) {
      const u = (x + 0.5) / s;
      const v = (y + 0.5) / s;
      let c = hex('#1d3557');
      for (const r of shapes) if (u >= r.x && u < r.x + r.w && v >= r.y && v < r.y + r.h) c = r.c;
      if ((u - 50) ** 2 + (v - 32) ** 2 <= 36) c = hex('#e63946');
      px.set(c, y * (size * 4 + 1) + 1 + x * 4);
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA, deflate, no filter, no interlace
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(px)), chunk('IEND', Buffer.alloc(0))]);
}

for (const size of [192, 512]) writeFileSync(new URL(`../public/icons/icon-${size}.png`, import.meta.url), png(size));
console.log('icons written');
