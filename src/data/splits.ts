/**
 * Seeded stratified sampling: validation splits (spec §3: "a validation set drawn at random
 * from the training set, keeping the class distribution") and growing subsets for
 * progressive data. Returns indices, never copies of the images.
 */
import { mulberry32, shuffleInPlace } from './random';

/**
 * How many of each class to take for a sample of `size` out of `classCounts`.
 *
 * Balinski & Young's quota method (Amer. Math. Monthly 82, 1975): seats go one at a time
 * to the class with the largest n/(a+1) among those still under their upper quota. It
 * satisfies quota (each class gets its exact share size·n/N rounded down or up, so it
 * differs from the exact share by less than one image) and is house-monotone: a larger
 * size never takes fewer of any class, so subsets of growing size are nested.
 */
export function quotaAllocation(classCounts: readonly number[], size: number): number[] {
  const total = classCounts.reduce((sum, n) => sum + n, 0);
  if (!Number.isInteger(size) || size < 0 || size > total) {
    throw new RangeError(`sample size ${size} must be an integer in 0..${total}`);
  }
  const taken = classCounts.map(() => 0);
  for (let seats = 1; seats <= size; seats++) {
    let best = -1;
    for (let c = 0; c < classCounts.length; c++) {
      const n = classCounts[c] as number;
      const a = taken[c] as number;
      // Under upper quota after this seat: a + 1 <= ceil(seats·n/N)  <=>  a·N < seats·n.
      if (n === 0 || a * total >= seats * n) continue;
      if (best < 0 || n * ((taken[best] as number) + 1) > (classCounts[best] as number) * (a + 1)) best = c;
    }
    // Some class is always eligible: the upper quotas sum to at least `seats`.
    taken[best] = (taken[best] as number) + 1;
  }
  return taken;
}

function classCountsOf(labels: ArrayLike<number>): number[] {
  const counts: number[] = [];
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i] as number;
    if (!Number.isInteger(label) || label < 0) throw new RangeError(`label ${label} at index ${i} is not a class index`);
    while (counts.length <= label) counts.push(0);
    counts[label] = (counts[label] as number) + 1;
  }
  return counts;
}

/**
 * `size` indices into `labels`, stratified by class, sorted ascending. Each class's share
 * differs from size·n_c/N by less than one. For one seed, a smaller subset is always
 * contained in a larger one (each class is taken as a prefix of one seeded permutation).
 */
export function stratifiedSubset(labels: ArrayLike<number>, size: number, seed: number): Uint32Array {
  const counts = classCountsOf(labels);
  const allocation = quotaAllocation(counts, size);
  const byClass = counts.map((n) => new Uint32Array(n));
  const filled = counts.map(() => 0);
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i] as number;
    (byClass[label] as Uint32Array)[filled[label] as number] = i;
    filled[label] = (filled[label] as number) + 1;
  }
  const picked = new Uint32Array(size);
  let next = 0;
  byClass.forEach((indices, c) => {
    // One RNG stream per class, so a class's permutation does not depend on the others.
    shuffleInPlace(indices, mulberry32((seed ^ Math.imul(c + 1, 0x9e3779b1)) >>> 0));
    picked.set(indices.subarray(0, allocation[c]), next);
    next += allocation[c] as number;
  });
  return picked.sort();
}

export interface IndexSplit {
  /** Indices kept for training, ascending. */
  train: Uint32Array;
  /** Indices held out, ascending. */
  validation: Uint32Array;
}

/**
 * Holds out a stratified random validation set. `amount` in (0, 1) is a fraction of all
 * images (rounded to a whole count); an integer >= 1 is a count (the paper's code: 5,000).
 * Per class, the held-out number differs from that class's exact share of the validation
 * count by less than one image.
 */
export function stratifiedValidationSplit(labels: ArrayLike<number>, amount: number, seed: number): IndexSplit {
  const total = labels.length;
  let count: number;
  if (amount > 0 && amount < 1) count = Math.round(amount * total);
  else if (Number.isInteger(amount) && amount >= 1) count = amount;
  else throw new RangeError(`validation amount ${amount} must be a fraction in (0, 1) or a whole count >= 1`);
  if (count < 1 || count >= total) {
    throw new RangeError(`validation amount ${amount} gives ${count} of ${total} images; need at least one for validation and one for training`);
  }
  const validation = stratifiedSubset(labels, count, seed);
  const held = new Uint8Array(total);
  for (const index of validation) held[index] = 1;
  const train = new Uint32Array(total - count);
  let next = 0;
  for (let i = 0; i < total; i++) if (held[i] === 0) train[next++] = i;
  return { train, validation };
}
