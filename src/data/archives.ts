/**
 * Archives as distributed (cifar-10-binary.tar.gz, *-ubyte.gz, a .zip of class folders)
 * become plain in-memory files before format detection. nanotar parses tar names (pax and
 * GNU long names); fflate does gzip and zip. A walk of our own checks tar headers and
 * bounds first, since nanotar trusts its input.
 */
import { parseTar } from 'nanotar';
import { unzipSync } from 'fflate';
import { DatasetImportError } from './errors';
import { gunzipFile } from './compression';
import { baseName, isDirectoryMarker, readAllBytes, type ImportFileInput } from './files';
import { ARCHIVE_MAX_ENTRIES, ARCHIVE_MAX_NAME_CHARS, ARCHIVE_MAX_NESTING, checkLimit, DATASET_MAX_UNPACKED_BYTES, shortPath } from './limits';
import type { TaskControl } from './progress';

/** What the archives of one import have unpacked so far (DATASET_MAX_UNPACKED_BYTES bounds it). */
interface Unpacked {
  bytes: number;
}

type ArchiveKind = 'tar.gz' | 'tar' | 'zip' | 'gz';

export function archiveKind(path: string): ArchiveKind | undefined {
  const name = baseName(path);
  if (name.endsWith('.tar.gz') || name.endsWith('.tgz')) return 'tar.gz';
  if (name.endsWith('.tar')) return 'tar';
  if (name.endsWith('.zip')) return 'zip';
  if (name.endsWith('.gz')) return 'gz';
  return undefined;
}

function directoryOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash + 1);
}

function entry(path: string, bytes: Uint8Array): ImportFileInput {
  const trimmed = path.replace(/\/$/, '');
  return { name: trimmed.slice(trimmed.lastIndexOf('/') + 1), path, bytes };
}

/**
 * Replaces every archive by its entries (paths kept relative to the archive's folder).
 * Entry counts, names and unpacked sizes are checked against limits.ts before the work.
 */
export async function expandArchives(
  inputs: readonly ImportFileInput[],
  control: TaskControl = {},
  depth = 0,
  unpacked: Unpacked = { bytes: 0 },
): Promise<ImportFileInput[]> {
  const out: ImportFileInput[] = [];
  for (const input of inputs) {
    const kind = isDirectoryMarker(input) ? undefined : archiveKind(input.path);
    if (kind === undefined) {
      out.push(input);
      continue;
    }
    if (depth >= ARCHIVE_MAX_NESTING) throw new DatasetImportError(input.path, `archives nested more than ${ARCHIVE_MAX_NESTING} deep are not opened`);
    const bytes = await readAllBytes(input, control);
    const folder = directoryOf(input.path);
    let entries: ImportFileInput[];
    const gunzip = async () => {
      const data = await gunzipFile(input.path, bytes, control, DATASET_MAX_UNPACKED_BYTES - unpacked.bytes);
      unpacked.bytes += data.length;
      return data;
    };
    switch (kind) {
      case 'gz': {
        const inner = input.path.slice(0, -'.gz'.length);
        entries = [entry(inner, await gunzip())];
        break;
      }
      case 'tar.gz':
        entries = readTar(input.path, await gunzip(), folder);
        break;
      case 'tar':
        entries = readTar(input.path, bytes, folder);
        break;
      case 'zip':
        entries = readZip(input.path, bytes, folder, unpacked);
        break;
    }
    out.push(...(await expandArchives(entries, control, depth + 1, unpacked)));
  }
  return out;
}

function octal(bytes: Uint8Array, offset: number, length: number): number {
  let value = 0;
  let seen = false;
  for (let i = offset; i < offset + length; i++) {
    const c = bytes[i] as number;
    if (c >= 0x30 && c <= 0x37) {
      value = value * 8 + (c - 0x30);
      seen = true;
    } else if (seen || (c !== 0x20 && c !== 0)) {
      break;
    }
  }
  return value;
}

function isZeroBlock(bytes: Uint8Array, offset: number): boolean {
  for (let i = offset; i < offset + 512; i++) if (bytes[i] !== 0) return false;
  return true;
}

/** POSIX tar: header checksums and entry bounds. */
function checkTar(file: string, bytes: Uint8Array): void {
  if (bytes.length < 512) throw new DatasetImportError(file, `not a tar archive: ${bytes.length} bytes is less than one 512-byte header`, 0);
  let offset = 0;
  let count = 0;
  while (offset + 512 <= bytes.length) {
    // Every header counts (pax and long-name headers too): nanotar makes an object of each.
    checkLimit(file, 'its number of entries', ++count, ARCHIVE_MAX_ENTRIES * 2, 'headers');
    if (isZeroBlock(bytes, offset)) {
      if (offset === 0) throw new DatasetImportError(file, 'empty tar archive', 0);
      return;
    }
    let sum = 0;
    for (let i = offset; i < offset + 512; i++) sum += i >= offset + 148 && i < offset + 156 ? 0x20 : (bytes[i] as number);
    if (sum !== octal(bytes, offset + 148, 8)) {
      throw new DatasetImportError(file, offset === 0 ? 'not a tar archive: the first header checksum does not match' : 'corrupt tar header: checksum does not match', offset);
    }
    const size = octal(bytes, offset + 124, 12);
    const end = offset + 512 + Math.ceil(size / 512) * 512;
    if (offset + 512 + size > bytes.length) {
      throw new DatasetImportError(file, `truncated tar archive: an entry of ${size} bytes runs past the end of the file`, offset);
    }
    offset = end;
  }
  if (offset < bytes.length) throw new DatasetImportError(file, `truncated tar archive: ${bytes.length - offset} bytes of a 512-byte header`, offset);
  // No end-of-archive block: some writers (nanotar) omit it when the last record is full.
  // A cut exactly at an entry boundary goes unnoticed here; the importer then misses files.
}

function readTar(file: string, bytes: Uint8Array, folder: string): ImportFileInput[] {
  checkTar(file, bytes);
  // nanotar reads `data.buffer` from offset 0: hand it a view that covers its whole buffer.
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
  const entries: ImportFileInput[] = [];
  const items = parseTar(whole);
  checkLimit(file, 'its number of entries', items.length, ARCHIVE_MAX_ENTRIES, 'entries');
  for (const item of items) {
    checkLimit(file, `the name of entry ${shortPath(item.name)}`, item.name.length, ARCHIVE_MAX_NAME_CHARS, 'characters');
    if (item.type === 'directory') entries.push(entry(folder + item.name.replace(/\/?$/, '/'), new Uint8Array(0)));
    else if (item.type === 'file' || item.type === 'contiguousFile') entries.push(entry(folder + item.name, item.data ?? new Uint8Array(0)));
    // Links, devices and metadata entries carry no image data.
  }
  return entries;
}

/**
 * The zip's entries. What fflate will make of each directory record is checked before it
 * does: a stored entry is copied at its compressed size and a deflated one inflated into a
 * buffer of its declared size, so the larger of the two counts against the unpacked budget.
 * fflate does not say where an entry's data sits, so records that point at the same data
 * (one stored megabyte copied 200 times) show as compressed sizes adding up past the file.
 */
function readZip(file: string, bytes: Uint8Array, folder: string, unpacked: Unpacked): ImportFileInput[] {
  const isZip = bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && (bytes[2] === 3 || bytes[2] === 5);
  if (!isZip) throw new DatasetImportError(file, 'not a zip archive: expected "PK" signature', 0);
  let files: Record<string, Uint8Array>;
  let count = 0;
  let compressed = 0;
  try {
    files = unzipSync(bytes, {
      filter: (item) => {
        checkLimit(file, 'its number of entries', ++count, ARCHIVE_MAX_ENTRIES, 'entries');
        checkLimit(file, `the name of entry ${shortPath(item.name)}`, item.name.length, ARCHIVE_MAX_NAME_CHARS, 'characters');
        unpacked.bytes += Math.max(item.size, item.originalSize);
        checkLimit(file, 'what its entries unpack to, with the archives before it', unpacked.bytes, DATASET_MAX_UNPACKED_BYTES, 'bytes');
        if (item.compression === 0 && item.size !== item.originalSize) {
          throw new DatasetImportError(
            file,
            `entry ${shortPath(item.name)} is stored uncompressed as ${bytesText(item.size)} but declares ${bytesText(item.originalSize)} unpacked; a stored entry's two sizes must be equal`,
          );
        }
        compressed += item.size;
        if (compressed > bytes.length) {
          throw new DatasetImportError(
            file,
            `entry ${shortPath(item.name)} shares its data with another entry: the entries' compressed sizes add up to ${bytesText(compressed)} in a ${bytes.length.toLocaleString('en-US')}-byte file`,
          );
        }
        return true;
      },
    });
  } catch (error) {
    if (error instanceof DatasetImportError) throw error;
    throw new DatasetImportError(file, `corrupt zip archive (${error instanceof Error ? error.message : String(error)})`);
  }
  return Object.entries(files).map(([path, data]) => entry(folder + path, data));
}

function bytesText(n: number): string {
  return `${n.toLocaleString('en-US')} byte${n === 1 ? '' : 's'}`;
}
