/**
 * The strategy lab (issue 16): a whole search run by the real agent and strategy against an
 * accuracy oracle instead of a trainer, so a 2,700-net schedule takes seconds. Each proposal
 * the agent makes is one iteration; a net it trains gets the oracle's accuracy as its reward,
 * a net it proposes again is reused as in a real search. `SimulatedSearch` runs a slice at a
 * time (the page animates it); `labMetrics` sums a run up as the issue asks: per-ε means (the
 * paper's Figure 3), best, top-5 mean, nets above a bar and nets trained until the first
 * above it, over the whole run and over the nets after the ε = 1 phase. Pure and seeded.
 */
import { Agent } from './agent';
import { rewardByEpsilon } from './replay';
import type { EpsilonSchedule } from './schedule';
import type { SearchSpace } from './search-space';
import { makeStrategy, type StrategyKind } from './strategies';

export interface LabIteration {
  /** The agent's iteration, 1-based. */
  readonly iteration: number;
  readonly epsilon: number;
  /** The dropout-free net string. */
  readonly net: string;
  readonly accuracy: number;
  /** True when the net was trained (first proposed) at this iteration, false when reused. */
  readonly trained: boolean;
}

export interface SimulatedSearchOptions {
  readonly space: SearchSpace;
  readonly schedule: EpsilonSchedule;
  readonly seed: number;
  readonly strategy: StrategyKind;
  /** A net's accuracy (a fraction), e.g. `SurrogateOracle.accuracy`. */
  readonly oracle: (net: string) => number;
  /** Q-learning's replay samples per update (default the paper's 100). */
  readonly replaySamples?: number;
}

export class SimulatedSearch {
  readonly #agent: Agent;
  readonly #oracle: (net: string) => number;
  readonly #iterations: LabIteration[] = [];
  #done = false;

  constructor(options: SimulatedSearchOptions) {
    this.#agent = new Agent({
      space: options.space,
      schedule: options.schedule,
      seed: options.seed,
      strategy: makeStrategy(options.strategy, options.space, { replaySamples: options.replaySamples }),
    });
    this.#oracle = options.oracle;
  }

  get done(): boolean {
    return this.#done;
  }

  /** Every iteration so far, in order. */
  get iterations(): readonly LabIteration[] {
    return this.#iterations;
  }

  get trained(): number {
    return this.#agent.progress.trained;
  }

  get target(): number {
    return this.#agent.progress.target;
  }

  /** Runs up to `maxIterations` more iterations; returns those run (none once done). */
  step(maxIterations: number): LabIteration[] {
    const out: LabIteration[] = [];
    while (!this.#done && out.length < maxIterations) {
      const next = this.#agent.next();
      if (next.type === 'train') {
        const accuracy = this.#oracle(next.key);
        this.#agent.report(next.key, accuracy);
        out.push({ iteration: next.iteration, epsilon: next.epsilon, net: next.key, accuracy, trained: true });
      } else if (next.type === 'reused') {
        out.push({ iteration: next.iteration, epsilon: next.epsilon, net: next.key, accuracy: next.reward, trained: false });
      } else if (next.type === 'done') {
        this.#done = true;
      } else {
        // Every job reports before the next proposal, so neither 'wait' nor 'attached' can happen.
        throw new Error(`SimulatedSearch: unexpected agent step ${next.type}`);
      }
    }
    this.#iterations.push(...out);
    return out;
  }

  /** Runs to the end of the schedule. */
  run(): readonly LabIteration[] {
    while (!this.#done) this.step(1000);
    return this.#iterations;
  }
}

export interface EpsilonMean {
  readonly epsilon: number;
  /** Iterations at this ε, reused nets included (as Figure 3 counts them). */
  readonly iterations: number;
  readonly meanAccuracy: number;
}

export interface NetMetrics {
  /** Unique nets trained. */
  readonly nets: number;
  readonly best: number | null;
  readonly top5Mean: number | null;
  /** Unique nets with accuracy above the bar. */
  readonly aboveBar: number;
  /** Nets trained up to and including the first above the bar; null if none was. */
  readonly untilFirstAboveBar: number | null;
}

export interface LabMetrics {
  /** Highest ε first (the paper's Figure 3). */
  readonly byEpsilon: readonly EpsilonMean[];
  readonly all: NetMetrics;
  /** The same over the nets trained after the ε = 1 phase (at ε < 1). */
  readonly afterExploration: NetMetrics;
}

function netMetrics(trained: readonly LabIteration[], bar: number): NetMetrics {
  const sorted = trained.map((it) => it.accuracy).sort((a, b) => b - a);
  const first = trained.findIndex((it) => it.accuracy > bar);
  const top = sorted.slice(0, 5);
  return {
    nets: trained.length,
    best: sorted[0] ?? null,
    top5Mean: top.length === 0 ? null : top.reduce((a, b) => a + b, 0) / top.length,
    aboveBar: sorted.filter((a) => a > bar).length,
    untilFirstAboveBar: first < 0 ? null : first + 1,
  };
}

/** A run summed up against `bar` (e.g. the sampled nets' 90th percentile). */
export function labMetrics(iterations: readonly LabIteration[], bar: number): LabMetrics {
  const trained = iterations.filter((it) => it.trained);
  return {
    byEpsilon: rewardByEpsilon(iterations.map((it) => ({ net: it.net, reward: it.accuracy, iteration: it.iteration, epsilon: it.epsilon }))).map((g) => ({
      epsilon: g.epsilon,
      iterations: g.count,
      meanAccuracy: g.meanReward,
    })),
    all: netMetrics(trained, bar),
    afterExploration: netMetrics(
      trained.filter((it) => it.epsilon < 1),
      bar,
    ),
  };
}
