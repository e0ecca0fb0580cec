/**
 * Search strategies behind one interface: propose a net for an ε, learn from results.
 * `qLearningStrategy` is MetaQNN (spec section 2); `randomSearchStrategy` (ε = 1 always,
 * learns nothing) is the baseline every benchmark compares against. A new strategy (the
 * seed's policy gradient) implements `Strategy` and adds a case to `strategyFromJSON`.
 */
import { evolutionFromJSON, evolutionStrategy, type EvolutionJson } from './evolution';
import type { Net } from './types';
import { readLiteral, readNumber, readObject } from './json-check';
import { parseNetwork } from './network-string';
import { deserializeQTable, initialQValue, QTable, type QTableJson } from './q-table';
import { paperReplaySamples, sampleReplay, type ReplayEntry } from './replay';
import type { Rng } from './rng';
import type { SearchSpace } from './search-space';
import { actionKey, legalActions, stateKey, trajectoryOf } from './states';
import { epsilonGreedyWalk } from './walk';

export { epsilonGreedyWalk } from './walk';

export interface Strategy {
  readonly kind: StrategyJson['kind'];
  /** A dropout-free net, walked from the start state with this ε, drawing only from `rng`. */
  propose(epsilon: number, rng: Rng): Net;
  /**
   * Called once per iteration incorporated into the replay memory (`latest` is already in
   * `memory`), in the order the agent incorporates them.
   */
  learn(latest: ReplayEntry, memory: readonly ReplayEntry[], rng: Rng): void;
  /** The strategy's whole state as plain JSON; `strategyFromJSON` rebuilds it. */
  toJSON(): StrategyJson;
}

export type StrategyJson =
  | {
      readonly kind: 'q-learning';
      readonly alpha: number;
      readonly gamma: number;
      readonly replaySamples: number;
      readonly qTable: QTableJson;
    }
  | { readonly kind: 'random' }
  | EvolutionJson;

export interface QLearningOptions {
  /** Learning rate α (paper Table 2: 0.01). */
  readonly alpha?: number;
  /** Discount γ (paper: 1). */
  readonly gamma?: number;
  /** Replay samples per incorporated iteration (paper: 100; the authors' code: 128). */
  readonly replaySamples?: number;
  /** Q-value of pairs never updated (paper: 0.5). Ignored when `qTable` is given. */
  readonly initialValue?: number;
  /** Continue from this table instead of an empty one. */
  readonly qTable?: QTable;
}

interface CompiledStep {
  readonly stateKey: string;
  readonly actionKey: string;
  readonly nextStateKey: string;
  /** Legal action keys of the next state; empty after SM. */
  readonly nextActionKeys: readonly string[];
}

export interface QLearningStrategy extends Strategy {
  readonly kind: 'q-learning';
  readonly qTable: QTable;
  readonly alpha: number;
  readonly gamma: number;
  readonly replaySamples: number;
  /**
   * One reversed-trajectory update: terminal transition first with r = reward, then back to
   * the start with r = 0: Q(s,u) <- (1-α)Q(s,u) + α[r + γ max_u' Q(s',u')].
   */
  updateTrajectory(net: Net | string, reward: number): void;
}

/** MetaQNN's tabular Q-learning with experience replay. */
export function qLearningStrategy(space: SearchSpace, options: QLearningOptions = {}): QLearningStrategy {
  const alpha = options.alpha ?? 0.01;
  const gamma = options.gamma ?? 1;
  const replaySamples = options.replaySamples ?? paperReplaySamples;
  if (!(alpha > 0 && alpha <= 1)) throw new RangeError(`alpha must be in (0, 1], got ${alpha}`);
  if (!(gamma >= 0 && gamma <= 1)) throw new RangeError(`gamma must be in [0, 1], got ${gamma}`);
  if (!Number.isSafeInteger(replaySamples) || replaySamples < 1) {
    throw new RangeError(`replaySamples must be a positive integer, got ${replaySamples}`);
  }
  const qTable = options.qTable ?? new QTable(options.initialValue ?? initialQValue);

  // Derived caches, never serialised: the action set is a function of the state key.
  const actionKeysByState = new Map<string, readonly string[]>();
  const compiled = new Map<string, readonly CompiledStep[]>();

  function compile(net: Net | string): readonly CompiledStep[] {
    const text = typeof net === 'string' ? net : null;
    const cached = text === null ? undefined : compiled.get(text);
    if (cached) return cached;
    const layers = typeof net === 'string' ? parseNetwork(net) : net;
    const steps = trajectoryOf(layers, space).map(({ state, action, next }): CompiledStep => {
      const nextStateKey = stateKey(next, space);
      let nextActionKeys = actionKeysByState.get(nextStateKey);
      if (nextActionKeys === undefined) {
        nextActionKeys = legalActions(next, space).map(actionKey);
        actionKeysByState.set(nextStateKey, nextActionKeys);
      }
      return { stateKey: stateKey(state, space), actionKey: actionKey(action), nextStateKey, nextActionKeys };
    });
    if (text !== null) compiled.set(text, steps);
    return steps;
  }

  function updateTrajectory(net: Net | string, reward: number): void {
    const steps = compile(net);
    for (let i = steps.length - 1; i >= 0; i--) {
      const step = steps[i]!;
      const r = i === steps.length - 1 ? reward : 0;
      const target = r + gamma * qTable.max(step.nextStateKey, step.nextActionKeys);
      const q = qTable.get(step.stateKey, step.actionKey);
      qTable.set(step.stateKey, step.actionKey, (1 - alpha) * q + alpha * target);
    }
  }

  return {
    kind: 'q-learning',
    qTable,
    alpha,
    gamma,
    replaySamples,
    updateTrajectory,
    propose: (epsilon, rng) => epsilonGreedyWalk(space, epsilon, rng, (key, action) => qTable.get(key, actionKey(action))),
    learn(_latest, memory, rng) {
      for (const entry of sampleReplay(memory, replaySamples, rng)) updateTrajectory(entry.net, entry.reward);
    },
    toJSON: () => ({ kind: 'q-learning', alpha, gamma, replaySamples, qTable: qTable.toJSON() }),
  };
}

/** The baseline: every walk uniformly random (ε = 1 whatever the schedule says), no learning. */
export function randomSearchStrategy(space: SearchSpace): Strategy {
  return {
    kind: 'random',
    propose: (_epsilon, rng) => epsilonGreedyWalk(space, 1, rng),
    learn: () => {},
    toJSON: () => ({ kind: 'random' }),
  };
}

/** Rebuilds a strategy from `strategy.toJSON()`; errors name the bad field. */
export function strategyFromJSON(json: unknown, space: SearchSpace, path = 'strategy'): Strategy {
  const o = readObject(json, path);
  const kind = readLiteral(o['kind'], `${path}.kind`, strategyKinds);
  if (kind === 'random') return randomSearchStrategy(space);
  if (kind === 'evolution') return evolutionFromJSON(o, space, path);
  return qLearningStrategy(space, {
    alpha: readNumber(o['alpha'], `${path}.alpha`, { min: Number.MIN_VALUE, max: 1 }),
    gamma: readNumber(o['gamma'], `${path}.gamma`, { min: 0, max: 1 }),
    replaySamples: readNumber(o['replaySamples'], `${path}.replaySamples`, { integer: true, min: 1 }),
    qTable: deserializeQTable(o['qTable'], `${path}.qTable`),
  });
}

export const strategyKinds = ['q-learning', 'random', 'evolution'] as const;
export type StrategyKind = (typeof strategyKinds)[number];

/** A fresh strategy of a kind, with the paper's settings unless `replaySamples` says otherwise. */
export function makeStrategy(kind: StrategyKind, space: SearchSpace, options: { readonly replaySamples?: number } = {}): Strategy {
  if (kind === 'random') return randomSearchStrategy(space);
  if (kind === 'evolution') return evolutionStrategy(space);
  return qLearningStrategy(space, { replaySamples: options.replaySamples });
}
