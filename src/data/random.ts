/**
 * A small seeded RNG for splits and sampling, so a split is a function of (labels, seed).
 * The shipped splits are drawn with it too (scripts/build-datasets.ts imports it): a change
 * here moves every shipped image, which the pinned checksums in
 * tests/unit/data/shipped-datasets.test.ts catch.
 */

/** Uniform floats in [0, 1). */
export type Random = () => number;

/** mulberry32 (Tommy Ettinger, public domain): 32-bit state, fine for shuffling. */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates, in place. */
export function shuffleInPlace(values: { length: number; [i: number]: number }, random: Random): void {
  for (let i = values.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const tmp = values[i] as number;
    values[i] = values[j] as number;
    values[j] = tmp;
  }
}
