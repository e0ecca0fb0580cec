/**
 * The leader's half of a search: the core's Agent on one side, the store's job queue and
 * replay memory on the other. Every agent step is written in the SAME transaction as its side
 * effect (a job queued, an iteration attached), and every result is incorporated and the
 * agent state written before anything else happens, so the stored agent always agrees with
 * the stored jobs: a leader that dies anywhere is replaced by one that reads the store and
 * goes on exactly where the old one was (architecture.md, "How a search flows", 2 and 6).
 */
import {
  Agent,
  countMultiplyAdds,
  countParams,
  makeSearchSpace,
  parseNetwork,
  makeStrategy,
  type AgentProgress,
  type EpsilonSchedule,
  type InputShape,
} from '../core';
import type { JobRecord, SearchRecord, Store } from '../store';
import { parseSearchConfig, type SearchConfig } from './config';
import { failedEntry } from './reward';

export interface DatasetShape {
  readonly inputShape: InputShape;
  readonly classes: number;
}

export type LeaderState =
  /** As many jobs as wanted are queued or running. */
  | 'busy'
  /** The agent waits for results before it can hand out more. */
  | 'waiting'
  /** The ε schedule is complete and every result is in. */
  | 'schedule-done';

export function createAgent(config: SearchConfig, dataset: DatasetShape): Agent {
  const space = makeSearchSpace(config.space, { inputShape: dataset.inputShape, numClasses: dataset.classes });
  const strategy = makeStrategy(config.strategy, space, { replaySamples: config.replaySamples });
  return new Agent({
    space,
    schedule: config.schedule,
    seed: config.seed,
    strategy,
    dropout: config.training.dropoutRule,
    paramCap: config.constraints.paramCap,
  });
}

export class SearchLeader {
  readonly search: SearchRecord;
  readonly config: SearchConfig;
  readonly #store: Store;
  readonly #dataset: DatasetShape;
  #agent: Agent;
  #revision: number;
  /** Jobs this leader has queued since it took over (tells the caller to announce them). */
  jobsQueued = 0;
  /** Training images the nets queued from now on get (a time budget's data plan); null: the config's. */
  trainSampleSize: number | null = null;

  private constructor(store: Store, search: SearchRecord, config: SearchConfig, dataset: DatasetShape, agent: Agent, revision: number) {
    this.#store = store;
    this.search = search;
    this.config = config;
    this.#dataset = dataset;
    this.#agent = agent;
    this.#revision = revision;
  }

  /**
   * Takes over a search: the stored agent if there is one, a fresh one (stored at once) if not.
   * `config` is the search's parsed config when the caller has it already.
   */
  static async open(store: Store, searchId: string, dataset: DatasetShape, parsed?: SearchConfig): Promise<SearchLeader> {
    const search = await store.getSearch(searchId);
    if (!search) throw new Error(`search ${searchId} does not exist`);
    const config = parsed ?? parseSearchConfig(search.config, `search ${searchId} config`);
    const stored = await store.getAgentState(searchId);
    if (stored) {
      const agent = Agent.fromJSON(stored.state, `search ${searchId} agent`);
      const leader = new SearchLeader(store, search, config, dataset, agent, stored.revision);
      await leader.#queueLost();
      return leader;
    }
    const agent = createAgent(config, dataset);
    const revision = await store.putAgentState(searchId, { state: agent.toJSON(), expectedRevision: 0 });
    return new SearchLeader(store, search, config, dataset, agent, revision);
  }

  /** Multiply-adds the nets proposed from now on should stay within (a time budget's cap); null: none. */
  set multiplyAddCap(cap: number | null) {
    this.#agent.setMultiplyAddCap(cap);
  }

  get progress(): AgentProgress {
    return this.#agent.progress;
  }

  get schedule(): EpsilonSchedule {
    return this.#agent.schedule;
  }

  get trainedPerLevel(): readonly number[] {
    return this.#agent.trainedPerLevel;
  }

  /** New nets per ε level (a time budget re-planned), stored with the agent at once; false if unchanged. */
  async replan(schedule: EpsilonSchedule): Promise<boolean> {
    if (JSON.stringify(schedule) === JSON.stringify(this.#agent.schedule)) return false;
    this.#agent.replan(schedule);
    this.#revision = await this.#store.putAgentState(this.search.id, this.#write());
    return true;
  }

  /** Q-table, replay, RNG: what a test compares between two runs. */
  agentJson(): ReturnType<Agent['toJSON']> {
    return this.#agent.toJSON();
  }

  #write(): { state: object; expectedRevision: number } {
    return { state: this.#agent.toJSON(), expectedRevision: this.#revision };
  }

  /** The agent's nets in flight and the store's latest job for each (undefined: none). */
  async #inFlightJobs(): Promise<Map<string, JobRecord | undefined>> {
    const inFlight = this.#agent.inFlight;
    if (inFlight.length === 0) return new Map();
    const latest = new Map<string, JobRecord>();
    for (const job of await this.#store.listJobs(this.search.id)) latest.set(job.netString, job);
    return new Map(inFlight.map((net) => [net, latest.get(net)]));
  }

  /**
   * A net the agent waits on that the store has neither a job nor a result for is queued
   * again. It never happens in one browser (a job is queued in the same transaction as the
   * agent state); a machine taking over a shared search (src/hub) holds a mirror of the old
   * leader's records, which may have dropped a job the agent still counts on.
   */
  async #queueLost(): Promise<void> {
    const searchId = this.search.id;
    for (const [net, job] of await this.#inFlightJobs()) {
      if (job !== undefined || (await this.#store.getReplayEntry(searchId, net)) !== undefined) continue;
      const { iterations, epsilon } = this.#agent.pending(net)!;
      await this.#store.enqueueJob({ searchId, netString: net, iterations, epsilon, trainSampleSize: this.trainSampleSize });
      this.jobsQueued++;
    }
  }

  /**
   * Feeds finished jobs to the agent in the order they finished (replay entry time, then job
   * id), failed ones as chance-accuracy results. Returns how many it incorporated. A net with a
   * result in the replay memory is finished whatever its job says: after a change of leader
   * of a shared search, the result may come from a machine whose job here failed or never was.
   */
  async incorporateResults(): Promise<number> {
    const searchId = this.search.id;
    const finished: { job: JobRecord | undefined; net: string; reward: number; finishedAt: number }[] = [];
    for (const [net, job] of await this.#inFlightJobs()) {
      if (job?.status === 'queued' || job?.status === 'claimed') continue;
      const result = await this.#store.getReplayEntry(searchId, net);
      if (result) {
        // Its failed job ends with that result (commitResult marks it done, the entry unchanged).
        if (job?.status === 'failed') await this.#store.commitResult(searchId, job.id, result);
        finished.push({ job, net, reward: result.reward, finishedAt: result.finishedAt });
        continue;
      }
      if (job === undefined) continue;
      if (job.status === 'done') throw new Error(`job ${job.id} is done but the replay memory has no entry for ${job.netString}`);
      const parsed = parseNetwork(job.netString);
      const shape = this.#dataset.inputShape;
      const entry = failedEntry({
        netString: job.netString,
        iterations: job.iterations,
        epsilon: job.epsilon,
        classes: this.#dataset.classes,
        trainedBy: job.claimedBy ?? 'unknown',
        now: Date.now(),
        params: countParams(parsed, shape),
        multiplyAdds: countMultiplyAdds(parsed, shape),
      });
      const outcome = await this.#store.commitResult(searchId, job.id, entry);
      const stored = outcome.applied ? outcome.entry : await this.#store.getReplayEntry(searchId, job.netString);
      finished.push({ job, net, reward: stored?.reward ?? entry.reward, finishedAt: stored?.finishedAt ?? entry.finishedAt });
    }
    finished.sort((a, b) => a.finishedAt - b.finishedAt || (a.job?.id ?? Infinity) - (b.job?.id ?? Infinity) || a.net.localeCompare(b.net));
    for (const { net, reward } of finished) {
      this.#agent.report(net, reward);
      this.#revision = await this.#store.putAgentState(searchId, this.#write());
    }
    return finished.length;
  }

  /**
   * Incorporates results, then asks the agent for work until `maxOutstanding` nets are
   * queued or training, the agent has to wait, or the schedule is done.
   */
  async step(maxOutstanding: number): Promise<LeaderState> {
    await this.incorporateResults();
    const searchId = this.search.id;
    for (;;) {
      if (this.#agent.inFlight.length >= maxOutstanding) return 'busy';
      const step = this.#agent.next();
      switch (step.type) {
        case 'train': {
          await this.#store.enqueueJob(
            { searchId, netString: step.key, iterations: [step.iteration], epsilon: step.epsilon, trainSampleSize: this.trainSampleSize },
            this.#write(),
          );
          this.#revision++;
          this.jobsQueued++;
          break;
        }
        case 'reused':
        case 'attached': {
          const outcome = await this.#store.attachIteration(searchId, step.key, step.iteration, this.#write());
          if (outcome === undefined) {
            throw new Error(`the agent ${step.type === 'reused' ? 'reused' : 'attached to'} ${step.key}, which the store neither holds nor trains`);
          }
          this.#revision++;
          break;
        }
        case 'wait':
          return 'waiting';
        case 'done':
          return 'schedule-done';
      }
    }
  }
}
