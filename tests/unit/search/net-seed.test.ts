import { describe, expect, it } from 'vitest';
import { netSeed } from '../../../src/search/search-session';

/**
 * The per-net seed is FNV-1a (32 bits) of the net string with the search seed folded into the
 * offset basis, so with search seed 0 it is plain FNV-1a and the published test vectors apply.
 */
describe('netSeed', () => {
  it.each([
    ['', 0x811c9dc5],
    ['a', 0xe40c292c],
    ['foobar', 0xbf9cf968],
  ])('with search seed 0 is FNV-1a: %j → %i', (text, expected) => {
    expect(netSeed(0, text)).toBe(expected);
  });

  it('is the same for the same net of the same search, anywhere', () => {
    const net = '[C(8,3,1), P(2,2), FC(16), SM(10)]';
    expect(netSeed(7, net)).toBe(netSeed(7, net));
  });

  it('differs between searches and between nets', () => {
    const net = '[C(8,3,1), SM(10)]';
    expect(netSeed(1, net)).not.toBe(netSeed(2, net));
    expect(netSeed(1, net)).not.toBe(netSeed(1, '[C(4,3,1), SM(10)]'));
  });

  it('is an unsigned 32-bit integer for every search seed a URL allows', () => {
    for (const seed of [0, 1, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1]) {
      const value = netSeed(seed, '[SM(10)]');
      expect(Number.isInteger(value)).toBe(true);
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThanOrEqual(0xffffffff);
    }
  });
});
