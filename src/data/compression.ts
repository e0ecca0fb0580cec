/**
 * gzip and zlib inflation with progress and cancellation (fflate's streaming classes, fed
 * 1 MiB at a time so a worker stays responsive to `cancel` while inflating 100+ MB).
 */
import { Gunzip, Unzlib } from 'fflate';
import { DatasetImportError } from './errors';
import { checkLimit, DATASET_MAX_UNPACKED_BYTES } from './limits';
import { checkpoint, type TaskControl } from './progress';

const SLICE_BYTES = 1 << 20;
/** Compressed bytes handed to fflate at once: at most ~16 MB of output between two limit checks. */
const PUSH_BYTES = 16 << 10;

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Output collector. Preallocates once the final size is known (gzip ISIZE, a MAT element
 * tag) so big files are not held twice; grows by doubling when a hint was short.
 */
class Output {
  private buffer: Uint8Array<ArrayBuffer> = new Uint8Array(0);
  private pending: Uint8Array[] = [];
  private pendingLength = 0;
  private sized = false;
  written = 0;

  constructor(
    private readonly sizeFromHead: (head: Uint8Array) => number | undefined,
    /** Deflate expands at most ~1032:1, so a larger hint is corrupt: never allocate past this. */
    private readonly limit: number,
    /** The most this output may hold (what is left of the import's unpacked budget), checked as data comes. */
    private readonly cap: { readonly file: string; readonly bytes: number },
  ) {}

  push(chunk: Uint8Array): void {
    const held = this.sized ? this.written : this.pendingLength;
    checkLimit(this.cap.file, 'what it unpacks to', held + chunk.length, this.cap.bytes, 'bytes');
    if (!this.sized) {
      this.pending.push(chunk);
      this.pendingLength += chunk.length;
      const head = this.pending.length === 1 ? chunk : joinChunks(this.pending, this.pendingLength);
      const size = this.sizeFromHead(head);
      if (size === undefined) return;
      this.sized = true;
      this.pending = [];
      this.buffer = new Uint8Array(Math.max(Math.min(size, this.limit, this.cap.bytes), head.length));
      this.buffer.set(head);
      this.written = head.length;
      return;
    }
    if (this.written + chunk.length > this.buffer.length) {
      const grown = new Uint8Array(Math.max(this.buffer.length * 2, this.written + chunk.length));
      grown.set(this.buffer.subarray(0, this.written));
      this.buffer = grown;
    }
    this.buffer.set(chunk, this.written);
    this.written += chunk.length;
  }

  /** Exactly the bytes written, in a buffer of their own (views confuse tar readers and transfers). */
  result(): Uint8Array<ArrayBuffer> {
    if (!this.sized) return joinChunks(this.pending, this.pendingLength);
    return this.written === this.buffer.length ? this.buffer : this.buffer.slice(0, this.written);
  }
}

function maxInflatedSize(compressedBytes: number): number {
  return compressedBytes * 1032 + 1024;
}

function joinChunks(chunks: readonly Uint8Array[], length: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

const CRC32_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** Running CRC-32 (gzip trailer, RFC 1952): fflate does not check it, so corruption would pass. */
class Crc32 {
  private crc = 0xffffffff;
  update(bytes: Uint8Array): void {
    let crc = this.crc;
    for (let i = 0; i < bytes.length; i++) crc = (CRC32_TABLE[(crc ^ (bytes[i] as number)) & 0xff] as number) ^ (crc >>> 8);
    this.crc = crc;
  }
  value(): number {
    return (this.crc ^ 0xffffffff) >>> 0;
  }
}

/** Running Adler-32 (zlib trailer, RFC 1950). */
class Adler32 {
  private a = 1;
  private b = 0;
  update(bytes: Uint8Array): void {
    let { a, b } = this;
    // zlib's NMAX: the longest run before b must be reduced to stay exact.
    for (let start = 0; start < bytes.length; start += 5552) {
      const end = Math.min(bytes.length, start + 5552);
      for (let i = start; i < end; i++) {
        a += bytes[i] as number;
        b += a;
      }
      a %= 65521;
      b %= 65521;
    }
    this.a = a;
    this.b = b;
  }
  value(): number {
    return ((this.b << 16) | this.a) >>> 0;
  }
}

function uint32LE(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset] as number) | ((bytes[offset + 1] as number) << 8) | ((bytes[offset + 2] as number) << 16)) + (bytes[offset + 3] as number) * 0x1000000;
}

function uint32BE(bytes: Uint8Array, offset: number): number {
  return (bytes[offset] as number) * 0x1000000 + (((bytes[offset + 1] as number) << 16) | ((bytes[offset + 2] as number) << 8) | (bytes[offset + 3] as number));
}

interface Inflater {
  push(chunk: Uint8Array, final?: boolean): void;
}

async function pump(
  file: string,
  what: string,
  input: Uint8Array,
  baseOffset: number,
  inflater: Inflater,
  control: TaskControl,
): Promise<void> {
  for (let offset = 0; offset < input.length || offset === 0; offset += SLICE_BYTES) {
    const end = Math.min(input.length, offset + SLICE_BYTES);
    // Pushed in small pieces: one piece inflates to at most ~1032 times its size, so the
    // unpacked limit (checked as output comes) is passed by at most PUSH_BYTES * 1032.
    for (let at = offset; at < end || at === offset; at += PUSH_BYTES) {
      const pieceEnd = Math.min(end, at + PUSH_BYTES);
      try {
        inflater.push(input.subarray(at, pieceEnd), pieceEnd === input.length);
      } catch (error) {
        if (error instanceof DatasetImportError) throw error; // a limit, not corruption
        const reason = error instanceof Error ? error.message : String(error);
        throw new DatasetImportError(file, `corrupt or truncated ${what} (${reason}) at or after this offset`, baseOffset + at);
      }
      if (pieceEnd === end) break;
    }
    if (end === input.length) break;
    await checkpoint(control, { phase: 'decompressing', file, done: end, total: input.length });
  }
  control.onProgress?.({ phase: 'decompressing', file, done: input.length, total: input.length });
}

/** Inflates a whole .gz file (all members). */
export async function gunzipFile(
  file: string,
  bytes: Uint8Array,
  control: TaskControl = {},
  maxBytes = DATASET_MAX_UNPACKED_BYTES,
): Promise<Uint8Array<ArrayBuffer>> {
  if (!isGzip(bytes)) {
    const found = Array.from(bytes.subarray(0, 2), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new DatasetImportError(file, `not gzip data: expected bytes 1f 8b, found ${found || 'an empty file'}`, 0);
  }
  // Trailer of the last member: CRC-32 and ISIZE (uncompressed size mod 2^32).
  const n = bytes.length;
  const trailerCrc = n >= 18 ? uint32LE(bytes, n - 8) : -1;
  const isize = n >= 18 ? uint32LE(bytes, n - 4) : 0;
  const output = new Output(() => isize, maxInflatedSize(n), { file, bytes: maxBytes });
  const crc = new Crc32();
  let ended = false;
  let extraMembers = 0;
  const gunzip = new Gunzip((chunk, final) => {
    output.push(chunk);
    crc.update(chunk);
    if (final) ended = true;
  });
  gunzip.onmember = () => {
    extraMembers++;
  };
  await pump(file, 'gzip data', bytes, 0, gunzip, control);
  if (!ended) throw new DatasetImportError(file, 'truncated gzip data: the stream ended early', n);
  // Multi-member files (rare) carry one CRC per member; only the single-member case is checked.
  if (extraMembers === 0 && (crc.value() !== trailerCrc || output.written % 0x100000000 !== isize)) {
    throw new DatasetImportError(file, 'corrupt or truncated gzip data: CRC-32 or size does not match the gzip trailer', Math.max(0, n - 8));
  }
  return output.result();
}

/**
 * Inflates one zlib stream (a MAT miCOMPRESSED element). `sizeFromHead` may name the
 * final size once it has seen enough leading bytes.
 */
export async function inflateZlib(
  file: string,
  compressed: Uint8Array,
  baseOffset: number,
  sizeFromHead: (head: Uint8Array) => number | undefined,
  control: TaskControl = {},
  maxBytes = DATASET_MAX_UNPACKED_BYTES,
): Promise<Uint8Array<ArrayBuffer>> {
  const output = new Output(sizeFromHead, maxInflatedSize(compressed.length), { file, bytes: maxBytes });
  const adler = new Adler32();
  let ended = false;
  const unzlib = new Unzlib((chunk, final) => {
    output.push(chunk);
    adler.update(chunk);
    if (final) ended = true;
  });
  await pump(file, 'zlib data', compressed, baseOffset, unzlib, control);
  const end = baseOffset + compressed.length;
  if (!ended) throw new DatasetImportError(file, 'truncated zlib data: the compressed element ended early', end);
  if (compressed.length < 6 || adler.value() !== uint32BE(compressed, compressed.length - 4)) {
    throw new DatasetImportError(file, 'corrupt zlib data: Adler-32 does not match the zlib trailer', Math.max(baseOffset, end - 4));
  }
  return output.result();
}
