/**
 * IDX files (the MNIST format, also Fashion-MNIST, KMNIST, EMNIST): big-endian header
 * `00 00 type ndims`, then ndims uint32 sizes, then the data. Images are 0x00000803
 * (ubyte, N×rows×cols), labels 0x00000801 (ubyte, N). http://yann.lecun.com/exdb/mnist/
 */
import type { InputShape } from '../core/types';
import { hex32, readUint32BE, requireBytes } from './bytes';
import { assembleDataset, type AssembleOptions } from './dataset-meta';
import { DatasetImportError } from './errors';
import { baseName, listNames, readAllBytes, type ImportFileInput } from './files';
import { checkpoint, type TaskControl } from './progress';
import type { ImageDataset, ImageSet } from './types';

export const IDX_IMAGES_MAGIC = 0x00000803;
export const IDX_LABELS_MAGIC = 0x00000801;

const IDX_TYPE_NAMES: Record<number, string> = { 0x08: 'unsigned byte', 0x09: 'signed byte', 0x0b: 'int16', 0x0c: 'int32', 0x0d: 'float32', 0x0e: 'float64' };

export interface IdxArray {
  kind: 'images' | 'labels';
  /** [N, rows, cols] for images, [N] for labels. */
  dims: number[];
  /** The payload, a view into the file's bytes. */
  data: Uint8Array;
}

/** True when the name follows the usual `*-idx3-ubyte` / `*-idx1-ubyte` pattern. */
export function looksLikeIdxName(path: string): boolean {
  return /idx[13]-ubyte$/.test(baseName(path));
}

export function parseIdx(file: string, bytes: Uint8Array): IdxArray {
  requireBytes(file, bytes, 0, 4, 'the IDX magic number');
  const magic = readUint32BE(bytes, 0);
  const type = bytes[2] as number;
  const dimCount = bytes[3] as number;
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new DatasetImportError(file, `not an IDX file: magic number ${hex32(magic)}, expected ${hex32(IDX_IMAGES_MAGIC)} (images) or ${hex32(IDX_LABELS_MAGIC)} (labels)`, 0);
  }
  if (type !== 0x08) {
    throw new DatasetImportError(file, `IDX element type 0x${type.toString(16).padStart(2, '0')} (${IDX_TYPE_NAMES[type] ?? 'unknown'}) is not supported; images and labels must be unsigned bytes (0x08)`, 2);
  }
  if (magic !== IDX_IMAGES_MAGIC && magic !== IDX_LABELS_MAGIC) {
    throw new DatasetImportError(file, `IDX magic number ${hex32(magic)} has ${dimCount} dimensions; expected ${hex32(IDX_IMAGES_MAGIC)} (images, 3 dimensions) or ${hex32(IDX_LABELS_MAGIC)} (labels, 1 dimension)`, 0);
  }
  const kind = magic === IDX_IMAGES_MAGIC ? 'images' : 'labels';
  const name = baseName(file);
  if ((kind === 'labels' && name.includes('idx3')) || (kind === 'images' && name.includes('idx1'))) {
    throw new DatasetImportError(file, `named as ${kind === 'labels' ? 'an images (idx3)' : 'a labels (idx1)'} file but its magic number ${hex32(magic)} says ${kind}`, 0);
  }
  requireBytes(file, bytes, 4, 4 * dimCount, 'the IDX dimension sizes');
  const dims: number[] = [];
  for (let d = 0; d < dimCount; d++) dims.push(readUint32BE(bytes, 4 + 4 * d));
  if (kind === 'images' && (dims[1] === 0 || dims[2] === 0)) {
    throw new DatasetImportError(file, `images of ${dims[1]}×${dims[2]} pixels`, 8);
  }
  const header = 4 + 4 * dimCount;
  const payload = dims.reduce((product, n) => product * n, 1);
  const described = kind === 'images' ? `${dims[0]} images of ${dims[1]}×${dims[2]}` : `${dims[0]} labels`;
  if (bytes.length < header + payload) {
    throw new DatasetImportError(file, `truncated: the header says ${described} (${header + payload} bytes) but the file has ${bytes.length} bytes`, bytes.length);
  }
  if (bytes.length > header + payload) {
    throw new DatasetImportError(file, `the header says ${described} (${header + payload} bytes) but the file has ${bytes.length} bytes; extra data starts here`, header + payload);
  }
  return { kind, dims, data: bytes.subarray(header, header + payload) };
}

interface ParsedIdxFile extends IdxArray {
  path: string;
  split: 'train' | 'test';
}

/** `t10k-*` (MNIST's name for its test files) or anything named test is the test split. */
function splitOf(path: string): 'train' | 'test' {
  return /t10k|test/.test(baseName(path)) ? 'test' : 'train';
}

function pairOf(files: readonly ParsedIdxFile[], split: 'train' | 'test'): { images: ParsedIdxFile; labels: ParsedIdxFile } | undefined {
  const images = files.filter((f) => f.split === split && f.kind === 'images');
  const labels = files.filter((f) => f.split === split && f.kind === 'labels');
  if (images.length === 0 && labels.length === 0) return undefined;
  for (const [group, kind] of [[images, 'image'], [labels, 'label']] as const) {
    if (group.length > 1) {
      throw new DatasetImportError(listNames(group.map((f) => f.path)), `several IDX ${kind} files for the ${split} split; import one dataset at a time`);
    }
  }
  const [image] = images;
  const [label] = labels;
  if (image === undefined) throw new DatasetImportError((label as ParsedIdxFile).path, `labels for the ${split} split have no images file (expected a name like ${split === 'test' ? 't10k' : 'train'}-images-idx3-ubyte)`);
  if (label === undefined) throw new DatasetImportError(image.path, `images for the ${split} split have no labels file (expected a name like ${split === 'test' ? 't10k' : 'train'}-labels-idx1-ubyte)`);
  if (image.dims[0] !== label.dims[0]) {
    throw new DatasetImportError(label.path, `has ${label.dims[0]} labels but ${image.path} has ${image.dims[0]} images`, 4);
  }
  return { images: image, labels: label };
}

function toImageSet(pair: { images: ParsedIdxFile; labels: ParsedIdxFile }, classCount: number): ImageSet {
  const labels = pair.labels.data;
  for (let i = 0; i < labels.length; i++) {
    if ((labels[i] as number) >= classCount) {
      throw new DatasetImportError(pair.labels.path, `label ${labels[i]} of image ${i} is out of range: the dataset has ${classCount} classes (0..${classCount - 1})`, 8 + i);
    }
  }
  // Copies: fresh buffers of exactly this size (the file's buffer also holds the header).
  return { images: pair.images.data.slice(), labels: labels.slice(), count: labels.length };
}

export interface IdxImportOptions extends AssembleOptions {
  /** Names for labels 0..K-1 (e.g. Fashion-MNIST's); default "0", "1", ... up to the largest label. */
  classNames?: readonly string[] | undefined;
}

/** A train pair and optionally a test pair of IDX files (already gunzipped). */
export async function importIdx(files: readonly ImportFileInput[], options: IdxImportOptions = {}, control: TaskControl = {}): Promise<ImageDataset> {
  const parsed: ParsedIdxFile[] = [];
  for (const [i, input] of files.entries()) {
    await checkpoint(control, { phase: 'parsing', file: input.path, done: i, total: files.length });
    parsed.push({ ...parseIdx(input.path, await readAllBytes(input, control)), path: input.path, split: splitOf(input.path) });
  }
  const train = pairOf(parsed, 'train');
  const test = pairOf(parsed, 'test');
  if (train === undefined) {
    throw new DatasetImportError(listNames(files.map((f) => f.path)), 'no training files: expected train-images-idx3-ubyte and train-labels-idx1-ubyte');
  }
  const shape: InputShape = { height: train.images.dims[1] as number, width: train.images.dims[2] as number, channels: 1 };
  if (test !== undefined && (test.images.dims[1] !== shape.height || test.images.dims[2] !== shape.width)) {
    throw new DatasetImportError(test.images.path, `test images are ${test.images.dims[1]}×${test.images.dims[2]} but training images are ${shape.height}×${shape.width}`, 8);
  }
  let classCount = options.classNames?.length ?? 0;
  if (options.classNames === undefined) {
    for (const pair of [train, test]) if (pair) for (const label of pair.labels.data) classCount = Math.max(classCount, label + 1);
  }
  const classNames = options.classNames ? [...options.classNames] : Array.from({ length: classCount }, (_, i) => String(i));
  const used = [train, test].flatMap((pair) => (pair ? [pair.images.path, pair.labels.path] : []));
  return assembleDataset(
    {
      what: 'IDX files',
      defaultName: `IDX dataset (${baseName(train.images.path)})`,
      source: `files: ${listNames(used)}`,
      shape,
      classNames,
      train: toImageSet(train, classCount),
      test: test === undefined ? undefined : toImageSet(test, classCount),
    },
    options,
    control,
  );
}
