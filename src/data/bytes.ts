/** Bounds-checked reads and hashing, each failure naming the file and the byte offset. */
import { DatasetImportError } from './errors';

/** Throws unless `bytes[offset, offset + length)` exists; `what` says what was being read. */
export function requireBytes(file: string, bytes: Uint8Array, offset: number, length: number, what: string): void {
  if (offset + length > bytes.length) {
    throw new DatasetImportError(
      file,
      `truncated: ${what} needs ${length} bytes but the file has only ${Math.max(0, bytes.length - offset)} left`,
      offset,
    );
  }
}

export function readUint32BE(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset] as number) * 0x1000000 + (((bytes[offset + 1] as number) << 16) | ((bytes[offset + 2] as number) << 8) | (bytes[offset + 3] as number)));
}

export function hex32(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}

/** SHA-256 as lowercase hex (WebCrypto: page, worker and Node alike). */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', arrayBufferView(bytes)));
  let out = '';
  for (const byte of digest) out += byte.toString(16).padStart(2, '0');
  return out;
}

/** The same bytes as an ArrayBuffer-backed view (WebCrypto and Blob refuse shared memory); copies only a shared one. */
export function arrayBufferView(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes);
}

export async function sha256HexOfText(text: string): Promise<string> {
  return sha256Hex(new TextEncoder().encode(text));
}

/** One fresh buffer holding the parts in order. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
