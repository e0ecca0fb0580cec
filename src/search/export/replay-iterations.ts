/**
 * The replay memory counted by iteration: one row per time the agent sampled a net, as the
 * original replay_database.csv has it and as the paper's Figure 3 counts (spec section 4:
 * "mean validation accuracy of the nets sampled at each ε", reused nets included).
 *
 * A store entry holds one net with the list of iterations that sampled it but only the ε it
 * was trained at; the ε of each later sampling lives in the agent's own replay memory
 * (`Agent.toJSON().replay`). Give that when you have it; without it every iteration of an
 * entry is counted at the entry's ε.
 */
import type { ReplayEntry as AgentReplayEntry } from '../../core';
import type { ReplayEntry } from '../../store';

/** What this module reads of an agent's replay entry (`Agent.toJSON().replay[i]`). */
export type AgentSample = Pick<AgentReplayEntry, 'net' | 'iteration' | 'epsilon'>;

export interface ReplayIteration {
  /** Agent iteration, 1-based; 0 for an entry no iteration is recorded for. */
  readonly iteration: number;
  /** The net's dropout-free string (the store's key). */
  readonly netString: string;
  readonly epsilon: number;
  /** The net's best validation accuracy (a fraction). */
  readonly accuracy: number;
  /**
   * An imported row's own best validation accuracy, where a file repeats a net with another
   * result than the one kept (`accuracy`); the strategy lab averages repeats with it.
   */
  readonly rowAccuracy?: number;
}

/**
 * Every sampled iteration of a search, ordered by iteration (entries without one last).
 * `agentReplay` supplies each iteration's own ε; iterations it does not list fall back to
 * their entry's ε, and agent iterations whose net has no entry are left out.
 */
export function replayIterations(
  entries: readonly ReplayEntry[],
  agentReplay: readonly AgentSample[] = [],
): ReplayIteration[] {
  const byNet = new Map(entries.map((entry) => [entry.netString, entry]));
  const rows: ReplayIteration[] = [];
  const covered = new Set<number>();
  for (const sample of agentReplay) {
    const entry = byNet.get(sample.net);
    if (entry === undefined) continue;
    covered.add(sample.iteration);
    rows.push({ iteration: sample.iteration, netString: entry.netString, epsilon: sample.epsilon, accuracy: entry.bestValAccuracy });
  }
  for (const entry of entries) {
    const own = entry.iterations.length > 0 ? entry.iterations : [0];
    for (const iteration of own) {
      if (covered.has(iteration)) continue;
      rows.push({ iteration, netString: entry.netString, epsilon: entry.epsilon, accuracy: entry.bestValAccuracy });
    }
  }
  return sortIterations(rows);
}

/** Ascending iteration, iteration 0 (unknown) last; stable otherwise. */
export function sortIterations<T extends { readonly iteration: number }>(rows: readonly T[]): T[] {
  const rank = (row: T) => (row.iteration === 0 ? Infinity : row.iteration);
  return rows
    .map((row, index) => ({ row, index }))
    .sort((a, b) => rank(a.row) - rank(b.row) || a.index - b.index)
    .map(({ row }) => row);
}

export interface EpsilonAccuracy {
  readonly epsilon: number;
  /** Sampled iterations at this ε, repeats included. */
  readonly count: number;
  readonly meanAccuracy: number;
}

/**
 * Mean best validation accuracy of the nets sampled at each ε, highest ε first: the chart
 * that shows the agent learning (paper Figure 3; SVHN: 52% at ε = 1.0 rising to 88% at 0.1).
 * Pass `replayIterations(...)` of a search, or the `iterations` of an imported replay file.
 */
export function meanAccuracyByEpsilon(
  iterations: readonly Pick<ReplayIteration, 'epsilon' | 'accuracy'>[],
): EpsilonAccuracy[] {
  const groups = new Map<number, { sum: number; count: number }>();
  for (const { epsilon, accuracy } of iterations) {
    const group = groups.get(epsilon) ?? { sum: 0, count: 0 };
    group.sum += accuracy;
    group.count += 1;
    groups.set(epsilon, group);
  }
  return [...groups]
    .sort(([a], [b]) => b - a)
    .map(([epsilon, { sum, count }]) => ({ epsilon, count, meanAccuracy: sum / count }));
}
