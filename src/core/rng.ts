/**
 * Seeded random numbers with a state that is plain JSON, so a search can be saved and resumed
 * mid-run and then draw exactly the numbers the uninterrupted run would have drawn.
 * Generator: xoshiro128** (Blackman and Vigna), seeded through splitmix32.
 */
import { CorruptDataError, readArray, readNumber } from './json-check';

/** Four unsigned 32-bit words: the whole generator state. */
export type RngState = readonly [number, number, number, number];

export interface Rng {
  /** Uniform in [0, 1), 32 bits of resolution. */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** A copy of the state; `restoreRng(state)` continues from exactly here. */
  state(): RngState;
}

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

class Xoshiro128 implements Rng {
  #s: [number, number, number, number];

  constructor(state: RngState) {
    this.#s = [state[0], state[1], state[2], state[3]];
  }

  #nextUint32(): number {
    const s = this.#s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    for (let i = 0; i < 4; i++) s[i] = s[i]! >>> 0;
    return result;
  }

  next(): number {
    return this.#nextUint32() / 0x1_0000_0000;
  }

  int(n: number): number {
    if (!Number.isSafeInteger(n) || n <= 0) throw new RangeError(`rng.int(n) needs a positive integer, got ${n}`);
    return Math.floor(this.next() * n);
  }

  state(): RngState {
    return [this.#s[0], this.#s[1], this.#s[2], this.#s[3]];
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** A generator for an integer seed (any safe integer; its high and low 32 bits both count). */
export function createRng(seed: number): Rng {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`createRng(seed) needs a safe integer, got ${seed}`);
  const low = seed >>> 0;
  const high = Math.floor(seed / 0x1_0000_0000) >>> 0;
  const mix = splitmix32(low ^ Math.imul(high, 0x27d4eb2d));
  const state: [number, number, number, number] = [mix(), mix(), mix(), mix()];
  // xoshiro must not start from all zeros.
  if (state.every((word) => word === 0)) state[0] = 1;
  return new Xoshiro128(state);
}

/** Continues a generator from a saved `rng.state()`; a malformed state is an error naming the word. */
export function restoreRng(state: unknown, path = 'rng'): Rng {
  const words = readArray(state, path);
  if (words.length !== 4) throw new CorruptDataError(path, `expected 4 state words, got ${words.length}`);
  const parsed = words.map((word, i) => readNumber(word, `${path}[${i}]`, { integer: true, min: 0, max: 0xffff_ffff }));
  if (parsed.every((word) => word === 0)) throw new CorruptDataError(path, 'an all-zero state is not a valid xoshiro128 state');
  return new Xoshiro128(parsed as unknown as RngState);
}
