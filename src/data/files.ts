/** The files a person hands to an importer, and the name rules shared by every format. */
import { arrayBufferView } from './bytes';
import { checkpoint, type TaskControl } from './progress';

export interface ImportFileInput {
  /** File name, e.g. `data_batch_1.bin`. */
  name: string;
  /**
   * Path inside the chosen folder or archive (`webkitRelativePath`), e.g. `pets/cat/1.png`;
   * the name when there is none. A path ending in `/` marks a (possibly empty) directory.
   */
  path: string;
  /** The contents, when already in memory. */
  bytes?: Uint8Array | ArrayBuffer;
  /** The contents, read lazily (a `File` from a picker or a drop). */
  file?: Blob;
}

export function isDirectoryMarker(input: ImportFileInput): boolean {
  return input.path.endsWith('/');
}

/** Last path segment, lower-cased. */
export function baseName(path: string): string {
  const trimmed = path.endsWith('/') ? path.slice(0, -1) : path;
  return (trimmed.slice(trimmed.lastIndexOf('/') + 1) || trimmed).toLowerCase();
}

/** Files an OS or archiver adds on its own; skipped silently. */
export function isJunkPath(path: string): boolean {
  const segments = path.split('/');
  if (segments.some((segment) => segment === '__MACOSX')) return true;
  const name = baseName(path);
  return name === '.ds_store' || name === 'thumbs.db' || name === 'desktop.ini' || name.startsWith('._');
}

/** The whole file in memory, read from `bytes` or `file`. */
export async function readAllBytes(input: ImportFileInput, control: TaskControl = {}): Promise<Uint8Array> {
  if (input.bytes !== undefined) {
    return input.bytes instanceof Uint8Array ? input.bytes : new Uint8Array(input.bytes);
  }
  if (input.file === undefined) throw new TypeError(`${input.path}: neither bytes nor file was given`);
  await checkpoint(control, { phase: 'reading', file: input.path, done: 0, total: input.file.size });
  const bytes = new Uint8Array(await input.file.arrayBuffer());
  control.onProgress?.({ phase: 'reading', file: input.path, done: bytes.length, total: bytes.length });
  return bytes;
}

/** The first `length` bytes (for sniffing a format without reading a big file). */
export async function readHead(input: ImportFileInput, length: number): Promise<Uint8Array> {
  if (input.bytes !== undefined) {
    const bytes = input.bytes instanceof Uint8Array ? input.bytes : new Uint8Array(input.bytes);
    return bytes.subarray(0, length);
  }
  if (input.file === undefined) throw new TypeError(`${input.path}: neither bytes nor file was given`);
  return new Uint8Array(await input.file.slice(0, length).arrayBuffer());
}

/** A Blob for decoders that want one (createImageBitmap). */
export function asBlob(input: ImportFileInput): Blob {
  if (input.file !== undefined) return input.file;
  if (input.bytes === undefined) throw new TypeError(`${input.path}: neither bytes nor file was given`);
  const bytes = input.bytes instanceof Uint8Array ? input.bytes : new Uint8Array(input.bytes);
  return new Blob([arrayBufferView(bytes)]);
}

/** "a, b, c and 4 more": file lists in messages and in DatasetMeta.source. */
export function listNames(names: readonly string[], max = 6): string {
  if (names.length <= max) return names.join(', ');
  return `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}
