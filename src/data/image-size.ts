/**
 * Width and height from an image's header, read before decoding so that a huge image (a
 * decompression bomb: a small PNG of 50,000 × 50,000 pixels) is refused before a decoder
 * allocates its pixels. PNG: IHDR; JPEG: the first SOFn marker; WebP: VP8, VP8L or VP8X.
 */
import type { ImageType } from './image-folder';

/** Bytes read to find the size: JPEG's SOF comes after its EXIF and ICC segments (64 KiB each at most). */
export const IMAGE_HEADER_BYTES = 512 * 1024;

export interface ImageSize {
  readonly width: number;
  readonly height: number;
}

const be16 = (b: Uint8Array, i: number) => ((b[i] as number) << 8) | (b[i + 1] as number);
const le16 = (b: Uint8Array, i: number) => (b[i] as number) | ((b[i + 1] as number) << 8);
const le24 = (b: Uint8Array, i: number) => le16(b, i) | ((b[i + 2] as number) << 16);
const be32 = (b: Uint8Array, i: number) => be16(b, i) * 0x10000 + be16(b, i + 2);

/** A chunk or marker name from the file, printable ASCII only (anything else shows as "?"). */
const fourCC = (b: Uint8Array, i: number) => String.fromCharCode(...b.subarray(i, i + 4)).replace(/[^\x20-\x7e]/g, '?');

/** The size the header states, or undefined when `head` does not reach it (or is malformed). */
export function imageSize(head: Uint8Array, type: ImageType): ImageSize | undefined {
  const found = readImageSize(head, type);
  return typeof found === 'string' ? undefined : found;
}

/**
 * The size the header states, or why it could not be read from `head` (the problem, for a
 * message: "the file ends before its IHDR chunk").
 */
export function readImageSize(head: Uint8Array, type: ImageType): ImageSize | string {
  switch (type) {
    case 'png':
      // PNG spec 5.2/11.2.2: the signature, then IHDR first (length, "IHDR", width, height).
      if (head.length < 24) return 'the file ends before its IHDR chunk';
      if (fourCC(head, 12) !== 'IHDR') return `its first chunk is "${fourCC(head, 12)}", not IHDR`;
      return { width: be32(head, 16), height: be32(head, 20) };
    case 'webp': {
      if (head.length < 30) return 'the file ends before its first chunk\'s size fields';
      const chunk = fourCC(head, 12);
      if (chunk === 'VP8 ') return { width: le16(head, 26) & 0x3fff, height: le16(head, 28) & 0x3fff };
      if (chunk === 'VP8L') {
        const bits = le16(head, 21) + (head[23] as number) * 0x10000 + (head[24] as number) * 0x1000000;
        return { width: (bits & 0x3fff) + 1, height: (Math.floor(bits / 0x4000) & 0x3fff) + 1 };
      }
      if (chunk === 'VP8X') return { width: le24(head, 24) + 1, height: le24(head, 27) + 1 };
      return `its first chunk is "${chunk}", not VP8, VP8L or VP8X`;
    }
    case 'jpeg': {
      let i = 2;
      while (i + 9 < head.length) {
        if (head[i] !== 0xff) return `a malformed JPEG marker at byte ${i}`;
        const marker = head[i + 1] as number;
        if (marker === 0xff) {
          i++; // fill byte
          continue;
        }
        // SOF0..SOF15, except DHT (C4), JPG (C8) and DAC (CC), carry the frame size.
        if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
          return { width: be16(head, i + 7), height: be16(head, i + 5) };
        }
        if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
          i += 2; // markers without a length
          continue;
        }
        i += 2 + be16(head, i + 2);
      }
      return `no frame (SOF) marker in its first ${head.length.toLocaleString('en-US')} bytes`;
    }
  }
}
