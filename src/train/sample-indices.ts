/** Which training images a job sees, and the seeded shuffle each epoch draws their order with. */
import { createRng, type Rng } from '../core/index';
import { stratifiedSubset } from '../data/splits';

/**
 * The permutation training samples are drawn from when `trainSampleSize` is set: one
 * fixed order, so a sample of k images is the same for every candidate and contained in
 * every larger sample (progressive data grows the set instead of swapping it).
 */
const SAMPLE_SEED = 0x5eed;

/**
 * The training images a job uses: all, or (progressive data) a stratified sample of `size`,
 * the same for every job of that size, and nested: a smaller sample is part of a larger one.
 */
export function sampleIndices(count: number, size: number | null, jobId: string, labels?: Uint8Array): Int32Array {
  if (size === null || size >= count) return Int32Array.from({ length: count }, (_, i) => i);
  if (!Number.isInteger(size) || size < 1) {
    throw new Error(`Job ${jobId}: trainSampleSize must be a positive integer, got ${size}`);
  }
  if (labels) return Int32Array.from(stratifiedSubset(labels, size, SAMPLE_SEED));
  const all = Int32Array.from({ length: count }, (_, i) => i);
  return shuffleInPlace(all, createRng(SAMPLE_SEED)).slice(0, size);
}

/** Fisher-Yates, in place. */
export function shuffleInPlace(values: Int32Array, random: Rng): Int32Array {
  for (let i = values.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    const swap = values[i] as number;
    values[i] = values[j] as number;
    values[j] = swap;
  }
  return values;
}
