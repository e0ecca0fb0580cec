/** Turns parsed train/test sets into a checked ImageDataset with its DatasetMeta. */
import type { InputShape } from '../core/types';
import { sha256Hex, sha256HexOfText } from './bytes';
import { DatasetImportError } from './errors';
import { assertImageSetShape, countPerClass, gatherImageSet } from './image-set';
import { checkpoint, type TaskControl } from './progress';
import { mulberry32, shuffleInPlace } from './random';
import { stratifiedValidationSplit } from './splits';
import { SCALE_255, type ImageDataset, type ImageSet, type SplitInfo } from './types';

/** Share of each class held out as the test set when a source comes unsplit. */
export const DEFAULT_TEST_FRACTION = 0.2;
export const DEFAULT_SPLIT_SEED = 2017;

/** The id an import gives a dataset: its content checksum's first 12 hex digits. */
export function importedDatasetId(checksum: string): string {
  return `import-${checksum.slice(0, 12)}`;
}

/** `DatasetMeta.checksum` from the four part hashes (hex), in the documented order. */
export function checksumFromPartHashes(trainImages: string, trainLabels: string, testImages: string, testLabels: string): Promise<string> {
  return sha256HexOfText(`${trainImages}\n${trainLabels}\n${testImages}\n${testLabels}`);
}

/** `DatasetMeta.checksum` of in-memory sets. */
export async function datasetChecksum(train: ImageSet, test: ImageSet): Promise<string> {
  const [a, b, c, d] = await Promise.all([sha256Hex(train.images), sha256Hex(train.labels), sha256Hex(test.images), sha256Hex(test.labels)]);
  return checksumFromPartHashes(a, b, c, d);
}

export interface AssembleSource {
  /** Used in messages about the whole set, e.g. "CIFAR-10 files". */
  what: string;
  defaultName: string;
  source: string;
  shape: InputShape;
  classNames: string[];
  train: ImageSet;
  /** Undefined when the source has no test split: one is carved out of `train`. */
  test: ImageSet | undefined;
  /** Put images in a seeded random order (sources stored class by class). */
  shuffle?: boolean;
}

export interface AssembleOptions {
  id?: string | undefined;
  name?: string | undefined;
  licence?: string | undefined;
  testFraction?: number | undefined;
  seed?: number | undefined;
}

function shuffled(set: ImageSet, shape: InputShape, seed: number): ImageSet {
  const order = new Uint32Array(set.count).map((_, i) => i);
  shuffleInPlace(order, mulberry32(seed));
  return gatherImageSet(set, order, shape);
}

export async function assembleDataset(input: AssembleSource, options: AssembleOptions, control: TaskControl = {}): Promise<ImageDataset> {
  const { shape, classNames } = input;
  const classCount = classNames.length;
  if (classCount < 2) throw new DatasetImportError(input.what, `found ${classCount} class; a classifier needs at least 2`);
  if (classCount > 256) throw new DatasetImportError(input.what, `found ${classCount} classes; at most 256 fit a uint8 label`);
  assertImageSetShape(input.train, shape, `${input.what} (train)`);
  if (input.train.count === 0) throw new DatasetImportError(input.what, 'the training set is empty');
  const seed = options.seed ?? DEFAULT_SPLIT_SEED;

  let train = input.train;
  let test: ImageSet;
  let split: SplitInfo;
  if (input.test !== undefined) {
    assertImageSetShape(input.test, shape, `${input.what} (test)`);
    if (input.test.count === 0) throw new DatasetImportError(input.what, 'the test set is empty');
    test = input.test;
    split = { method: 'given', description: 'Train and test sets as the source split them.' };
  } else {
    const testFraction = options.testFraction ?? DEFAULT_TEST_FRACTION;
    if (!(testFraction > 0 && testFraction < 1)) throw new RangeError(`testFraction ${testFraction} must be in (0, 1)`);
    if (train.count < 2) throw new DatasetImportError(input.what, `only ${train.count} image: too few to hold out a test set`);
    const parts = stratifiedValidationSplit(train.labels, testFraction, seed);
    test = gatherImageSet(train, parts.validation, shape);
    train = gatherImageSet(train, parts.train, shape);
    split = {
      method: 'stratified-random',
      seed,
      testFraction,
      description: `Source had no test split: ${Math.round(testFraction * 100)}% of each class held out at random (seed ${seed}).`,
    };
  }
  if (input.shuffle === true) {
    train = shuffled(train, shape, seed + 1);
    test = shuffled(test, shape, seed + 2);
  }

  let perClass: { train: number[]; test: number[] };
  try {
    perClass = { train: countPerClass(train.labels, classCount), test: countPerClass(test.labels, classCount) };
  } catch (error) {
    throw new DatasetImportError(input.what, (error as Error).message);
  }

  await checkpoint(control, { phase: 'hashing', file: input.what, done: 0, total: 1 });
  const checksum = await datasetChecksum(train, test);
  control.onProgress?.({ phase: 'hashing', file: input.what, done: 1, total: 1 });

  return {
    meta: {
      id: options.id ?? importedDatasetId(checksum),
      name: options.name ?? input.defaultName,
      source: input.source,
      licence: options.licence ?? 'unknown: imported from local files; the terms of the original dataset apply',
      shape: { height: shape.height, width: shape.width, channels: shape.channels },
      classNames: [...classNames],
      counts: { train: train.count, test: test.count },
      perClass,
      normalization: { ...SCALE_255 },
      split,
      checksum,
    },
    train,
    test,
  };
}
