import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../src/data/random';
import { quotaAllocation, stratifiedSubset, stratifiedValidationSplit } from '../../../src/data/splits';

/** Labels with the given per-class counts, interleaved by a seeded shuffle. */
function labelsWith(counts: readonly number[], seed: number): Uint8Array {
  const labels = counts.flatMap((n, c) => Array.from({ length: n }, () => c));
  const random = mulberry32(seed);
  for (let i = labels.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [labels[i], labels[j]] = [labels[j] as number, labels[i] as number];
  }
  return Uint8Array.from(labels);
}

function perClass(labels: ArrayLike<number>, indices: Iterable<number>, classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (const i of indices) counts[labels[i] as number]!++;
  return counts;
}

describe('quotaAllocation', () => {
  const random = mulberry32(7);
  const cases = Array.from({ length: 40 }, () => Array.from({ length: 2 + Math.floor(random() * 9) }, () => Math.floor(random() * 40)));
  cases.push([1, 1], [0, 5, 0, 3], [100, 1, 1], [7, 7, 7]);

  it('gives every class its exact share rounded down or up, summing to the size, at every size', () => {
    for (const counts of cases) {
      const total = counts.reduce((a, b) => a + b, 0);
      for (let size = 0; size <= total; size++) {
        const allocation = quotaAllocation(counts, size);
        expect(allocation.reduce((a, b) => a + b, 0)).toBe(size);
        allocation.forEach((a, c) => {
          const exact = (size * (counts[c] as number)) / total;
          expect(a).toBeGreaterThanOrEqual(Math.floor(exact));
          expect(a).toBeLessThanOrEqual(Math.ceil(exact));
        });
      }
    }
  });

  it('never gives a class fewer when the size grows (nested subsets)', () => {
    for (const counts of cases) {
      const total = counts.reduce((a, b) => a + b, 0);
      let previous = counts.map(() => 0);
      for (let size = 1; size <= total; size++) {
        const allocation = quotaAllocation(counts, size);
        allocation.forEach((a, c) => expect(a).toBeGreaterThanOrEqual(previous[c] as number));
        previous = allocation;
      }
    }
  });

  it('rejects sizes outside 0..N', () => {
    expect(() => quotaAllocation([3, 3], 7)).toThrow(/0\.\.6/);
    expect(() => quotaAllocation([3, 3], 1.5)).toThrow(/integer/);
  });
});

describe('stratifiedSubset', () => {
  const labels = labelsWith([500, 300, 120, 60, 20], 1);

  it('is seeded: same seed same subset, other seed another one', () => {
    const a = stratifiedSubset(labels, 200, 42);
    expect(stratifiedSubset(labels, 200, 42)).toEqual(a);
    expect(stratifiedSubset(labels, 200, 43)).not.toEqual(a);
  });

  it('returns sorted unique indices with the class distribution kept', () => {
    const subset = stratifiedSubset(labels, 100, 3);
    expect(subset.length).toBe(100);
    for (let i = 1; i < subset.length; i++) expect(subset[i]).toBeGreaterThan(subset[i - 1] as number);
    expect(perClass(labels, subset, 5)).toEqual([50, 30, 12, 6, 2]);
  });

  it('grows by adding images: a smaller subset is inside a larger one for the same seed', () => {
    let previous = new Set<number>();
    for (const size of [10, 50, 51, 200, 640, 1000]) {
      const subset = new Set(stratifiedSubset(labels, size, 9));
      for (const index of previous) expect(subset.has(index)).toBe(true);
      previous = subset;
    }
  });
});

describe('stratifiedValidationSplit', () => {
  const counts = [601, 333, 97, 50, 3, 1];
  const labels = labelsWith(counts, 2);
  const total = labels.length;

  it('partitions the indices: train and validation disjoint, together all of them', () => {
    const { train, validation } = stratifiedValidationSplit(labels, 0.1, 5);
    expect(train.length + validation.length).toBe(total);
    const all = new Set([...train, ...validation]);
    expect(all.size).toBe(total);
  });

  it('takes a fraction of all images; per class within one image of the class share', () => {
    const { validation } = stratifiedValidationSplit(labels, 0.1, 5);
    expect(validation.length).toBe(Math.round(0.1 * total));
    perClass(labels, validation, counts.length).forEach((n, c) => {
      expect(Math.abs(n - (validation.length * (counts[c] as number)) / total)).toBeLessThan(1);
    });
  });

  it('takes a whole count (the paper code holds out 5,000)', () => {
    const { validation } = stratifiedValidationSplit(labels, 100, 5);
    expect(validation.length).toBe(100);
  });

  it('rejects amounts that leave no training or no validation image', () => {
    expect(() => stratifiedValidationSplit(labels, 0, 1)).toThrow(/fraction/);
    expect(() => stratifiedValidationSplit(labels, total, 1)).toThrow(/one for training/);
    expect(() => stratifiedValidationSplit(labels, 2.5, 1)).toThrow(/whole count/);
    expect(() => stratifiedValidationSplit(labels, 0.0001, 1)).toThrow(/gives 0/);
  });
});
