/**
 * Regularized (aging) evolution (Real, Aggarwal, Huang, Le, "Regularized Evolution for Image
 * Classifier Architecture Search", AAAI 2019) over MetaQNN's space (issue 16). The first
 * `populationSize` nets are uniform random walks; after that each proposal samples
 * `sampleSize` members, takes the best (highest reward) and mutates one layer of it: replace,
 * insert or remove, the new layer drawn from the legal actions at that point. A mutant that
 * breaks a rule of the space is discarded and another mutation drawn; every net it proposes
 * passes `validateNetwork`. Each result joins the population and the oldest member leaves
 * (aging, not the worst). Pure and seeded: all randomness comes from the `rng` passed in, and
 * the whole state is plain JSON.
 */
import { readNumber, readObject } from './json-check';
import { formatNetwork, parseNetwork } from './network-string';
import type { ReplayEntry } from './replay';
import type { Rng } from './rng';
import type { SearchSpace } from './search-space';
import { applyAction, legalActions, startState } from './states';
import { epsilonGreedyWalk } from './walk';
import type { Layer, Net } from './types';
import { validateNetwork } from './validate';

export interface EvolutionMember {
  /** The net without dropout, formatted. */
  readonly net: string;
  readonly reward: number;
}

export interface EvolutionJson {
  readonly kind: 'evolution';
  readonly populationSize: number;
  readonly sampleSize: number;
  /** Oldest first. */
  readonly population: readonly EvolutionMember[];
}

export interface EvolutionOptions {
  /** Members kept (the paper's P; default 20, sized for searches of hundreds of nets). */
  readonly populationSize?: number;
  /** Members sampled per tournament (the paper's S; default 5). */
  readonly sampleSize?: number;
  /** Continue from this population, oldest first. */
  readonly population?: readonly EvolutionMember[];
}

/** Mutations tried before a proposal falls back to a random walk (only nets with no legal mutation get there). */
const MUTATION_ATTEMPTS = 64;

export interface EvolutionStrategy {
  readonly kind: 'evolution';
  readonly populationSize: number;
  readonly sampleSize: number;
  readonly population: readonly EvolutionMember[];
  propose(epsilon: number, rng: Rng): Net;
  learn(latest: ReplayEntry, memory: readonly ReplayEntry[], rng: Rng): void;
  toJSON(): EvolutionJson;
}

export function evolutionStrategy(space: SearchSpace, options: EvolutionOptions = {}): EvolutionStrategy {
  const populationSize = options.populationSize ?? 20;
  const sampleSize = options.sampleSize ?? 5;
  if (!Number.isSafeInteger(populationSize) || populationSize < 2) throw new RangeError(`populationSize must be an integer of at least 2, got ${populationSize}`);
  if (!Number.isSafeInteger(sampleSize) || sampleSize < 1 || sampleSize > populationSize) {
    throw new RangeError(`sampleSize must be an integer from 1 to populationSize (${populationSize}), got ${sampleSize}`);
  }
  const population: EvolutionMember[] = [...(options.population ?? [])].slice(-populationSize);
  return {
    kind: 'evolution',
    populationSize,
    sampleSize,
    population,
    // ε is the schedule's label only: evolution explores by mutation, not by ε.
    propose(_epsilon, rng) {
      if (population.length < populationSize) return epsilonGreedyWalk(space, 1, rng);
      let parent = population[rng.int(population.length)]!;
      for (let k = 1; k < sampleSize; k++) {
        const member = population[rng.int(population.length)]!;
        if (member.reward > parent.reward) parent = member;
      }
      return mutate(parseNetwork(parent.net), space, rng);
    },
    learn(latest) {
      population.push({ net: latest.net, reward: latest.reward });
      while (population.length > populationSize) population.shift();
    },
    toJSON: () => ({ kind: 'evolution', populationSize, sampleSize, population: population.map((m) => ({ ...m })) }),
  };
}

/**
 * One layer of `parent` replaced, inserted or removed (SM stays last); the new layer is one of
 * the legal actions at that point. Only a mutant that differs from the parent and passes
 * `validateNetwork` is returned; after MUTATION_ATTEMPTS failures, a random walk.
 */
export function mutate(parent: Net, space: SearchSpace, rng: Rng): Net {
  const layers = parent.filter((l) => l.kind !== 'dropout');
  const last = layers[layers.length - 1];
  if (!last || last.kind !== 'softmax') throw new Error(`mutate: the parent must end in SM, got ${formatNetwork(parent)}`);
  const body = layers.slice(0, -1);
  const original = formatNetwork(layers);
  for (let attempt = 0; attempt < MUTATION_ATTEMPTS; attempt++) {
    let op = rng.int(3); // 0 replace, 1 insert, 2 remove
    if (body.length === 0) op = 1;
    const at = op === 1 ? rng.int(body.length + 1) : rng.int(body.length);
    let child: Layer[];
    if (op === 2) {
      child = [...body.slice(0, at), ...body.slice(at + 1)];
    } else {
      let state = startState(space);
      for (let j = 0; j < at; j++) state = applyAction(state, body[j]!);
      const actions = legalActions(state, space).filter((a) => a.kind !== 'softmax');
      if (actions.length === 0) continue;
      const layer = actions[rng.int(actions.length)]!;
      child = op === 0 ? [...body.slice(0, at), layer, ...body.slice(at + 1)] : [...body.slice(0, at), layer, ...body.slice(at)];
    }
    const net = [...child, last];
    if (formatNetwork(net) !== original && validateNetwork(net, space).length === 0) return net;
  }
  return epsilonGreedyWalk(space, 1, rng);
}

/** Rebuilds the strategy from `toJSON()`; errors name the bad field. */
export function evolutionFromJSON(o: Record<string, unknown>, space: SearchSpace, path: string): EvolutionStrategy {
  const populationSize = readNumber(o['populationSize'], `${path}.populationSize`, { integer: true, min: 2, max: 100_000 });
  const sampleSize = readNumber(o['sampleSize'], `${path}.sampleSize`, { integer: true, min: 1, max: populationSize });
  const list = o['population'];
  if (!Array.isArray(list)) throw new Error(`${path}.population: expected an array`);
  if (list.length > populationSize) throw new Error(`${path}.population: ${list.length} members, more than populationSize ${populationSize}`);
  const population = list.map((item, i) => {
    const m = readObject(item, `${path}.population[${i}]`);
    const text = m['net'];
    if (typeof text !== 'string') throw new Error(`${path}.population[${i}].net: expected a network string`);
    const net = parseNetwork(text);
    const problems = validateNetwork(net, space);
    if (problems.length > 0) throw new Error(`${path}.population[${i}].net: ${problems[0]}`);
    return { net: formatNetwork(net), reward: readNumber(m['reward'], `${path}.population[${i}].reward`, { min: -1e9, max: 1e9 }) };
  });
  return evolutionStrategy(space, { populationSize, sampleSize, population });
}
