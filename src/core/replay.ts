/**
 * Replay memory (spec section 2): one entry per iteration, so a net sampled again appears
 * again with its stored accuracy, as in the authors' replay database. Sampling is uniform
 * with replacement.
 */
import type { JsonValue } from './json-check';
import type { Rng } from './rng';

export interface ReplayEntry {
  /** The net without dropout, formatted (`formatNetwork(stripDropout(net))`). */
  readonly net: string;
  /** The reward: the net's accuracy (or a shaped reward). */
  readonly reward: number;
  /** The agent iteration this entry belongs to (1-based). */
  readonly iteration: number;
  /** ε when the net was sampled for this iteration. */
  readonly epsilon: number;
  /** Whatever the caller attached to the result (trained entries only), kept as given. */
  readonly extra?: { readonly [key: string]: JsonValue };
}

/** Paper section 4: 100 replay samples per update (the authors' code uses 128). */
export const paperReplaySamples = 100;
export const codeReplaySamples = 128;

/** `count` entries drawn uniformly with replacement. */
export function sampleReplay<T>(memory: readonly T[], count: number, rng: Rng): T[] {
  if (memory.length === 0) return [];
  const out: T[] = [];
  for (let i = 0; i < count; i++) out.push(memory[rng.int(memory.length)]!);
  return out;
}

export interface EpsilonGroup {
  readonly epsilon: number;
  /** Iterations at this ε (reused nets included, as the paper's Figure 3 counts them). */
  readonly count: number;
  readonly meanReward: number;
}

/** Mean reward of the nets sampled at each ε, in schedule order (the paper's Figure 3). */
export function rewardByEpsilon(memory: readonly ReplayEntry[]): EpsilonGroup[] {
  const groups = new Map<number, { sum: number; count: number }>();
  for (const entry of memory) {
    const group = groups.get(entry.epsilon) ?? { sum: 0, count: 0 };
    group.sum += entry.reward;
    group.count += 1;
    groups.set(entry.epsilon, group);
  }
  return [...groups]
    .sort(([a], [b]) => b - a)
    .map(([epsilon, { sum, count }]) => ({ epsilon, count, meanReward: sum / count }));
}
