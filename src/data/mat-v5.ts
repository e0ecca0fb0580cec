/**
 * The subset of MATLAB's Level 5 MAT-file format that SVHN format 2 needs: numeric,
 * non-complex, non-sparse arrays, stored plain or in miCOMPRESSED (zlib) elements.
 * Format reference: MathWorks, "MAT-File Format" (matfile_format.pdf), chapter 1.
 * Other variables (cells, structs, chars...) are listed as skipped, not read.
 */
import { inflateZlib } from './compression';
import { DatasetImportError } from './errors';
import { DATASET_MAX_UNPACKED_BYTES } from './limits';
import { checkpoint, type TaskControl } from './progress';

// Data types, MAT-File Format Table 1-1.
const MI = { INT8: 1, UINT8: 2, INT16: 3, UINT16: 4, INT32: 5, UINT32: 6, SINGLE: 7, DOUBLE: 9, INT64: 12, UINT64: 13, MATRIX: 14, COMPRESSED: 15 } as const;
const MI_SIZES: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 2, 5: 4, 6: 4, 7: 4, 9: 8, 12: 8, 13: 8 };

// Array classes, MAT-File Format Table 1-3.
const MX_CLASS_NAMES: Record<number, string> = {
  1: 'cell', 2: 'struct', 3: 'object', 4: 'char', 5: 'sparse', 6: 'double', 7: 'single',
  8: 'int8', 9: 'uint8', 10: 'int16', 11: 'uint16', 12: 'int32', 13: 'uint32', 14: 'int64', 15: 'uint64',
};
const NUMERIC_CLASSES = new Set([6, 7, 8, 9, 10, 11, 12, 13]);
const COMPLEX_FLAG = 0x0800;

export type MatNumericData = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array;

export interface MatVariable {
  name: string;
  /** MATLAB class: 'double', 'uint8', ... */
  matlabClass: string;
  /** Sizes in MATLAB order; the data is column-major (first index fastest). */
  dims: number[];
  /** Values in their storage type, which may be narrower than the class (MATLAB stores small doubles as uint8). */
  data: MatNumericData;
}

export interface MatFile {
  /** The 116-byte descriptive text, trimmed. */
  description: string;
  variables: Map<string, MatVariable>;
  /** Variables present but not read, with why. */
  skipped: { name: string; reason: string }[];
}

interface Tag {
  type: number;
  /** Bytes of data, not counting the tag or padding. */
  size: number;
  dataStart: number;
  /** Where the next element starts (8-byte aligned, or 4 for small elements). */
  next: number;
}

class Reader {
  readonly view: DataView;
  constructor(
    readonly file: string,
    readonly bytes: Uint8Array,
    readonly littleEndian: boolean,
    /** Offset of `bytes` in the file (decompressed elements report their container's offset). */
    readonly where: (offset: number) => string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  fail(offset: number, problem: string): never {
    throw new DatasetImportError(this.file, `${problem} ${this.where(offset)}`);
  }

  need(offset: number, length: number, what: string): void {
    if (offset + length > this.bytes.length) this.fail(offset, `truncated: ${what} needs ${length} bytes, only ${Math.max(0, this.bytes.length - offset)} left`);
  }

  uint32(offset: number): number {
    return this.view.getUint32(offset, this.littleEndian);
  }

  tag(offset: number, padded: boolean): Tag {
    this.need(offset, 8, 'a data element tag');
    const first = this.uint32(offset);
    // Small data element: size in the upper 16 bits, up to 4 data bytes in the tag itself.
    const small = first >>> 16;
    if (small !== 0) {
      const type = first & 0xffff;
      if (small > 4) this.fail(offset, `small data element claims ${small} bytes (at most 4)`);
      return { type, size: small, dataStart: offset + 4, next: offset + 8 };
    }
    const size = this.uint32(offset + 4);
    const dataStart = offset + 8;
    this.need(dataStart, size, `a data element of type ${first}`);
    return { type: first, size, dataStart, next: dataStart + (padded ? Math.ceil(size / 8) * 8 : size) };
  }
}

function readNumeric(reader: Reader, tag: Tag, offset: number): MatNumericData {
  const elementSize = MI_SIZES[tag.type];
  if (elementSize === undefined || tag.type === MI.INT64 || tag.type === MI.UINT64) {
    reader.fail(offset, `numeric data of storage type ${tag.type} is not supported`);
  }
  if (tag.size % elementSize !== 0) reader.fail(offset, `${tag.size} data bytes is not a whole number of ${elementSize}-byte values`);
  const count = tag.size / elementSize;
  const { view, littleEndian, bytes } = reader;
  const at = tag.dataStart;
  switch (tag.type) {
    case MI.UINT8:
      return bytes.subarray(at, at + count);
    case MI.INT8:
      return new Int8Array(bytes.buffer, bytes.byteOffset + at, count);
    default: {
      // Multi-byte values: DataView copies handle alignment and byte order.
      const make = {
        [MI.INT16]: () => Int16Array.from({ length: count }, (_, i) => view.getInt16(at + 2 * i, littleEndian)),
        [MI.UINT16]: () => Uint16Array.from({ length: count }, (_, i) => view.getUint16(at + 2 * i, littleEndian)),
        [MI.INT32]: () => Int32Array.from({ length: count }, (_, i) => view.getInt32(at + 4 * i, littleEndian)),
        [MI.UINT32]: () => Uint32Array.from({ length: count }, (_, i) => view.getUint32(at + 4 * i, littleEndian)),
        [MI.SINGLE]: () => Float32Array.from({ length: count }, (_, i) => view.getFloat32(at + 4 * i, littleEndian)),
        [MI.DOUBLE]: () => Float64Array.from({ length: count }, (_, i) => view.getFloat64(at + 8 * i, littleEndian)),
      } as Record<number, () => MatNumericData>;
      return (make[tag.type] as () => MatNumericData)();
    }
  }
}

/** Reads one miMATRIX element's contents (array flags, dimensions, name, real part). */
function readMatrix(reader: Reader, matrix: Tag): MatVariable | { name: string; reason: string } {
  const end = matrix.dataStart + matrix.size;
  const flagsTag = reader.tag(matrix.dataStart, true);
  if (flagsTag.type !== MI.UINT32 || flagsTag.size !== 8) reader.fail(matrix.dataStart, 'array flags are not a miUINT32 pair');
  const flags = reader.uint32(flagsTag.dataStart);
  const mxClass = flags & 0xff;
  const dimsTag = reader.tag(flagsTag.next, true);
  if (dimsTag.type !== MI.INT32 || dimsTag.size % 4 !== 0 || dimsTag.size < 8) reader.fail(flagsTag.next, 'array dimensions are not at least two miINT32 values');
  const dims: number[] = [];
  for (let i = 0; i < dimsTag.size / 4; i++) dims.push(reader.view.getInt32(dimsTag.dataStart + 4 * i, reader.littleEndian));
  if (dims.some((d) => d < 0)) reader.fail(dimsTag.dataStart, `negative array dimension in [${dims.join(', ')}]`);
  const nameTag = reader.tag(dimsTag.next, true);
  if (nameTag.type !== MI.INT8) reader.fail(dimsTag.next, 'array name is not miINT8 text');
  const name = new TextDecoder().decode(reader.bytes.subarray(nameTag.dataStart, nameTag.dataStart + nameTag.size));
  const className = MX_CLASS_NAMES[mxClass] ?? `unknown class ${mxClass}`;
  if (!NUMERIC_CLASSES.has(mxClass)) return { name, reason: `${className} arrays are not supported` };
  if ((flags & COMPLEX_FLAG) !== 0) return { name, reason: 'complex arrays are not supported' };
  if (nameTag.next >= end) reader.fail(nameTag.next, `array "${name}" has no data`);
  const realTag = reader.tag(nameTag.next, true);
  if (realTag.dataStart + realTag.size > end) reader.fail(nameTag.next, `array "${name}" data runs past its element`);
  const data = readNumeric(reader, realTag, nameTag.next);
  const expected = dims.reduce((product, d) => product * d, 1);
  if (data.length !== expected) {
    reader.fail(nameTag.next, `array "${name}" has ${data.length} values but its dimensions [${dims.join('×')}] need ${expected}`);
  }
  return { name, matlabClass: className, dims, data };
}

/**
 * Parses a MATLAB Level 5 MAT-file held in memory. Every variable is kept, so all of the
 * file's miCOMPRESSED elements share one unpacked budget (DATASET_MAX_UNPACKED_BYTES, less
 * `unpacked.bytes` already spent by the import), checked as each inflates; `unpacked` counts on.
 */
export async function readMatV5(
  file: string,
  bytes: Uint8Array,
  control: TaskControl = {},
  unpacked: { bytes: number } = { bytes: 0 },
): Promise<MatFile> {
  const atOffset = (offset: number) => `(byte offset ${offset})`;
  if (bytes.length < 128) throw new DatasetImportError(file, `not a MAT-file: ${bytes.length} bytes is shorter than the 128-byte header`, 0);
  const description = new TextDecoder('latin1').decode(bytes.subarray(0, 116)).replace(/[\0 ]+$/, '');
  if (description.startsWith('MATLAB 7.3')) {
    throw new DatasetImportError(file, 'MAT-file version 7.3 (HDF5) is not supported; save it with -v7 (SVHN format 2 files are version 5)', 0);
  }
  if (!description.startsWith('MATLAB 5.0 MAT-file')) {
    throw new DatasetImportError(file, `not a MATLAB 5.0 MAT-file: the header text starts "${description.slice(0, 20).replace(/[^\x20-\x7e]/g, '?')}"`, 0);
  }
  const endian = String.fromCharCode(bytes[126] as number, bytes[127] as number);
  if (endian !== 'IM' && endian !== 'MI') throw new DatasetImportError(file, `endian indicator "${endian}" is neither "IM" nor "MI"`, 126);
  const littleEndian = endian === 'IM';
  const reader = new Reader(file, bytes, littleEndian, atOffset);

  const variables = new Map<string, MatVariable>();
  const skipped: { name: string; reason: string }[] = [];
  const keep = (result: MatVariable | { name: string; reason: string }) => {
    if ('reason' in result) skipped.push(result);
    else variables.set(result.name, result);
  };

  let offset = 128;
  while (offset < bytes.length) {
    await checkpoint(control, { phase: 'parsing', file, done: offset, total: bytes.length });
    // Top-level elements are not padded after miCOMPRESSED data; `padded` only matters for plain ones.
    const tag = reader.tag(offset, true);
    if (tag.type === MI.MATRIX) {
      if (tag.size > 0) keep(readMatrix(reader, tag));
    } else if (tag.type === MI.COMPRESSED) {
      const elementOffset = offset;
      const inflated = await inflateZlib(
        file,
        bytes.subarray(tag.dataStart, tag.dataStart + tag.size),
        tag.dataStart,
        // The inner tag says how big the element is: allocate once (SVHN train X is 225 MB).
        (head) => (head.length >= 8 ? 8 + new DataView(head.buffer, head.byteOffset, 8).getUint32(4, littleEndian) : undefined),
        control,
        DATASET_MAX_UNPACKED_BYTES - unpacked.bytes,
      );
      unpacked.bytes += inflated.length;
      const inner = new Reader(file, inflated, littleEndian, (o) => `(byte ${o} inside the compressed element at byte offset ${elementOffset})`);
      const innerTag = inner.tag(0, true);
      if (innerTag.type !== MI.MATRIX) inner.fail(0, `compressed element holds data type ${innerTag.type}, expected a matrix (14)`);
      if (innerTag.size > 0) keep(readMatrix(inner, innerTag));
      offset = tag.dataStart + tag.size;
      continue;
    } else {
      reader.fail(offset, `top-level data element of type ${tag.type}; expected a matrix (14) or compressed element (15)`);
    }
    offset = tag.next;
  }
  return { description, variables, skipped };
}
