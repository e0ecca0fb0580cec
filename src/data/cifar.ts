/**
 * CIFAR-10 and CIFAR-100 binary version (https://www.cs.toronto.edu/~kriz/cifar.html).
 * CIFAR-10 record: 1 label byte + 3072 pixel bytes; CIFAR-100 record: coarse label byte,
 * fine label byte, 3072 pixel bytes. Pixels are planar (1024 red, 1024 green, 1024 blue,
 * each 32×32 row-major) and become NHWC here. CIFAR-100 uses the fine (100-class) labels.
 */
import type { InputShape } from '../core/types';
import { assembleDataset, type AssembleOptions } from './dataset-meta';
import { DatasetImportError } from './errors';
import { baseName, listNames, readAllBytes, type ImportFileInput } from './files';
import { checkpoint, type TaskControl } from './progress';
import type { ImageDataset, ImageSet } from './types';

export type CifarVariant = 'cifar-10' | 'cifar-100';

const SIDE = 32;
const PLANE = SIDE * SIDE;
const PIXELS = 3 * PLANE;
const SHAPE: InputShape = { height: SIDE, width: SIDE, channels: 3 };

const VARIANTS = {
  'cifar-10': { name: 'CIFAR-10', labelBytes: 1, classes: 10, namesFile: 'batches.meta.txt' },
  'cifar-100': { name: 'CIFAR-100', labelBytes: 2, classes: 100, namesFile: 'fine_label_names.txt' },
} as const;

/** The class names in batches.meta.txt, for when that file was not given. */
export const CIFAR10_CLASS_NAMES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

export function cifarRecordBytes(variant: CifarVariant): number {
  return VARIANTS[variant].labelBytes + PIXELS;
}

/** Which variant and split a file name says, if it is a CIFAR binary file name. */
export function cifarFileRole(path: string): { variant: CifarVariant; role: 'train' | 'test' | 'names' } | undefined {
  const name = baseName(path);
  if (/^data_batch_\d+\.bin$/.test(name)) return { variant: 'cifar-10', role: 'train' };
  if (name === 'test_batch.bin') return { variant: 'cifar-10', role: 'test' };
  if (name === 'batches.meta.txt') return { variant: 'cifar-10', role: 'names' };
  if (name === 'train.bin') return { variant: 'cifar-100', role: 'train' };
  if (name === 'test.bin') return { variant: 'cifar-100', role: 'test' };
  if (name === 'fine_label_names.txt') return { variant: 'cifar-100', role: 'names' };
  return undefined;
}

/** Parses one batch file into a new ImageSet (NHWC), checking size and labels. */
export async function parseCifarBatch(file: string, bytes: Uint8Array, variant: CifarVariant, control: TaskControl = {}): Promise<ImageSet> {
  const { labelBytes, classes, name } = VARIANTS[variant];
  const record = labelBytes + PIXELS;
  if (bytes.length === 0) throw new DatasetImportError(file, `empty file, expected ${name} records of ${record} bytes`, 0);
  if (bytes.length % record !== 0) {
    const whole = Math.floor(bytes.length / record);
    throw new DatasetImportError(
      file,
      `not a whole number of ${name} records: ${bytes.length} bytes is ${whole} records of ${record} bytes plus ${bytes.length - whole * record}; the last record is cut short`,
      whole * record,
    );
  }
  const count = bytes.length / record;
  const images = new Uint8Array(count * PIXELS);
  const labels = new Uint8Array(count);
  for (let n = 0; n < count; n++) {
    if (n % 2000 === 0) await checkpoint(control, { phase: 'parsing', file, done: n, total: count });
    const start = n * record;
    if (variant === 'cifar-100' && (bytes[start] as number) >= 20) {
      throw new DatasetImportError(file, `coarse label ${bytes[start]} of record ${n} is out of range 0..19`, start);
    }
    const label = bytes[start + labelBytes - 1] as number;
    if (label >= classes) throw new DatasetImportError(file, `label ${label} of record ${n} is out of range 0..${classes - 1}`, start + labelBytes - 1);
    labels[n] = label;
    const pixels = start + labelBytes;
    const out = n * PIXELS;
    for (let p = 0; p < PLANE; p++) {
      images[out + 3 * p] = bytes[pixels + p] as number;
      images[out + 3 * p + 1] = bytes[pixels + PLANE + p] as number;
      images[out + 3 * p + 2] = bytes[pixels + 2 * PLANE + p] as number;
    }
  }
  return { images, labels, count };
}

function concatSets(sets: readonly ImageSet[]): ImageSet {
  if (sets.length === 1) return sets[0] as ImageSet;
  const count = sets.reduce((sum, s) => sum + s.count, 0);
  const images = new Uint8Array(count * PIXELS);
  const labels = new Uint8Array(count);
  let at = 0;
  for (const set of sets) {
    images.set(set.images, at * PIXELS);
    labels.set(set.labels, at);
    at += set.count;
  }
  return { images, labels, count };
}

function parseClassNames(file: string, bytes: Uint8Array, expected: number): string[] {
  const names = new TextDecoder().decode(bytes).split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '');
  if (names.length !== expected) throw new DatasetImportError(file, `has ${names.length} class names, expected ${expected} (one per line)`);
  return names;
}

/** Sorts data_batch_2 before data_batch_10. */
function batchNumber(path: string): number {
  return Number(/(\d+)\.bin$/.exec(baseName(path))?.[1] ?? 0);
}

export async function importCifar(
  files: readonly ImportFileInput[],
  variant: CifarVariant,
  options: AssembleOptions = {},
  control: TaskControl = {},
): Promise<ImageDataset> {
  const { name, classes } = VARIANTS[variant];
  const trainFiles: ImportFileInput[] = [];
  const testFiles: ImportFileInput[] = [];
  let namesInput: ImportFileInput | undefined;
  for (const input of files) {
    const role = cifarFileRole(input.path);
    if (role?.variant === variant && role.role === 'train') trainFiles.push(input);
    else if (role?.variant === variant && role.role === 'test') testFiles.push(input);
    else if (role?.variant === variant && role.role === 'names') namesInput = input;
    else if (baseName(input.path).endsWith('.bin')) trainFiles.push(input); // an oddly named batch: training data
    else if (variant === 'cifar-100' && baseName(input.path) === 'coarse_label_names.txt') continue;
    else if (baseName(input.path) === 'readme.html') continue; // shipped in the CIFAR archives
    else throw new DatasetImportError(input.path, `is not a ${name} binary file (expected ${variant === 'cifar-10' ? 'data_batch_N.bin, test_batch.bin, batches.meta.txt' : 'train.bin, test.bin, fine_label_names.txt'})`);
  }
  if (trainFiles.length === 0) throw new DatasetImportError(listNames(files.map((f) => f.path)), `no ${name} training batches found`);
  if (testFiles.length > 1) throw new DatasetImportError(listNames(testFiles.map((f) => f.path)), `several ${name} test files; expected one`);
  trainFiles.sort((a, b) => batchNumber(a.path) - batchNumber(b.path) || a.path.localeCompare(b.path));

  const trainSets: ImageSet[] = [];
  for (const input of trainFiles) trainSets.push(await parseCifarBatch(input.path, await readAllBytes(input, control), variant, control));
  const [testInput] = testFiles;
  const test = testInput === undefined ? undefined : await parseCifarBatch(testInput.path, await readAllBytes(testInput, control), variant, control);

  let classNames: string[];
  if (namesInput !== undefined) classNames = parseClassNames(namesInput.path, await readAllBytes(namesInput, control), classes);
  else classNames = variant === 'cifar-10' ? [...CIFAR10_CLASS_NAMES] : Array.from({ length: classes }, (_, i) => `class ${i}`);

  const used = [...trainFiles, ...testFiles, ...(namesInput ? [namesInput] : [])].map((f) => f.path);
  return assembleDataset(
    { what: `${name} files`, defaultName: name, source: `files: ${listNames(used)}`, shape: SHAPE, classNames, train: concatSets(trainSets), test },
    options,
    control,
  );
}
