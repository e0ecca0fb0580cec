/**
 * The search space as data (spec section 1, paper Table 1). Presets are rows of a table, not
 * code: a new preset is a new row. The rules that read these numbers live in states.ts.
 */
import type { InputShape } from './types';
import { CorruptDataError, readArray, readNumber, readObject } from './json-check';

export interface PoolOption {
  readonly size: number;
  readonly stride: number;
}

export interface SearchSpace {
  readonly inputShape: InputShape;
  readonly numClasses: number;
  /** Conv filter counts d. */
  readonly convFilters: readonly number[];
  /** Square conv kernel sizes f. */
  readonly convKernels: readonly number[];
  /** Conv stride l (the paper fixes it at 1). */
  readonly convStride: number;
  /** Max-pool (size, stride) pairs, VALID padding. */
  readonly pools: readonly PoolOption[];
  /** FC unit counts. */
  readonly fcSizes: readonly number[];
  /** At most this many FC layers (the classifier SM not counted). */
  readonly maxFc: number;
  /** Layers before SM (dropout not counted); at this depth only termination is legal. */
  readonly maxDepth: number;
  /**
   * Representation-size bins, descending: a map of side n is in the largest bin b <= n.
   * Paper: [8, 4, 1] gives n > 7 -> 8, 4..7 -> 4, n <= 3 -> 1. Must end with 1.
   */
  readonly sizeBins: readonly number[];
  /** FC may follow start/conv/pool only when the bin is <= this (paper: 4). */
  readonly fcMaxBin: number;
}

/** A search space without the dataset's part (input shape, classes). */
export type SearchSpacePreset = Omit<SearchSpace, 'inputShape' | 'numClasses'>;

const paperPools: readonly PoolOption[] = [
  { size: 5, stride: 3 },
  { size: 3, stride: 2 },
  { size: 2, stride: 2 },
];

export const searchSpacePresets = {
  /** Paper Table 1; depth 12 (SVHN, MNIST). The paper raised CIFAR-10 to 18. */
  paper: {
    convFilters: [64, 128, 256, 512],
    convKernels: [1, 3, 5],
    convStride: 1,
    pools: paperPools,
    fcSizes: [512, 256, 128],
    maxFc: 2,
    maxDepth: 12,
    sizeBins: [8, 4, 1],
    fcMaxBin: 4,
  },
  /** Same rules, smaller nets: minutes per net on a laptop GPU instead of hours. */
  quick: {
    convFilters: [16, 32, 64],
    convKernels: [1, 3, 5],
    convStride: 1,
    pools: paperPools,
    fcSizes: [128, 64],
    maxFc: 2,
    maxDepth: 8,
    sizeBins: [8, 4, 1],
    fcMaxBin: 4,
  },
  /** Seconds per net even on a CPU emulating a GPU (e2e tests, demos). */
  tiny: {
    convFilters: [4, 8],
    convKernels: [1, 3],
    convStride: 1,
    pools: [
      { size: 2, stride: 2 },
      { size: 3, stride: 2 },
    ],
    fcSizes: [16, 8],
    maxFc: 2,
    maxDepth: 5,
    sizeBins: [8, 4, 1],
    fcMaxBin: 4,
  },
} as const satisfies Record<string, SearchSpacePreset>;

export type SearchSpacePresetName = keyof typeof searchSpacePresets;

export interface DatasetOptions {
  readonly inputShape: InputShape;
  readonly numClasses: number;
  /** Overrides the preset's depth limit (the paper's CIFAR-10 option is 18). */
  readonly maxDepth?: number;
}

/** A preset (by name or value) completed with the dataset's input shape and class count. */
export function makeSearchSpace(preset: SearchSpacePreset | SearchSpacePresetName, options: DatasetOptions): SearchSpace {
  const base = typeof preset === 'string' ? searchSpacePresets[preset] : preset;
  if (base === undefined) throw new Error(`unknown search space preset ${JSON.stringify(preset)}`);
  const space: SearchSpace = {
    ...base,
    inputShape: options.inputShape,
    numClasses: options.numClasses,
    maxDepth: options.maxDepth ?? base.maxDepth,
  };
  return checkSearchSpace(space, 'search space');
}

/** Paper Table 1 for a dataset; depth limit 12 unless given. */
export function paperSearchSpace(options: DatasetOptions): SearchSpace {
  return makeSearchSpace('paper', options);
}

/** The representation-size bin of a map side n (spec: n > 7 -> 8, 4..7 -> 4, n <= 3 -> 1). */
export function sizeBin(n: number, space: Pick<SearchSpace, 'sizeBins'>): number {
  for (const bin of space.sizeBins) if (n >= bin) return bin;
  // checkSearchSpace guarantees a bin of 1 and sides are >= 1, so this is a caller's bug.
  throw new RangeError(`representation size ${n} is below every bin (${space.sizeBins.join(', ')})`);
}

function readPositiveIntegers(value: unknown, path: string, { nonEmpty }: { nonEmpty: boolean }): number[] {
  const items = readArray(value, path);
  if (nonEmpty && items.length === 0) throw new CorruptDataError(path, 'expected at least one value');
  const numbers = items.map((item, i) => readNumber(item, `${path}[${i}]`, { integer: true, min: 1 }));
  if (new Set(numbers).size !== numbers.length) throw new CorruptDataError(path, `values repeat: ${numbers.join(', ')}`);
  return numbers;
}

/**
 * Checks an untrusted search space (a saved search, a user's custom preset) and returns it.
 * Errors name the field: `search space.pools[1].stride: expected an integer, got 1.5`.
 */
export function checkSearchSpace(value: unknown, path = 'search space'): SearchSpace {
  const o = readObject(value, path);
  const shape = readObject(o['inputShape'], `${path}.inputShape`);
  const inputShape: InputShape = {
    height: readNumber(shape['height'], `${path}.inputShape.height`, { integer: true, min: 1 }),
    width: readNumber(shape['width'], `${path}.inputShape.width`, { integer: true, min: 1 }),
    channels: readNumber(shape['channels'], `${path}.inputShape.channels`, { integer: true, min: 1 }),
  };
  const pools = readArray(o['pools'], `${path}.pools`).map((item, i) => {
    const p = readObject(item, `${path}.pools[${i}]`);
    return {
      size: readNumber(p['size'], `${path}.pools[${i}].size`, { integer: true, min: 1 }),
      stride: readNumber(p['stride'], `${path}.pools[${i}].stride`, { integer: true, min: 1 }),
    };
  });
  const sizeBins = readPositiveIntegers(o['sizeBins'], `${path}.sizeBins`, { nonEmpty: true });
  for (let i = 1; i < sizeBins.length; i++) {
    if (sizeBins[i]! >= sizeBins[i - 1]!) {
      throw new CorruptDataError(`${path}.sizeBins`, `must be strictly descending, got ${sizeBins.join(', ')}`);
    }
  }
  if (sizeBins[sizeBins.length - 1] !== 1) {
    throw new CorruptDataError(`${path}.sizeBins`, `must end with 1 so every map size has a bin, got ${sizeBins.join(', ')}`);
  }
  return {
    inputShape,
    numClasses: readNumber(o['numClasses'], `${path}.numClasses`, { integer: true, min: 2 }),
    convFilters: readPositiveIntegers(o['convFilters'], `${path}.convFilters`, { nonEmpty: true }),
    convKernels: readPositiveIntegers(o['convKernels'], `${path}.convKernels`, { nonEmpty: true }),
    convStride: readNumber(o['convStride'], `${path}.convStride`, { integer: true, min: 1 }),
    pools,
    fcSizes: readPositiveIntegers(o['fcSizes'], `${path}.fcSizes`, { nonEmpty: false }),
    maxFc: readNumber(o['maxFc'], `${path}.maxFc`, { integer: true, min: 0 }),
    maxDepth: readNumber(o['maxDepth'], `${path}.maxDepth`, { integer: true, min: 0 }),
    sizeBins,
    fcMaxBin: readNumber(o['fcMaxBin'], `${path}.fcMaxBin`, { integer: true, min: 1 }),
  };
}
