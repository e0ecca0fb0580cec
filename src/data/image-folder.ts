/**
 * A folder of images, one subfolder per class (`pets/cat/1.png`), or split ahead of time
 * (`pets/train/cat/1.png`, `pets/test/cat/7.png`). This file is the pure part: grouping,
 * validation, and filling the dataset. Decoding pixels needs a browser (createImageBitmap),
 * so the decoder is injected: canvas-image-decoder.ts in a worker, a PNG decoder in tests.
 */
import type { InputShape } from '../core/types';
import { assembleDataset, type AssembleOptions } from './dataset-meta';
import { DatasetImportError } from './errors';
import { asBlob, isDirectoryMarker, isJunkPath, listNames, readHead, type ImportFileInput } from './files';
import { checkpoint, type TaskControl } from './progress';
import { IMAGE_HEADER_BYTES, readImageSize } from './image-size';
import { checkLimit, IMAGE_FOLDER_MAX_FILES, IMAGE_MAX_PIXELS, IMAGE_MAX_SIDE } from './limits';
import type { ImageDataset, ImageSet } from './types';

export type ImageType = 'png' | 'jpeg' | 'webp';

export const IMAGE_EXTENSIONS: Readonly<Record<string, ImageType>> = { png: 'png', jpg: 'jpeg', jpeg: 'jpeg', webp: 'webp' };

/** What a decoder must produce: side×side pixels, `channels` per pixel, row-major. */
export interface DecodeTarget {
  side: number;
  channels: 1 | 3;
  /** 'stretch' scales the whole image to a square; 'crop' takes the central square first. */
  fit: 'stretch' | 'crop';
}

export interface ImageDecodeInput {
  path: string;
  blob: Blob;
  /** The type the file's leading bytes show (browsers decode by content, not by name). */
  type: ImageType;
}

/** Returns side*side*channels uint8 pixels, or throws if the image cannot be decoded. */
export type ImageDecoder = (input: ImageDecodeInput, target: DecodeTarget) => Promise<Uint8Array>;

/** PNG, JPEG or WebP by signature, else undefined. */
export function sniffImageType(head: Uint8Array): ImageType | undefined {
  const b = (i: number) => head[i] as number;
  if (head.length >= 8 && b(0) === 0x89 && b(1) === 0x50 && b(2) === 0x4e && b(3) === 0x47 && b(4) === 0x0d && b(5) === 0x0a && b(6) === 0x1a && b(7) === 0x0a) return 'png';
  if (head.length >= 3 && b(0) === 0xff && b(1) === 0xd8 && b(2) === 0xff) return 'jpeg';
  const ascii = (from: number, to: number) => String.fromCharCode(...head.subarray(from, to));
  if (head.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'webp';
  return undefined;
}

function extensionOf(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return dot <= 0 ? '' : name.slice(dot + 1).toLowerCase();
}

/** "class2" before "class10"; otherwise code-point order, the same in every browser. */
export function naturalCompare(a: string, b: string): number {
  const chunksA = a.match(/\d+|\D+/g) ?? [];
  const chunksB = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.min(chunksA.length, chunksB.length); i++) {
    const x = chunksA[i] as string;
    const y = chunksB[i] as string;
    if (x === y) continue;
    const bothDigits = /^\d/.test(x) && /^\d/.test(y);
    if (bothDigits) {
      const p = x.replace(/^0+/, '');
      const q = y.replace(/^0+/, '');
      if (p.length !== q.length) return p.length - q.length;
      if (p !== q) return p < q ? -1 : 1;
      continue; // same number written differently ("09", "9"): decided later
    }
    return x < y ? -1 : 1;
  }
  return chunksA.length - chunksB.length || (a < b ? -1 : a > b ? 1 : 0);
}

export interface PlannedImage {
  input: ImportFileInput;
  label: number;
}

export interface ImageFolderPlan {
  /** The folder all files sat in (the chosen folder's name), if any. */
  root: string | undefined;
  classNames: string[];
  train: PlannedImage[];
  /** Set when the folder had train/ and test/ subfolders. */
  test: PlannedImage[] | undefined;
}

function normalizePath(path: string): string {
  return path.replace(/\\/g, '/').replace(/^(\.\/|\/)+/, '');
}

/** Groups files by class folder and checks the layout. Reads no file contents. */
export function planImageFolder(inputs: readonly ImportFileInput[]): ImageFolderPlan {
  const images: { input: ImportFileInput; dirs: string[] }[] = [];
  const folderHints: string[][] = []; // directories seen through markers or junk files
  for (const input of inputs) {
    const path = normalizePath(input.path);
    const segments = path.replace(/\/$/, '').split('/');
    if (isDirectoryMarker(input)) {
      folderHints.push(segments);
    } else if (isJunkPath(path)) {
      folderHints.push(segments.slice(0, -1));
    } else if (IMAGE_EXTENSIONS[extensionOf(path)] === undefined) {
      throw new DatasetImportError(input.path, 'unsupported file: expected PNG, JPEG or WebP images (.png, .jpg, .jpeg, .webp) inside class folders');
    } else {
      images.push({ input, dirs: segments.slice(0, -1) });
    }
  }
  if (images.length === 0) throw new DatasetImportError(listNames(inputs.map((f) => f.path)) || 'the folder', 'no images found (PNG, JPEG or WebP inside class folders)');
  checkLimit(normalizePath(images[0]!.input.path).split('/')[0] || 'the folder', 'its number of images', images.length, IMAGE_FOLDER_MAX_FILES, 'images');

  // Strip the folders every image shares while each image keeps at least one folder (its class).
  const rootParts: string[] = [];
  for (;;) {
    const first = images[0]?.dirs[0];
    if (first === undefined || !images.every((image) => image.dirs.length >= 2 && image.dirs[0] === first)) break;
    rootParts.push(first);
    for (const image of images) image.dirs.shift();
  }
  const stripRoot = (dirs: string[]) => (rootParts.every((part, i) => dirs[i] === part) ? dirs.slice(rootParts.length) : undefined);

  const loose = images.find((image) => image.dirs.length === 0);
  if (loose !== undefined) throw new DatasetImportError(loose.input.path, 'image is not inside a class folder (expected <class>/<image>)');
  const isSplitName = (name: string | undefined) => name !== undefined && /^(train|test)$/i.test(name);
  const splitLayout = images.every((image) => image.dirs.length === 2 && isSplitName(image.dirs[0]));
  const depth = splitLayout ? 2 : 1;
  const odd = images.find((image) => image.dirs.length !== depth);
  if (odd !== undefined) {
    throw new DatasetImportError(
      odd.input.path,
      `image is ${odd.dirs.length} folders deep; expected every image at <class>/<image>, or at train/<class>/<image> and test/<class>/<image>`,
    );
  }

  // Class folders, including ones that hold no images (seen through markers or junk files).
  const counts = new Map<string, { train: number; test: number; folder: string }>();
  const note = (dirs: string[], add: 0 | 1) => {
    const split = splitLayout ? ((dirs[0] as string).toLowerCase() as 'train' | 'test') : 'train';
    const name = dirs[depth - 1] as string;
    const entry = counts.get(name) ?? { train: 0, test: 0, folder: [...rootParts, ...dirs].join('/') };
    entry[split] += add;
    counts.set(name, entry);
  };
  for (const image of images) note(image.dirs, 1);
  for (const hint of folderHints) {
    const dirs = stripRoot(hint);
    if (dirs !== undefined && dirs.length === depth && (!splitLayout || isSplitName(dirs[0]))) note(dirs, 0);
  }
  for (const [name, entry] of counts) {
    if (entry.train === 0 && entry.test === 0) throw new DatasetImportError(`${entry.folder}/`, `class folder "${name}" has no images`);
    if (entry.train === 0) throw new DatasetImportError(`${entry.folder}/`, `class "${name}" has test images but no training images`);
  }
  const classNames = [...counts.keys()].sort(naturalCompare);
  if (classNames.length < 2) {
    throw new DatasetImportError(rootParts.join('/') || (images[0] as { input: ImportFileInput }).input.path, `only one class folder ("${classNames[0]}"); a classifier needs at least two`);
  }
  if (classNames.length > 256) throw new DatasetImportError(rootParts.join('/') || 'the folder', `${classNames.length} class folders; at most 256 are supported`);

  const labelOf = new Map(classNames.map((name, i) => [name, i]));
  const train: PlannedImage[] = [];
  const test: PlannedImage[] = [];
  const sorted = [...images].sort((a, b) => naturalCompare(normalizePath(a.input.path), normalizePath(b.input.path)));
  for (const image of sorted) {
    const planned = { input: image.input, label: labelOf.get(image.dirs[depth - 1] as string) as number };
    if (splitLayout && (image.dirs[0] as string).toLowerCase() === 'test') test.push(planned);
    else train.push(planned);
  }
  return { root: rootParts.length > 0 ? rootParts.join('/') : undefined, classNames, train, test: splitLayout ? test : undefined };
}

export interface ImageFolderOptions extends AssembleOptions {
  decodeImage: ImageDecoder;
  /** Images become side×side (default 32, CIFAR's size). */
  side?: number | undefined;
  /** 1 = grayscale, 3 = RGB (default). */
  channels?: 1 | 3 | undefined;
  fit?: 'stretch' | 'crop' | undefined;
  /** Images decoded at once (default 4). */
  concurrency?: number | undefined;
}

async function decodeAll(planned: readonly PlannedImage[], target: DecodeTarget, options: ImageFolderOptions, control: TaskControl, done: { count: number; total: number }): Promise<ImageSet> {
  const size = target.side * target.side * target.channels;
  const images = new Uint8Array(planned.length * size);
  const labels = new Uint8Array(planned.length);
  let next = 0;
  let failed = false;
  const decodeOne = async (index: number) => {
    const { input, label } = planned[index] as PlannedImage;
    let head = await readHead(input, 64);
    const type = sniffImageType(head);
    if (type === undefined) {
      const bytes = Array.from(head.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
      throw new DatasetImportError(input.path, `not a PNG, JPEG or WebP image (${head.length === 0 ? 'empty file' : `starts with bytes ${bytes}`})`, 0);
    }
    // The size from the header, before a decoder allocates the pixels (a JPEG's may sit further in).
    let stated = readImageSize(head, type);
    if (typeof stated === 'string' && type === 'jpeg') stated = readImageSize((head = await readHead(input, IMAGE_HEADER_BYTES)), type);
    // An image of unknown size could be any size: refused like any other bad image (the import stops).
    if (typeof stated === 'string') {
      throw new DatasetImportError(
        input.path,
        `its size could not be read from its header (${stated}), so it cannot be checked against the limits of ` +
          `${IMAGE_MAX_SIDE.toLocaleString('en-US')} pixels a side and ${IMAGE_MAX_PIXELS.toLocaleString('en-US')} pixels before decoding`,
      );
    }
    checkLimit(input.path, 'its width', stated.width, IMAGE_MAX_SIDE, 'pixels');
    checkLimit(input.path, 'its height', stated.height, IMAGE_MAX_SIDE, 'pixels');
    checkLimit(input.path, 'its size', stated.width * stated.height, IMAGE_MAX_PIXELS, 'pixels');
    let pixels: Uint8Array;
    try {
      pixels = await options.decodeImage({ path: input.path, blob: asBlob(input), type }, target);
    } catch (error) {
      if (error instanceof DatasetImportError) throw error;
      throw new DatasetImportError(input.path, `could not be decoded as ${type.toUpperCase()} (${error instanceof Error ? error.message : String(error)})`);
    }
    if (pixels.length !== size) throw new DatasetImportError(input.path, `decoder returned ${pixels.length} bytes, expected ${target.side}×${target.side}×${target.channels} = ${size}`);
    images.set(pixels, index * size);
    labels[index] = label;
  };
  const lane = async () => {
    while (!failed && next < planned.length) {
      control.signal?.throwIfAborted();
      const index = next++;
      try {
        await decodeOne(index);
      } catch (error) {
        failed = true;
        throw error;
      }
      done.count++;
      if (done.count % 16 === 0 || done.count === done.total) await checkpoint(control, { phase: 'decoding', file: 'images', done: done.count, total: done.total });
    }
  };
  const lanes = Math.max(1, Math.min(options.concurrency ?? 4, planned.length));
  await Promise.all(Array.from({ length: lanes }, lane));
  return { images, labels, count: planned.length };
}

export async function importImageFolder(inputs: readonly ImportFileInput[], options: ImageFolderOptions, control: TaskControl = {}): Promise<ImageDataset> {
  const target: DecodeTarget = { side: options.side ?? 32, channels: options.channels ?? 3, fit: options.fit ?? 'stretch' };
  if (!Number.isInteger(target.side) || target.side < 1 || target.side > 512) throw new RangeError(`image side ${target.side} must be a whole number of pixels in 1..512`);
  if (target.channels !== 1 && target.channels !== 3) throw new RangeError(`channels ${String(target.channels)} must be 1 (grayscale) or 3 (RGB)`);
  const plan = planImageFolder(inputs);
  const progress = { count: 0, total: plan.train.length + (plan.test?.length ?? 0) };
  control.signal?.throwIfAborted();
  const train = await decodeAll(plan.train, target, options, control, progress);
  const test = plan.test === undefined ? undefined : await decodeAll(plan.test, target, options, control, progress);
  const shape: InputShape = { height: target.side, width: target.side, channels: target.channels };
  const root = plan.root ?? 'image folder';
  return assembleDataset(
    {
      what: root,
      defaultName: plan.root ?? 'Image folder',
      source: `folder: ${root} (${progress.total} images, ${plan.classNames.length} classes, decoded to ${target.side}×${target.side}×${target.channels}, ${target.fit})`,
      shape,
      classNames: plan.classNames,
      train,
      test,
      shuffle: true,
    },
    options,
    control,
  );
}
