/**
 * SVHN format 2 (http://ufldl.stanford.edu/housenumbers/): train_32x32.mat and
 * test_32x32.mat, MAT v5 files with X (uint8, 32×32×3×N, MATLAB column-major) and
 * y (N×1, 1..10 where 10 means the digit 0).
 */
import type { InputShape } from '../core/types';
import { assembleDataset, type AssembleOptions } from './dataset-meta';
import { DatasetImportError } from './errors';
import { baseName, listNames, readAllBytes, type ImportFileInput } from './files';
import { readMatV5, type MatFile } from './mat-v5';
import { checkpoint, type TaskControl } from './progress';
import type { ImageDataset, ImageSet } from './types';

export const SVHN_CLASS_NAMES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

function splitOf(path: string): 'train' | 'test' {
  const name = baseName(path);
  if (name.startsWith('extra')) {
    throw new DatasetImportError(path, "SVHN's extra set (531,131 images, 1.3 GB) is too large to import in a browser; import train_32x32.mat and test_32x32.mat");
  }
  if (name.includes('test')) return 'test';
  if (name.includes('train')) return 'train';
  throw new DatasetImportError(path, 'cannot tell whether this is the train or the test split: name it train_32x32.mat or test_32x32.mat');
}

function describeVariables(mat: MatFile): string {
  const names = [...mat.variables.values()].map((v) => `${v.name} (${v.matlabClass} ${v.dims.join('×')})`);
  names.push(...mat.skipped.map((s) => `${s.name} (skipped: ${s.reason})`));
  return names.length === 0 ? 'no variables' : names.join(', ');
}

/** X and y of one SVHN .mat as an NHWC ImageSet. */
export async function svhnImageSet(file: string, mat: MatFile, control: TaskControl = {}): Promise<{ set: ImageSet; shape: InputShape }> {
  const x = mat.variables.get('X');
  const y = mat.variables.get('y');
  if (x === undefined || y === undefined) {
    throw new DatasetImportError(file, `expected variables X and y (SVHN format 2); found ${describeVariables(mat)}`);
  }
  if (x.dims.length !== 4 || (x.dims[2] !== 3 && x.dims[2] !== 1)) {
    throw new DatasetImportError(file, `X is ${x.dims.join('×')}; expected height×width×3×N`);
  }
  const [height, width, channels, count] = x.dims as [number, number, number, number];
  if (y.data.length !== count || (y.dims[0] !== count && y.dims[1] !== count)) {
    throw new DatasetImportError(file, `y is ${y.dims.join('×')} but X holds ${count} images; expected ${count}×1`);
  }
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const value = y.data[i] as number;
    if (!Number.isInteger(value) || value < 1 || value > 10) {
      throw new DatasetImportError(file, `y(${i + 1}) = ${value} is out of range: SVHN labels are 1..10 (10 means the digit 0)`);
    }
    labels[i] = value % 10;
  }
  const source = x.data;
  if (!(source instanceof Uint8Array)) {
    for (let i = 0; i < source.length; i++) {
      const value = source[i] as number;
      if (!Number.isInteger(value) || value < 0 || value > 255) {
        throw new DatasetImportError(file, `X has value ${value} at element ${i + 1}; pixels must be whole numbers 0..255`);
      }
    }
  }
  // Column-major X(h, w, c, n) sits at h + H·(w + W·(c + C·n)); NHWC wants ((n·H + h)·W + w)·C + c.
  const plane = height * width;
  const imageSize = plane * channels;
  const images = new Uint8Array(count * imageSize);
  for (let n = 0; n < count; n++) {
    if (n % 5000 === 0) await checkpoint(control, { phase: 'parsing', file, done: n, total: count });
    const base = n * imageSize;
    for (let c = 0; c < channels; c++) {
      const from = base + c * plane;
      for (let w = 0; w < width; w++) {
        for (let h = 0; h < height; h++) images[base + (h * width + w) * channels + c] = source[from + w * height + h] as number;
      }
    }
  }
  return { set: { images, labels, count }, shape: { height, width, channels } };
}

export async function importSvhn(files: readonly ImportFileInput[], options: AssembleOptions = {}, control: TaskControl = {}): Promise<ImageDataset> {
  const bySplit = new Map<'train' | 'test', ImportFileInput>();
  for (const input of files) {
    const split = splitOf(input.path);
    const other = bySplit.get(split);
    if (other !== undefined) throw new DatasetImportError(`${other.path}, ${input.path}`, `two SVHN ${split} files; expected one`);
    bySplit.set(split, input);
  }
  const parsed: Partial<Record<'train' | 'test', { set: ImageSet; shape: InputShape }>> = {};
  // One unpacked-size budget for the whole import, as for archives: not one per file.
  const unpacked = { bytes: 0 };
  for (const [split, input] of bySplit) {
    const mat = await readMatV5(input.path, await readAllBytes(input, control), control, unpacked);
    parsed[split] = await svhnImageSet(input.path, mat, control);
  }
  const { train, test } = parsed;
  if (train === undefined) throw new DatasetImportError(listNames(files.map((f) => f.path)), 'no SVHN training file (train_32x32.mat)');
  if (test !== undefined && (test.shape.height !== train.shape.height || test.shape.width !== train.shape.width || test.shape.channels !== train.shape.channels)) {
    throw new DatasetImportError((bySplit.get('test') as ImportFileInput).path, 'test images do not have the training images’ shape');
  }
  return assembleDataset(
    {
      what: 'SVHN files',
      defaultName: 'SVHN',
      source: `files: ${listNames([...bySplit.values()].map((f) => f.path))}`,
      shape: train.shape,
      classNames: [...SVHN_CLASS_NAMES],
      train: train.set,
      test: test?.set,
    },
    options,
    control,
  );
}
