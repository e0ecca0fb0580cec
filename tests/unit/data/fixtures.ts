/**
 * Builders for small dataset files of every supported format, written from the format
 * specs (not by the code under test), plus a minimal PNG encoder/decoder so image-folder
 * imports decode real PNG bytes in Node.
 */
import { unzlibSync, zlibSync } from 'fflate';
import type { ImageDecoder } from '../../../src/data/image-folder';
import type { ImportFileInput } from '../../../src/data/files';

/** Deterministic pseudo-random bytes (a tiny LCG: fixtures must not depend on src/data/random). */
export function patternBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = state >>> 24;
  }
  return out;
}

export function fileOf(path: string, bytes: Uint8Array): ImportFileInput {
  return { name: path.slice(path.lastIndexOf('/') + 1), path, bytes };
}

export function blobFileOf(path: string, bytes: Uint8Array): ImportFileInput {
  return { name: path.slice(path.lastIndexOf('/') + 1), path, file: new Blob([bytes as Uint8Array<ArrayBuffer>]) };
}

// ---------- IDX ----------

export function idxFile(magic: number, dims: readonly number[], data: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, magic);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  out.set(data, 4 + 4 * dims.length);
  return out;
}

export function idxImages(count: number, rows: number, cols: number, seed: number): { file: Uint8Array; pixels: Uint8Array } {
  const pixels = patternBytes(count * rows * cols, seed);
  return { file: idxFile(0x00000803, [count, rows, cols], pixels), pixels };
}

export function idxLabels(labels: readonly number[]): Uint8Array {
  return idxFile(0x00000801, [labels.length], Uint8Array.from(labels));
}

// ---------- CIFAR ----------

/** One record per entry; `planar` is 3072 bytes R plane, G plane, B plane. */
export function cifarBatch(records: readonly { label: number; coarse?: number; planar: Uint8Array }[], variant: 'cifar-10' | 'cifar-100'): Uint8Array {
  const labelBytes = variant === 'cifar-10' ? 1 : 2;
  const size = labelBytes + 3072;
  const out = new Uint8Array(records.length * size);
  records.forEach((r, i) => {
    if (variant === 'cifar-100') out[i * size] = r.coarse ?? 0;
    out[i * size + labelBytes - 1] = r.label;
    out.set(r.planar, i * size + labelBytes);
  });
  return out;
}

/** The NHWC pixel that planar CIFAR byte (c, y, x) should land on. */
export function nhwcIndex(y: number, x: number, c: number, side = 32, channels = 3): number {
  return (y * side + x) * channels + c;
}

// ---------- MAT v5 ----------

export const MI = { INT8: 1, UINT8: 2, INT32: 5, UINT32: 6, DOUBLE: 9, MATRIX: 14, COMPRESSED: 15 } as const;
export const MX = { CELL: 1, CHAR: 4, DOUBLE: 6, UINT8: 9 } as const;

export interface MatVarSpec {
  name: string;
  mxClass: number;
  dims: readonly number[];
  /** The storage type of the real part (MI.UINT8 for uint8 or small doubles, MI.DOUBLE ...). */
  storage: number;
  values: ArrayLike<number>;
  complex?: boolean;
}

const STORAGE_BYTES: Record<number, number> = { 1: 1, 2: 1, 5: 4, 6: 4, 9: 8 };

class MatWriter {
  private parts: Uint8Array[] = [];
  constructor(private readonly le: boolean) {}

  element(type: number, data: Uint8Array, pad = true): void {
    if (pad && data.length <= 4 && data.length > 0 && type !== MI.MATRIX) {
      // Small data element format: size in the upper 16 bits.
      const tag = new Uint8Array(8);
      new DataView(tag.buffer).setUint32(0, (data.length << 16) | type, this.le);
      tag.set(data, 4);
      this.parts.push(tag);
      return;
    }
    const tag = new Uint8Array(8);
    const view = new DataView(tag.buffer);
    view.setUint32(0, type, this.le);
    view.setUint32(4, data.length, this.le);
    this.parts.push(tag, data);
    if (pad && data.length % 8 !== 0) this.parts.push(new Uint8Array(8 - (data.length % 8)));
  }

  bytes(): Uint8Array {
    const length = this.parts.reduce((sum, p) => sum + p.length, 0);
    const out = new Uint8Array(length);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

function numbers(type: number, values: ArrayLike<number>, le: boolean): Uint8Array {
  const size = STORAGE_BYTES[type] as number;
  const out = new Uint8Array(values.length * size);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (type === MI.UINT8) out[i] = v;
    else if (type === MI.INT8) view.setInt8(i, v);
    else if (type === MI.INT32) view.setInt32(4 * i, v, le);
    else if (type === MI.UINT32) view.setUint32(4 * i, v, le);
    else view.setFloat64(8 * i, v, le);
  }
  return out;
}

/** One miMATRIX element (tag included). */
export function matMatrix(spec: MatVarSpec, le = true): Uint8Array {
  const inner = new MatWriter(le);
  const flags = new Uint8Array(8);
  new DataView(flags.buffer).setUint32(0, spec.mxClass | (spec.complex ? 0x0800 : 0), le);
  inner.element(MI.UINT32, flags);
  inner.element(MI.INT32, numbers(MI.INT32, spec.dims, le));
  inner.element(MI.INT8, new TextEncoder().encode(spec.name));
  inner.element(spec.storage, numbers(spec.storage, spec.values, le));
  if (spec.complex) inner.element(spec.storage, numbers(spec.storage, spec.values, le));
  const outer = new MatWriter(le);
  outer.element(MI.MATRIX, inner.bytes(), false);
  return outer.bytes();
}

export function matFile(vars: readonly MatVarSpec[], options: { compress?: boolean; bigEndian?: boolean; headerText?: string } = {}): Uint8Array {
  const le = !options.bigEndian;
  const header = new Uint8Array(128).fill(0x20);
  header.set(new TextEncoder().encode(options.headerText ?? 'MATLAB 5.0 MAT-file, Platform: test fixture, Created on: never'));
  header.fill(0, 116, 124);
  new DataView(header.buffer).setUint16(124, 0x0100, le);
  header[126] = le ? 0x49 : 0x4d; // 'I' : 'M'
  header[127] = le ? 0x4d : 0x49;
  const parts: Uint8Array[] = [header];
  for (const spec of vars) {
    const matrix = matMatrix(spec, le);
    if (options.compress) {
      const z = zlibSync(matrix);
      const tag = new Uint8Array(8);
      new DataView(tag.buffer).setUint32(0, MI.COMPRESSED, le);
      new DataView(tag.buffer).setUint32(4, z.length, le);
      parts.push(tag, z);
    } else {
      parts.push(matrix);
    }
  }
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** SVHN-like X (H×W×C×N, column-major) from NHWC pixels. */
export function columnMajorFromNhwc(nhwc: Uint8Array, n: number, h: number, w: number, c: number): Uint8Array {
  const out = new Uint8Array(nhwc.length);
  for (let i = 0; i < n; i++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        for (let ch = 0; ch < c; ch++) out[y + h * (x + w * (ch + c * i))] = nhwc[((i * h + y) * w + x) * c + ch] as number;
  return out;
}

// ---------- PNG ----------

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const b of bytes) crc = (CRC_TABLE[(crc ^ b) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const COLOR_TYPE: Record<number, number> = { 1: 0, 3: 2, 4: 6 };

/** 8-bit PNG, gray (1), RGB (3) or RGBA (4) channels, filter 0 on every row. */
export function encodePng(width: number, height: number, channels: 1 | 3 | 4, pixels: Uint8Array): Uint8Array {
  const chunk = (type: string, data: Uint8Array) => {
    const out = new Uint8Array(12 + data.length);
    const view = new DataView(out.buffer);
    view.setUint32(0, data.length);
    out.set(new TextEncoder().encode(type), 4);
    out.set(data, 8);
    view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
    return out;
  };
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  ihdr[8] = 8;
  ihdr[9] = COLOR_TYPE[channels] as number;
  const raw = new Uint8Array(height * (1 + width * channels));
  for (let y = 0; y < height; y++) raw.set(pixels.subarray(y * width * channels, (y + 1) * width * channels), y * (1 + width * channels) + 1);
  const parts = [Uint8Array.from(PNG_SIGNATURE), chunk('IHDR', ihdr), chunk('IDAT', zlibSync(raw)), chunk('IEND', new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Decodes what encodePng writes (8-bit, non-interlaced, filter 0); throws on anything else or a bad CRC. */
export function decodePng(bytes: Uint8Array): { width: number; height: number; channels: number; pixels: Uint8Array } {
  if (!PNG_SIGNATURE.every((b, i) => bytes[i] === b)) throw new Error('bad PNG signature');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Uint8Array[] = [];
  while (offset < bytes.length) {
    if (offset + 12 > bytes.length) throw new Error('truncated PNG chunk');
    const length = view.getUint32(offset);
    const type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8));
    if (offset + 12 + length > bytes.length) throw new Error('truncated PNG chunk');
    const data = bytes.subarray(offset + 8, offset + 8 + length);
    if (crc32(bytes.subarray(offset + 4, offset + 8 + length)) !== view.getUint32(offset + 8 + length)) throw new Error(`bad CRC in ${type}`);
    if (type === 'IHDR') {
      width = view.getUint32(offset + 8);
      height = view.getUint32(offset + 12);
      channels = ({ 0: 1, 2: 3, 6: 4 } as Record<number, number>)[data[9] as number] ?? 0;
      if (data[8] !== 8 || channels === 0) throw new Error('unsupported PNG kind');
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    offset += 12 + length;
  }
  const raw = unzlibSync(Uint8Array.from(idat.flatMap((d) => [...d])));
  const stride = width * channels;
  if (raw.length !== height * (stride + 1)) throw new Error('PNG image data has the wrong size');
  const pixels = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    if (raw[y * (stride + 1)] !== 0) throw new Error('only PNG filter 0 is supported by the test decoder');
    pixels.set(raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1)), y * stride);
  }
  return { width, height, channels, pixels };
}

/**
 * A decoder for image-folder tests with the canvas decoder's contract: nearest-neighbour
 * resize to side×side ('stretch'), alpha ignored, gray = round(0.299 R + 0.587 G + 0.114 B).
 */
export const pngTestDecoder: ImageDecoder = async (input, target) => {
  if (input.type !== 'png') throw new Error(`test decoder reads PNG only, got ${input.type}`);
  const png = decodePng(new Uint8Array(await input.blob.arrayBuffer()));
  const out = new Uint8Array(target.side * target.side * target.channels);
  for (let y = 0; y < target.side; y++) {
    for (let x = 0; x < target.side; x++) {
      const sy = Math.floor((y * png.height) / target.side);
      const sx = Math.floor((x * png.width) / target.side);
      const at = (sy * png.width + sx) * png.channels;
      const rgb = png.channels === 1 ? [png.pixels[at], png.pixels[at], png.pixels[at]] : [png.pixels[at], png.pixels[at + 1], png.pixels[at + 2]];
      const [r, g, b] = rgb as [number, number, number];
      const to = (y * target.side + x) * target.channels;
      if (target.channels === 1) out[to] = Math.round(0.299 * r + 0.587 * g + 0.114 * b);
      else out.set([r, g, b], to);
    }
  }
  return out;
};
