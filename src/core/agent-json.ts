/**
 * The agent's saved form (agent.ts steps; this file says what its state looks like on disk):
 * `AgentJson`, what `Agent.toJSON()` writes; `readAgentJson`, which checks a saved agent field
 * by field and the parts against each other before `Agent.fromJSON` restores it; the key nets
 * are stored by; and `replayQTable`, the check that the saved Q-table is what its replay
 * memory gives.
 */
import type { Net } from './types';
import { dropoutRules, stripDropout, type DropoutRule } from './dropout';
import {
  CorruptDataError,
  readArray,
  readJson,
  readLiteral,
  readNumber,
  readObject,
  readString,
} from './json-check';
import { formatNetwork, parseNetwork } from './network-string';
import type { ReplayEntry } from './replay';
import { createRng, restoreRng, type Rng } from './rng';
import { checkSchedule, type EpsilonSchedule } from './schedule';
import { checkSearchSpace, type SearchSpace } from './search-space';
import { evolutionStrategy, type EvolutionStrategy } from './evolution';
import { qLearningStrategy, strategyFromJSON, type QLearningStrategy, type Strategy, type StrategyJson } from './strategies';
import { validateNetwork } from './validate';

/** A net being trained, with the iterations that proposed it again meanwhile. */
export interface AgentJob {
  readonly level: number;
  readonly iteration: number;
  readonly epsilon: number;
  readonly attached: { readonly iteration: number; readonly epsilon: number }[];
}

export interface AgentJson {
  readonly format: 'metaqnn-agent';
  readonly version: 1;
  readonly config: {
    readonly space: SearchSpace;
    readonly schedule: EpsilonSchedule;
    readonly seed: number;
    readonly dropout: DropoutRule;
    readonly paramCap: number | null;
    readonly maxWalksPerProposal: number;
    readonly maxProposalsWithoutTraining: number;
  };
  readonly strategy: StrategyJson;
  readonly rng: readonly number[];
  readonly learnRng: readonly number[];
  readonly iteration: number;
  readonly trainedPerLevel: readonly number[];
  readonly proposalsWithoutTraining: number;
  readonly replay: readonly ReplayEntry[];
  readonly inFlight: readonly ({ readonly net: string } & AgentJob)[];
}

/** A saved agent, checked: its configuration (an `AgentConfig`) and its state, fresh copies. */
export type SavedAgent = AgentJson['config'] & {
  readonly strategy: Strategy;
  readonly rng: Rng;
  readonly learnRng: Rng;
  readonly iteration: number;
  readonly proposalsWithoutTraining: number;
  readonly trainedPerLevel: number[];
  readonly replay: ReplayEntry[];
  /** key -> reward of the first (trained) entry. */
  readonly trained: Map<string, number>;
  readonly inFlight: Map<string, AgentJob>;
};

/** Seed of the replay-sampling stream, derived from the agent's seed. */
export function learnSeed(seed: number): number {
  return (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ 0x27d4eb2f) >>> 0;
}

/** The replay/Q-table identity of a net: its dropout-free string. */
export function networkKey(net: Net | string): string {
  return formatNetwork(stripDropout(typeof net === 'string' ? parseNetwork(net) : net));
}

/** The current ε level: the first whose count of trained nets is not reached (schedule length when done). */
export function currentLevel(schedule: EpsilonSchedule, trainedPerLevel: readonly number[]): number {
  const i = schedule.findIndex((level, k) => trainedPerLevel[k]! < level.nets);
  return i === -1 ? schedule.length : i;
}

/**
 * The Q-table that replaying `json.replay` in order through a fresh copy of the agent's
 * strategy gives. Equal to `json.strategy` for every agent whatever the order of proposals,
 * tabs and trainers: the check that no result was counted twice or lost.
 */
export function replayQTable(json: AgentJson): StrategyJson {
  const space = checkSearchSpace(json.config.space, 'agent.config.space');
  const stored = strategyFromJSON(json.strategy, space, 'agent.strategy');
  if (stored.kind === 'evolution') {
    // The population is the replay's last members, in order: replaying must give it back.
    const e = stored as EvolutionStrategy;
    const fresh = evolutionStrategy(space, { populationSize: e.populationSize, sampleSize: e.sampleSize });
    const rng = createRng(learnSeed(json.config.seed));
    for (const entry of json.replay) fresh.learn(entry, [], rng);
    return fresh.toJSON();
  }
  if (stored.kind !== 'q-learning') return stored.toJSON();
  const q = stored as QLearningStrategy;
  const fresh = qLearningStrategy(space, {
    replaySamples: q.replaySamples,
    alpha: q.alpha,
    gamma: q.gamma,
    initialValue: q.qTable.initialValue,
  });
  const rng = createRng(learnSeed(json.config.seed));
  const memory: ReplayEntry[] = [];
  for (const entry of json.replay) {
    memory.push(entry);
    fresh.learn(entry, memory, rng);
  }
  return fresh.toJSON();
}

/**
 * Checks a saved agent (after any JSON round trip): every field, and the parts against each
 * other. Errors name the path, e.g. `agent.replay[12].reward: expected a finite number, got "0.9x"`.
 */
export function readAgentJson(json: unknown, path: string): SavedAgent {
  const o = readObject(json, path);
  readLiteral(o['format'], `${path}.format`, ['metaqnn-agent'] as const);
  readLiteral(o['version'], `${path}.version`, [1] as const);
  const c = readObject(o['config'], `${path}.config`);
  const space = checkSearchSpace(c['space'], `${path}.config.space`);
  const schedule = checkSchedule(c['schedule'], `${path}.config.schedule`);
  const seed = readNumber(c['seed'], `${path}.config.seed`, { integer: true });
  const dropout = readLiteral(c['dropout'], `${path}.config.dropout`, dropoutRules);
  const paramCap = c['paramCap'] === null ? null : readNumber(c['paramCap'], `${path}.config.paramCap`, { min: 1 });
  const maxWalksPerProposal = readNumber(c['maxWalksPerProposal'], `${path}.config.maxWalksPerProposal`, { integer: true, min: 1 });
  const maxProposalsWithoutTraining = readNumber(c['maxProposalsWithoutTraining'], `${path}.config.maxProposalsWithoutTraining`, {
    integer: true,
    min: 1,
  });
  const strategy = strategyFromJSON(o['strategy'], space, `${path}.strategy`);
  const rng = restoreRng(o['rng'], `${path}.rng`);
  const learnRng = restoreRng(o['learnRng'], `${path}.learnRng`);
  const iteration = readNumber(o['iteration'], `${path}.iteration`, { integer: true, min: 0 });
  const proposalsWithoutTraining = readNumber(o['proposalsWithoutTraining'], `${path}.proposalsWithoutTraining`, {
    integer: true,
    min: 0,
  });

  const savedCounts = readArray(o['trainedPerLevel'], `${path}.trainedPerLevel`);
  if (savedCounts.length !== schedule.length) {
    throw new CorruptDataError(`${path}.trainedPerLevel`, `expected ${schedule.length} counts (one per ε level), got ${savedCounts.length}`);
  }
  const trainedPerLevel = savedCounts.map((n, i) =>
    readNumber(n, `${path}.trainedPerLevel[${i}]`, { integer: true, min: 0, max: schedule[i]!.nets }),
  );

  const checkedNets = new Set<string>();
  const checkNet = (value: unknown, at: string): string => {
    const text = readString(value, at);
    if (checkedNets.has(text)) return text;
    let net: Net;
    try {
      net = parseNetwork(text);
    } catch (error) {
      throw new CorruptDataError(at, (error as Error).message);
    }
    const problems = validateNetwork(net, space);
    if (problems.length > 0) throw new CorruptDataError(at, `${text} breaks the search space: ${problems.join('; ')}`);
    if (formatNetwork(net) !== text) throw new CorruptDataError(at, `expected the dropout-free form ${networkKey(net)}, got ${text}`);
    checkedNets.add(text);
    return text;
  };
  const checkIteration = (value: unknown, at: string): number => readNumber(value, at, { integer: true, min: 1, max: iteration });

  const replay: ReplayEntry[] = [];
  const trained = new Map<string, number>();
  readArray(o['replay'], `${path}.replay`).forEach((item, i) => {
    const at = `${path}.replay[${i}]`;
    const e = readObject(item, at);
    const entry: ReplayEntry = {
      net: checkNet(e['net'], `${at}.net`),
      reward: readNumber(e['reward'], `${at}.reward`),
      iteration: checkIteration(e['iteration'], `${at}.iteration`),
      epsilon: readNumber(e['epsilon'], `${at}.epsilon`, { min: 0, max: 1 }),
      ...(e['extra'] === undefined ? {} : { extra: readObject(readJson(e['extra'], `${at}.extra`), `${at}.extra`) as ReplayEntry['extra'] }),
    };
    const stored = trained.get(entry.net);
    if (stored === undefined) trained.set(entry.net, entry.reward);
    else if (stored !== entry.reward) {
      throw new CorruptDataError(`${at}.reward`, `${entry.net} was stored with reward ${stored} earlier, here ${entry.reward}`);
    }
    replay.push(entry);
  });
  const trainedTotal = trainedPerLevel.reduce((a, b) => a + b, 0);
  if (trainedTotal !== trained.size) {
    throw new CorruptDataError(
      `${path}.trainedPerLevel`,
      `counts add up to ${trainedTotal} but the replay memory holds ${trained.size} distinct nets`,
    );
  }

  const level = currentLevel(schedule, trainedPerLevel);
  const inFlight = new Map<string, AgentJob>();
  readArray(o['inFlight'], `${path}.inFlight`).forEach((item, i) => {
    const at = `${path}.inFlight[${i}]`;
    const j = readObject(item, at);
    const key = checkNet(j['net'], `${at}.net`);
    if (trained.has(key)) throw new CorruptDataError(`${at}.net`, `${key} is in flight but already in the replay memory`);
    if (inFlight.has(key)) throw new CorruptDataError(`${at}.net`, `${key} is in flight twice`);
    const jobLevel = readNumber(j['level'], `${at}.level`, { integer: true, min: 0 });
    if (jobLevel !== level) {
      throw new CorruptDataError(`${at}.level`, `a pending job must belong to the current ε level ${level}, got ${jobLevel}`);
    }
    inFlight.set(key, {
      level: jobLevel,
      iteration: checkIteration(j['iteration'], `${at}.iteration`),
      epsilon: readNumber(j['epsilon'], `${at}.epsilon`, { min: 0, max: 1 }),
      attached: readArray(j['attached'], `${at}.attached`).map((a, k) => {
        const attached = readObject(a, `${at}.attached[${k}]`);
        return {
          iteration: checkIteration(attached['iteration'], `${at}.attached[${k}].iteration`),
          epsilon: readNumber(attached['epsilon'], `${at}.attached[${k}].epsilon`, { min: 0, max: 1 }),
        };
      }),
    });
  });

  return {
    space,
    schedule,
    seed,
    dropout,
    paramCap,
    maxWalksPerProposal,
    maxProposalsWithoutTraining,
    strategy,
    rng,
    learnRng,
    iteration,
    proposalsWithoutTraining,
    trainedPerLevel,
    replay,
    trained,
    inFlight,
  };
}
