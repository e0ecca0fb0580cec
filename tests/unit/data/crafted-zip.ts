/**
 * A zip written byte by byte from PKWARE's APPNOTE (local headers, central directory, end
 * record), so tests can build what no zip writer makes: directory records that point at the
 * same data, or declare sizes the data does not have. CRCs are left 0 (fflate does not check them).
 */
import { strToU8 } from 'fflate';

export interface LocalEntry {
  readonly name: string;
  /** The entry's data as stored in the zip (already deflated when `method` is 8). */
  readonly data: Uint8Array;
  /** 0 = stored, 8 = deflate. */
  readonly method?: 0 | 8;
  /** Declared unpacked size (default: the data's length). */
  readonly originalSize?: number;
}

export interface DirectoryRecord {
  readonly name: string;
  /** Index of the local entry whose header and data this record points at. */
  readonly entry: number;
  /** Declared sizes; by default the local entry's. */
  readonly size?: number;
  readonly originalSize?: number;
}

export function craftZip(entries: readonly LocalEntry[], records?: readonly DirectoryRecord[]): Uint8Array {
  const chunks: Uint8Array[] = [];
  let offset = 0;
  const push = (chunk: Uint8Array) => {
    chunks.push(chunk);
    offset += chunk.length;
  };
  const offsets: number[] = [];
  for (const e of entries) {
    offsets.push(offset);
    const name = strToU8(e.name);
    const header = new DataView(new ArrayBuffer(30));
    header.setUint32(0, 0x04034b50, true);
    header.setUint16(4, 20, true);
    header.setUint16(8, e.method ?? 0, true);
    header.setUint32(18, e.data.length, true);
    header.setUint32(22, e.originalSize ?? e.data.length, true);
    header.setUint16(26, name.length, true);
    push(new Uint8Array(header.buffer));
    push(name);
    push(e.data);
  }
  const directoryStart = offset;
  const all: readonly DirectoryRecord[] = records ?? entries.map((e, i) => ({ name: e.name, entry: i }));
  for (const r of all) {
    const e = entries[r.entry]!;
    const name = strToU8(r.name);
    const header = new DataView(new ArrayBuffer(46));
    header.setUint32(0, 0x02014b50, true);
    header.setUint16(4, 20, true);
    header.setUint16(6, 20, true);
    header.setUint16(10, e.method ?? 0, true);
    header.setUint32(20, r.size ?? e.data.length, true);
    header.setUint32(24, r.originalSize ?? e.originalSize ?? e.data.length, true);
    header.setUint16(28, name.length, true);
    header.setUint32(42, offsets[r.entry]!, true);
    push(new Uint8Array(header.buffer));
    push(name);
  }
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, 0x06054b50, true);
  end.setUint16(8, all.length, true);
  end.setUint16(10, all.length, true);
  end.setUint32(12, offset - directoryStart, true);
  end.setUint32(16, directoryStart, true);
  push(new Uint8Array(end.buffer));
  const out = new Uint8Array(offset);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}
