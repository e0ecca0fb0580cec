import { describe, expect, it } from 'vitest';
import { CorruptDataError } from '../../../src/core/json-check';
import { createRng, restoreRng } from '../../../src/core/rng';

describe('seeded rng', () => {
  it('gives the same sequence for the same seed and different ones for different seeds', () => {
    const draw = (seed: number) => {
      const rng = createRng(seed);
      return Array.from({ length: 20 }, () => rng.next());
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
    // High bits of the seed count too.
    expect(draw(2 ** 40)).not.toEqual(draw(0));
  });

  it('draws in [0, 1) and int(n) in [0, n), roughly uniformly', () => {
    const rng = createRng(7);
    const counts = [0, 0, 0, 0, 0];
    for (let i = 0; i < 20_000; i++) {
      const x = rng.next();
      expect(x >= 0 && x < 1).toBe(true);
      counts[rng.int(5)]!++;
    }
    for (const count of counts) expect(Math.abs(count - 4_000)).toBeLessThan(300);
  });

  it('continues exactly from a saved state after a JSON round trip', () => {
    const rng = createRng(123);
    for (let i = 0; i < 17; i++) rng.next();
    const saved = JSON.parse(JSON.stringify(rng.state())) as unknown;
    const rest = Array.from({ length: 10 }, () => rng.next());
    const restored = restoreRng(saved);
    expect(Array.from({ length: 10 }, () => restored.next())).toEqual(rest);
  });

  it('rejects a corrupt state, naming the word', () => {
    expect(() => restoreRng([1, 2, 3])).toThrow(/rng: expected 4 state words, got 3/);
    expect(() => restoreRng([1, 2, 'x', 4])).toThrow(CorruptDataError);
    expect(() => restoreRng([1, 2, 'x', 4])).toThrow(/rng\[2\]: expected a finite number, got "x"/);
    expect(() => restoreRng([1, 2, 2 ** 32, 4])).toThrow(/rng\[2\]: expected a number <= 4294967295/);
    expect(() => restoreRng([0, 0, 0, 0])).toThrow(/all-zero/);
    expect(() => createRng(1.5)).toThrow(/safe integer/);
  });
});
