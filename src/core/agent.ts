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
import { currentLevel, learnSeed, networkKey, readAgentJson, type AgentJob, type AgentJson } from './agent-json';
import { dropoutRules, insertDropout, type DropoutRule } from './dropout';
import { readJson, readLiteral, readNumber, type JsonValue } from './json-check';
import { formatNetwork } from './network-string';
import type { ReplayEntry } from './replay';
import { createRng, type Rng } from './rng';
import { checkSchedule, type EpsilonSchedule } from './schedule';
import { checkSearchSpace, type SearchSpace } from './search-space';
import { countMultiplyAdds, countParams } from './shapes';
import { qLearningStrategy, type Strategy } from './strategies';

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

/** Walks tried for a net under the multiply-add cap before the cheapest of them is taken. */
const MULTIPLY_ADD_WALKS = 50;

export class Agent {
  readonly space: SearchSpace;
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
  #schedule: EpsilonSchedule;
  #trainedPerLevel: number[];
  #proposalsWithoutTraining = 0;
  #replay: ReplayEntry[] = [];
  /** key -> reward of the first (trained) entry. */
  #trained = new Map<string, number>();
  #inFlight = new Map<string, AgentJob>();
  #multiplyAddCap: number | null = null;

  constructor(config: AgentConfig) {
    this.space = checkSearchSpace(config.space, 'config.space');
    this.#schedule = checkSchedule(config.schedule, 'config.schedule');
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
    this.#trainedPerLevel = this.#schedule.map(() => 0);
  }

  /** Unique nets trained at each ε level so far. */
  get trainedPerLevel(): readonly number[] {
    return [...this.#trainedPerLevel];
  }

  /** Nets per ε level; `replan` may change the counts as a search goes (a time budget). */
  get schedule(): EpsilonSchedule {
    return this.#schedule;
  }

  /**
   * New net counts for the ε levels (same levels, same ε), e.g. as a time budget is re-planned.
   * Every level keeps at least the nets it has trained and has in flight, and no level after
   * the new current one may have trained nets: the search never goes back to a higher ε.
   * Throws naming the level otherwise. Proposals and the Q-table do not change.
   */
  replan(schedule: EpsilonSchedule): void {
    const next = checkSchedule(schedule, 'replan schedule');
    if (next.length !== this.#schedule.length) {
      throw new RangeError(`replan: expected ${this.#schedule.length} ε levels, got ${next.length}`);
    }
    const inFlightAt = next.map((_, i) => [...this.#inFlight.values()].filter((job) => job.level === i).length);
    next.forEach((level, i) => {
      const trained = this.#trainedPerLevel[i]!;
      if (level.epsilon !== this.#schedule[i]!.epsilon) {
        throw new RangeError(`replan: level ${i} has ε ${this.#schedule[i]!.epsilon}, not ${level.epsilon}`);
      }
      if (level.nets < trained + inFlightAt[i]!) {
        throw new RangeError(`replan: level ${i} (ε ${level.epsilon}) has ${trained} nets trained and ${inFlightAt[i]} in flight; ${level.nets} is too few`);
      }
    });
    const current = currentLevel(next, this.#trainedPerLevel);
    for (let j = current + 1; j < next.length; j++) {
      if (this.#trainedPerLevel[j]! > 0 || inFlightAt[j]! > 0) {
        throw new RangeError(`replan: level ${current} would be open again after nets were trained at level ${j} (ε ${next[j]!.epsilon})`);
      }
    }
    this.#schedule = next;
  }

  /** The current ε level index (schedule length when complete). */
  get #level(): number {
    return currentLevel(this.schedule, this.#trainedPerLevel);
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

  /** A net in flight's iterations (its own, then those attached to it) and its ε; undefined if it is not in flight. */
  pending(net: Net | string): { readonly iterations: readonly number[]; readonly epsilon: number } | undefined {
    const job = this.#inFlight.get(networkKey(net));
    return job && { iterations: [job.iteration, ...job.attached.map((a) => a.iteration)], epsilon: job.epsilon };
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

  /**
   * Multiply-adds a proposal should stay within (a time budget's cap from this device's speed;
   * null: none). Unlike the parameter cap it is a preference: when MULTIPLY_ADD_WALKS walks find
   * no net under it, the cheapest of them is proposed. Not part of the agent's state: the
   * search's leader sets it from its plan.
   */
  setMultiplyAddCap(cap: number | null): void {
    this.#multiplyAddCap = cap === null ? null : readNumber(cap, 'multiplyAddCap', { min: 1 });
  }

  get multiplyAddCap(): number | null {
    return this.#multiplyAddCap;
  }

  #proposeWithinCap(epsilon: number): Net {
    let cheapest: { net: Net; multiplyAdds: number } | null = null;
    for (let walk = 0; walk < this.maxWalksPerProposal; walk++) {
      const net = this.strategy.propose(epsilon, this.#rng);
      if (this.paramCap !== null && countParams(net, this.space.inputShape) > this.paramCap) continue;
      if (this.#multiplyAddCap === null) return net;
      const multiplyAdds = countMultiplyAdds(net, this.space.inputShape);
      if (multiplyAdds <= this.#multiplyAddCap) return net;
      if (!cheapest || multiplyAdds < cheapest.multiplyAdds) cheapest = { net, multiplyAdds };
      if (walk + 1 >= MULTIPLY_ADD_WALKS) return cheapest.net;
    }
    if (cheapest) return cheapest.net;
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
   * checked, and the parts are checked against each other (`readAgentJson`); errors name the
   * path, e.g. `agent.replay[12].reward: expected a finite number, got "0.9x"`.
   */
  static fromJSON(json: unknown, path = 'agent'): Agent {
    const saved = readAgentJson(json, path);
    const agent = new Agent(saved);
    agent.#rng = saved.rng;
    agent.#learnRng = saved.learnRng;
    agent.#iteration = saved.iteration;
    agent.#proposalsWithoutTraining = saved.proposalsWithoutTraining;
    agent.#trainedPerLevel = saved.trainedPerLevel;
    agent.#replay = saved.replay;
    agent.#trained = saved.trained;
    agent.#inFlight = saved.inFlight;
    return agent;
  }
}
