/**
 * The search's brain (spec section 2): walks the ε schedule, asks the strategy for nets,
 * reuses stored accuracies, attaches repeats to running jobs, and feeds results back through
 * the replay memory. It does no I/O: an orchestrator calls `next()` for work and `report()`
 * with results, and persists `toJSON()` after each. `Agent.fromJSON` continues exactly as the
 * uninterrupted agent would: every random draw comes from one seeded generator whose state
 * is part of the JSON, and nothing else carries state.
 *
 * Bookkeeping follows the authors' server (q_server.py): every proposal is an iteration; a
 * net already trained is not retrained, its stored reward is appended to the replay memory
 * and one replay update runs; a net already in flight gets the iteration attached, and when
 * that job reports, every attached iteration is appended and gets its own replay update. An
 * ε level is complete when its count of UNIQUE nets trained (reported) reaches the schedule.
 * Unlike the server, the agent never dispatches past a level's count: while pending jobs
 * could complete the level it answers 'wait'.
 */
import type { Net } from './types';
import { dropoutRules, insertDropout, stripDropout, type DropoutRule } from './dropout';
import {
  CorruptDataError,
  readArray,
  readJson,
  readLiteral,
  readNumber,
  readObject,
  readString,
  type JsonValue,
} from './json-check';
import { formatNetwork, parseNetwork } from './network-string';
import type { ReplayEntry } from './replay';
import { createRng, restoreRng, type Rng } from './rng';
import { checkSchedule, type EpsilonSchedule } from './schedule';
import { checkSearchSpace, type SearchSpace } from './search-space';
import { countParams } from './shapes';
import { qLearningStrategy, strategyFromJSON, type QLearningStrategy, type Strategy, type StrategyJson } from './strategies';
import { validateNetwork } from './validate';

export interface AgentConfig {
  readonly space: SearchSpace;
  readonly schedule: EpsilonSchedule;
  /** Seeds the agent's only random generator. */
  readonly seed: number;
  /** Default: `qLearningStrategy(space)` (paper α, γ, 100 replay samples). */
  readonly strategy?: Strategy;
  /** Dropout placed into every net handed out (spec section 3). Default 'seed'. */
  readonly dropout?: DropoutRule;
  /**
   * Nets with more parameters than this are never proposed: the over-cap walk is discarded
   * (no iteration, no Q update, its random draws stay consumed) and a new walk is drawn from
   * the start with the same ε, up to `maxWalksPerProposal` times, after which `next()` throws.
   */
  readonly paramCap?: number | null;
  /** Default 1000. */
  readonly maxWalksPerProposal?: number;
  /**
   * Guard for a space smaller than the schedule: after this many proposals in a row that
   * trained nothing (reused or attached), `next()` answers 'wait' while jobs are pending
   * (a report resets the count) or 'done' with reason 'space-exhausted'. Default 1000.
   */
  readonly maxProposalsWithoutTraining?: number;
}

export type AgentStep =
  /** Train this net (dropout placed) and `report` its reward. */
  | { readonly type: 'train'; readonly net: Net; readonly key: string; readonly iteration: number; readonly epsilon: number }
  /** Already trained: the stored reward was reused, Q updates applied; nothing to train. */
  | {
      readonly type: 'reused';
      readonly net: Net;
      readonly key: string;
      readonly reward: number;
      readonly iteration: number;
      readonly epsilon: number;
    }
  /** Already being trained: the iteration is counted when that job reports. */
  | { readonly type: 'attached'; readonly net: Net; readonly key: string; readonly iteration: number; readonly epsilon: number }
  /**
   * Nothing to hand out until a pending job reports: the current ε level (the last one too)
   * is covered by pending jobs, or proposals stalled (see maxProposalsWithoutTraining).
   */
  | { readonly type: 'wait'; readonly reason: 'level-pending' | 'stalled' }
  | { readonly type: 'done'; readonly reason: 'schedule-complete' | 'space-exhausted' };

export interface AgentProgress {
  /** Index of the current ε level; equals the schedule length when the schedule is done. */
  readonly level: number;
  /** ε of the current level, null when done. */
  readonly epsilon: number | null;
  readonly trainedAtLevel: number;
  readonly targetAtLevel: number;
  readonly trained: number;
  readonly target: number;
  readonly iteration: number;
  readonly inFlight: number;
}

interface Job {
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
  readonly inFlight: readonly ({ readonly net: string } & Job)[];
}

/** Seed of the replay-sampling stream, derived from the agent's seed. */
export function learnSeed(seed: number): number {
  return (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ 0x27d4eb2f) >>> 0;
}

/**
 * The Q-table that replaying `json.replay` in order through a fresh copy of the agent's
 * strategy gives. Equal to `json.strategy` for every agent whatever the order of proposals,
 * tabs and trainers: the check that no result was counted twice or lost.
 */
export function replayQTable(json: AgentJson): StrategyJson {
  const space = checkSearchSpace(json.config.space, 'agent.config.space');
  const stored = strategyFromJSON(json.strategy, space, 'agent.strategy');
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

/** The replay/Q-table identity of a net: its dropout-free string. */
export function networkKey(net: Net | string): string {
  return formatNetwork(stripDropout(typeof net === 'string' ? parseNetwork(net) : net));
}

export class Agent {
  readonly space: SearchSpace;
  readonly schedule: EpsilonSchedule;
  readonly seed: number;
  readonly dropout: DropoutRule;
  readonly paramCap: number | null;
  readonly maxWalksPerProposal: number;
  readonly maxProposalsWithoutTraining: number;
  readonly strategy: Strategy;

  #rng: Rng;
  /**
   * Replay sampling draws from its own stream, so the Q-table is a pure function of the seed
   * and the ordered replay memory (`replayQTable` recomputes it; multi-tab tests check it),
   * whatever proposals were interleaved.
   */
  #learnRng: Rng;
  #iteration = 0;
  #trainedPerLevel: number[];
  #proposalsWithoutTraining = 0;
  readonly #replay: ReplayEntry[] = [];
  /** key -> reward of the first (trained) entry. */
  readonly #trained = new Map<string, number>();
  readonly #inFlight = new Map<string, Job>();

  constructor(config: AgentConfig) {
    this.space = checkSearchSpace(config.space, 'config.space');
    this.schedule = checkSchedule(config.schedule, 'config.schedule');
    this.seed = readNumber(config.seed, 'config.seed', { integer: true });
    this.dropout = readLiteral(config.dropout ?? 'seed', 'config.dropout', dropoutRules);
    this.paramCap = config.paramCap == null ? null : readNumber(config.paramCap, 'config.paramCap', { min: 1 });
    this.maxWalksPerProposal = readNumber(config.maxWalksPerProposal ?? 1000, 'config.maxWalksPerProposal', { integer: true, min: 1 });
    this.maxProposalsWithoutTraining = readNumber(
      config.maxProposalsWithoutTraining ?? 1000,
      'config.maxProposalsWithoutTraining',
      { integer: true, min: 1 },
    );
    this.strategy = config.strategy ?? qLearningStrategy(this.space);
    this.#rng = createRng(this.seed);
    this.#learnRng = createRng(learnSeed(this.seed));
    this.#trainedPerLevel = this.schedule.map(() => 0);
  }

  /** The current ε level index (schedule length when complete). */
  get #level(): number {
    const i = this.schedule.findIndex((level, k) => this.#trainedPerLevel[k]! < level.nets);
    return i === -1 ? this.schedule.length : i;
  }

  get progress(): AgentProgress {
    const level = this.#level;
    const current = this.schedule[level];
    return {
      level,
      epsilon: current?.epsilon ?? null,
      trainedAtLevel: this.#trainedPerLevel[level] ?? 0,
      targetAtLevel: current?.nets ?? 0,
      trained: this.#trained.size,
      target: this.schedule.reduce((sum, l) => sum + l.nets, 0),
      iteration: this.#iteration,
      inFlight: this.#inFlight.size,
    };
  }

  /** Every incorporated iteration in order (trained, reused and attached ones). */
  get replay(): readonly ReplayEntry[] {
    return this.#replay;
  }

  /** Keys of the nets being trained now, in dispatch order. */
  get inFlight(): readonly string[] {
    return [...this.#inFlight.keys()];
  }

  /** The stored reward of a trained net, or undefined. */
  rewardOf(net: Net | string): number | undefined {
    return this.#trained.get(networkKey(net));
  }

  /** The next piece of work. See AgentStep; 'reused' and 'attached' are already counted. */
  next(): AgentStep {
    const level = this.#level;
    const current = this.schedule[level];
    // A level completes only when its own reports reach its count, and jobs are only handed
    // out while trained + pending < count, so every pending job belongs to the current level.
    if (current === undefined) return { type: 'done', reason: 'schedule-complete' };
    if (this.#trainedPerLevel[level]! + this.#inFlight.size >= current.nets) return { type: 'wait', reason: 'level-pending' };
    if (this.#proposalsWithoutTraining >= this.maxProposalsWithoutTraining) {
      return this.#inFlight.size > 0 ? { type: 'wait', reason: 'stalled' } : { type: 'done', reason: 'space-exhausted' };
    }

    const epsilon = current.epsilon;
    const architecture = this.#proposeWithinCap(epsilon);
    const key = formatNetwork(architecture);
    const net = insertDropout(architecture, this.dropout);
    const iteration = ++this.#iteration;

    const storedReward = this.#trained.get(key);
    if (storedReward !== undefined) {
      this.#proposalsWithoutTraining++;
      this.#incorporate([{ net: key, reward: storedReward, iteration, epsilon }]);
      return { type: 'reused', net, key, reward: storedReward, iteration, epsilon };
    }
    const running = this.#inFlight.get(key);
    if (running !== undefined) {
      this.#proposalsWithoutTraining++;
      running.attached.push({ iteration, epsilon });
      return { type: 'attached', net, key, iteration, epsilon };
    }
    this.#proposalsWithoutTraining = 0;
    this.#inFlight.set(key, { level, iteration, epsilon, attached: [] });
    return { type: 'train', net, key, iteration, epsilon };
  }

  /**
   * Records the reward of a net handed out by 'train' (dropout tokens or not, string or
   * layers), for its own iteration and every iteration attached to it, and applies one replay
   * update per iteration. Throws if the net is not in flight or the reward is not finite.
   */
  report(net: Net | string, reward: number, extra?: { readonly [key: string]: JsonValue }): void {
    const key = networkKey(net);
    const job = this.#inFlight.get(key);
    if (job === undefined) throw new Error(`report: ${key} is not in flight (never handed out for training, or already reported)`);
    if (!Number.isFinite(reward)) throw new RangeError(`report: reward for ${key} must be a finite number, got ${reward}`);
    const checkedExtra = extra === undefined ? undefined : (readJson(extra, 'report extra') as ReplayEntry['extra']);
    this.#inFlight.delete(key);
    this.#trainedPerLevel[job.level]!++;
    this.#trained.set(key, reward);
    this.#proposalsWithoutTraining = 0;
    const first: ReplayEntry = { net: key, reward, iteration: job.iteration, epsilon: job.epsilon };
    this.#incorporate([
      checkedExtra === undefined ? first : { ...first, extra: checkedExtra },
      ...job.attached.map(({ iteration, epsilon }) => ({ net: key, reward, iteration, epsilon })),
    ]);
  }

  /** Forgets a job that will never report (its attached iterations are dropped); the level hands out another net. */
  cancel(net: Net | string): void {
    const key = networkKey(net);
    if (!this.#inFlight.delete(key)) throw new Error(`cancel: ${key} is not in flight`);
  }

  #incorporate(entries: readonly ReplayEntry[]): void {
    // One entry at a time: the memory each update samples from ends with that entry.
    for (const entry of entries) {
      this.#replay.push(entry);
      this.strategy.learn(entry, this.#replay, this.#learnRng);
    }
  }

  #proposeWithinCap(epsilon: number): Net {
    for (let walk = 0; walk < this.maxWalksPerProposal; walk++) {
      const net = this.strategy.propose(epsilon, this.#rng);
      if (this.paramCap === null || countParams(net, this.space.inputShape) <= this.paramCap) return net;
    }
    throw new Error(
      `no net within the parameter cap ${this.paramCap} in ${this.maxWalksPerProposal} walks at ε = ${epsilon}; raise the cap or shrink the search space`,
    );
  }

  toJSON(): AgentJson {
    return {
      format: 'metaqnn-agent',
      version: 1,
      config: {
        space: this.space,
        schedule: this.schedule,
        seed: this.seed,
        dropout: this.dropout,
        paramCap: this.paramCap,
        maxWalksPerProposal: this.maxWalksPerProposal,
        maxProposalsWithoutTraining: this.maxProposalsWithoutTraining,
      },
      strategy: this.strategy.toJSON(),
      rng: this.#rng.state(),
      learnRng: this.#learnRng.state(),
      iteration: this.#iteration,
      trainedPerLevel: [...this.#trainedPerLevel],
      proposalsWithoutTraining: this.#proposalsWithoutTraining,
      replay: this.#replay.map((entry) => ({ ...entry })),
      inFlight: [...this.#inFlight].map(([net, job]) => ({ net, ...job, attached: job.attached.map((a) => ({ ...a })) })),
    };
  }

  /**
   * Restores an agent saved with `toJSON()` (after any JSON round trip). Every field is
   * checked, and the parts are checked against each other; errors name the path, e.g.
   * `agent.replay[12].reward: expected a finite number, got "0.9x"`.
   */
  static fromJSON(json: unknown, path = 'agent'): Agent {
    const o = readObject(json, path);
    readLiteral(o['format'], `${path}.format`, ['metaqnn-agent'] as const);
    readLiteral(o['version'], `${path}.version`, [1] as const);
    const c = readObject(o['config'], `${path}.config`);
    const space = checkSearchSpace(c['space'], `${path}.config.space`);
    const schedule = checkSchedule(c['schedule'], `${path}.config.schedule`);
    const agent = new Agent({
      space,
      schedule,
      seed: readNumber(c['seed'], `${path}.config.seed`, { integer: true }),
      dropout: readLiteral(c['dropout'], `${path}.config.dropout`, dropoutRules),
      paramCap: c['paramCap'] === null ? null : readNumber(c['paramCap'], `${path}.config.paramCap`, { min: 1 }),
      maxWalksPerProposal: readNumber(c['maxWalksPerProposal'], `${path}.config.maxWalksPerProposal`, { integer: true, min: 1 }),
      maxProposalsWithoutTraining: readNumber(c['maxProposalsWithoutTraining'], `${path}.config.maxProposalsWithoutTraining`, {
        integer: true,
        min: 1,
      }),
      strategy: strategyFromJSON(o['strategy'], space, `${path}.strategy`),
    });
    agent.#rng = restoreRng(o['rng'], `${path}.rng`);
    agent.#learnRng = restoreRng(o['learnRng'], `${path}.learnRng`);
    agent.#iteration = readNumber(o['iteration'], `${path}.iteration`, { integer: true, min: 0 });
    agent.#proposalsWithoutTraining = readNumber(o['proposalsWithoutTraining'], `${path}.proposalsWithoutTraining`, {
      integer: true,
      min: 0,
    });

    const trainedPerLevel = readArray(o['trainedPerLevel'], `${path}.trainedPerLevel`);
    if (trainedPerLevel.length !== schedule.length) {
      throw new CorruptDataError(`${path}.trainedPerLevel`, `expected ${schedule.length} counts (one per ε level), got ${trainedPerLevel.length}`);
    }
    agent.#trainedPerLevel = trainedPerLevel.map((n, i) =>
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
    const checkIteration = (value: unknown, at: string): number =>
      readNumber(value, at, { integer: true, min: 1, max: agent.#iteration });

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
      const stored = agent.#trained.get(entry.net);
      if (stored === undefined) agent.#trained.set(entry.net, entry.reward);
      else if (stored !== entry.reward) {
        throw new CorruptDataError(`${at}.reward`, `${entry.net} was stored with reward ${stored} earlier, here ${entry.reward}`);
      }
      agent.#replay.push(entry);
    });
    const trainedTotal = agent.#trainedPerLevel.reduce((a, b) => a + b, 0);
    if (trainedTotal !== agent.#trained.size) {
      throw new CorruptDataError(
        `${path}.trainedPerLevel`,
        `counts add up to ${trainedTotal} but the replay memory holds ${agent.#trained.size} distinct nets`,
      );
    }

    readArray(o['inFlight'], `${path}.inFlight`).forEach((item, i) => {
      const at = `${path}.inFlight[${i}]`;
      const j = readObject(item, at);
      const key = checkNet(j['net'], `${at}.net`);
      if (agent.#trained.has(key)) throw new CorruptDataError(`${at}.net`, `${key} is in flight but already in the replay memory`);
      if (agent.#inFlight.has(key)) throw new CorruptDataError(`${at}.net`, `${key} is in flight twice`);
      const level = readNumber(j['level'], `${at}.level`, { integer: true, min: 0 });
      if (level !== agent.#level) {
        throw new CorruptDataError(`${at}.level`, `a pending job must belong to the current ε level ${agent.#level}, got ${level}`);
      }
      agent.#inFlight.set(key, {
        level,
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
    return agent;
  }
}
