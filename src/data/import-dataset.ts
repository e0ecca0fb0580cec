/**
 * One entry point for files a person drops or picks: open archives, detect the format
 * from names (and leading bytes where names say nothing), and hand over to its importer.
 */
import { expandArchives } from './archives';
import { cifarFileRole, cifarRecordBytes, importCifar } from './cifar';
import type { AssembleOptions } from './dataset-meta';
import { DatasetImportError } from './errors';
import { baseName, isDirectoryMarker, isJunkPath, listNames, readHead, type ImportFileInput } from './files';
import { IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, importIdx, looksLikeIdxName } from './idx';
import { IMAGE_EXTENSIONS, importImageFolder, type ImageDecoder } from './image-folder';
import { checkLimit, DATASET_FILE_MAX_BYTES } from './limits';
import type { TaskControl } from './progress';
import { importSvhn } from './svhn';
import type { ImageDataset } from './types';

export type DatasetFormat = 'idx' | 'cifar-10' | 'cifar-100' | 'svhn' | 'image-folder';

export const DATASET_FORMATS: readonly DatasetFormat[] = ['idx', 'cifar-10', 'cifar-100', 'svhn', 'image-folder'];

export interface ImportOptions extends AssembleOptions, TaskControl {
  /** Skip detection. */
  format?: DatasetFormat | 'auto' | undefined;
  /** IDX only: names for labels 0..K-1. */
  classNames?: readonly string[] | undefined;
  /** Image folders only: the pixel decoder (the import worker passes the canvas decoder). */
  decodeImage?: ImageDecoder | undefined;
  /** Image folders only: output side in pixels (default 32). */
  side?: number | undefined;
  /** Image folders only: 1 grayscale or 3 RGB (default 3). */
  channels?: 1 | 3 | undefined;
  /** Image folders only: 'stretch' (default) or 'crop' to the central square. */
  fit?: 'stretch' | 'crop' | undefined;
  concurrency?: number | undefined;
}

/** Files that come with datasets and say nothing about the format (readme.html in CIFAR's archive). */
function isNeutral(path: string): boolean {
  const name = baseName(path);
  return /\.(txt|html?|md)$/.test(name) || name.startsWith('readme') || name.startsWith('license');
}

/** The format one file points to, if any. */
async function vote(input: ImportFileInput): Promise<DatasetFormat | undefined> {
  const name = baseName(input.path);
  const cifar = cifarFileRole(input.path);
  if (cifar !== undefined) return cifar.variant;
  if (name === 'coarse_label_names.txt') return 'cifar-100';
  if (name.endsWith('.mat')) return 'svhn';
  if (looksLikeIdxName(input.path)) return 'idx';
  const extension = name.includes('.') ? name.slice(name.lastIndexOf('.') + 1) : '';
  if (IMAGE_EXTENSIONS[extension] !== undefined) return 'image-folder';
  if (!isNeutral(input.path)) {
    // Names say nothing: the leading bytes (4, even of a big File) may.
    const head = await readHead(input, 4);
    const magic = head.length === 4 ? ((head[0] as number) << 24) | ((head[1] as number) << 16) | ((head[2] as number) << 8) | (head[3] as number) : -1;
    if (magic === IDX_IMAGES_MAGIC || magic === IDX_LABELS_MAGIC) return 'idx';
    if (extension === 'bin') {
      const size = input.file?.size ?? (input.bytes === undefined ? 0 : input.bytes.byteLength);
      const ten = size > 0 && size % cifarRecordBytes('cifar-10') === 0;
      const hundred = size > 0 && size % cifarRecordBytes('cifar-100') === 0;
      if (ten !== hundred) return ten ? 'cifar-10' : 'cifar-100';
    }
  }
  return undefined;
}

/** Which importer the files need; throws naming the files when none or several fit. */
export async function detectFormat(files: readonly ImportFileInput[]): Promise<DatasetFormat> {
  const votes = new Map<DatasetFormat, string[]>();
  const unknown: string[] = [];
  for (const input of files) {
    if (isDirectoryMarker(input) || isJunkPath(input.path)) continue;
    const format = await vote(input);
    if (format !== undefined) votes.set(format, [...(votes.get(format) ?? []), input.path]);
    else if (!isNeutral(input.path)) unknown.push(input.path);
  }
  if (votes.size === 1) return [...votes.keys()][0] as DatasetFormat;
  if (votes.size === 0) {
    throw new DatasetImportError(
      listNames(unknown.length > 0 ? unknown : files.map((f) => f.path)) || 'no files',
      'no supported dataset files: expected IDX (*-idx3-ubyte, *-idx1-ubyte), CIFAR-10/100 binary (.bin), SVHN format 2 (.mat), or class folders of PNG/JPEG/WebP images, optionally in .tar.gz, .tgz, .tar, .zip or .gz archives',
    );
  }
  const summary = [...votes].map(([format, paths]) => `${format}: ${listNames(paths, 3)}`).join('; ');
  throw new DatasetImportError(summary, 'files of several formats; import one dataset at a time or choose the format');
}

export async function importDatasetFromFiles(files: readonly ImportFileInput[], options: ImportOptions = {}): Promise<ImageDataset> {
  const control: TaskControl = { signal: options.signal, onProgress: options.onProgress };
  control.signal?.throwIfAborted();
  // Every file's size before any is read (a File's size is known without reading it).
  for (const input of files) {
    const size = input.file?.size ?? input.bytes?.byteLength ?? 0;
    checkLimit(input.path, 'the file', size, DATASET_FILE_MAX_BYTES, 'bytes');
  }
  const expanded = await expandArchives(files, control);
  const format = options.format === undefined || options.format === 'auto' ? await detectFormat(expanded) : options.format;
  const content = expanded.filter((input) => !isDirectoryMarker(input) && !isJunkPath(input.path));
  switch (format) {
    case 'idx':
      return importIdx(content.filter((input) => !isNeutral(input.path)), options, control);
    case 'cifar-10':
    case 'cifar-100':
      return importCifar(content, format, options, control);
    case 'svhn':
      return importSvhn(content.filter((input) => !isNeutral(input.path)), options, control);
    case 'image-folder': {
      const { decodeImage } = options;
      if (decodeImage === undefined) throw new TypeError('image-folder imports need options.decodeImage (the import worker supplies one)');
      return importImageFolder(expanded, { ...options, decodeImage }, control);
    }
    default:
      throw new TypeError(`unknown dataset format "${String(format)}"; expected one of ${DATASET_FORMATS.join(', ')}`);
  }
}
