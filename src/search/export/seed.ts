/**
 * Starting a search from a replay memory imported from elsewhere (this app's export or the
 * original code's replay_database.csv).
 *
 * The core Agent has no call that injects past results, and half-injecting them would break
 * the search: a net in the store's replay memory that the agent does not know as trained gets
 * proposed for training, and the store refuses to queue it. So `seedAgentFromReplay` builds
 * the agent the imported run would have left behind, using only the core's public API:
 *
 * 1. A fresh agent's `toJSON()` gives the config, the untouched strategy and the RNG state.
 * 2. Entries whose net breaks the search space (`validateNetwork`), or is not in the
 *    dropout-free form, are skipped and reported.
 * 3. The iterations are replayed in order. A net seen for the first time counts as trained
 *    at the first ε level that is not full, exactly as the agent counts its own results, so
 *    the new search resumes the schedule where the imported run left off (the fixture's
 *    1,843 nets on the paper's schedule: 1.0 to 0.7 full, 43 of 150 at 0.6). Nets past
 *    the schedule's total are skipped and reported. Iterations are renumbered 1..N.
 * 4. For each iteration, in order, the entry {net, reward, iteration, ε} joins the replay
 *    memory and the strategy learns from it with the agent's RNG
 *    (`strategy.learn(entry, memory, rng)`: Q-learning samples `replaySamples` entries and
 *    updates along each reversed trajectory), which is what `Agent.report` does per iteration.
 * 5. `Agent.fromJSON` of the result checks the whole state (rewards agree per net, counts
 *    match the distinct nets, iterations in range) and gives the agent.
 *
 * The reward learnt from is each entry's `reward` (an imported net's best validation accuracy).
 * Seeded entries are marked source 'imported': this search did not train them.
 */
import {
  Agent,
  formatNetwork,
  parseNetwork,
  restoreRng,
  strategyFromJSON,
  stripDropout,
  validateNetwork,
  type AgentConfig,
  type AgentJson,
  type ReplayEntry as AgentReplayEntry,
} from '../../core';
import type { ReplayEntry, SearchRecord, Store } from '../../store';
import type { SearchConfig } from '../config';
import { createAgent, type DatasetShape } from '../leader';
import { replayIterations, sortIterations, type ReplayIteration } from './replay-iterations';

export interface SeedSkip {
  readonly netString: string;
  /** The iterations (as given) that sampled the net. */
  readonly iterations: readonly number[];
  readonly reason: string;
}

export interface SeededReplay {
  /** The agent as if it had trained the kept nets itself: Q-values, replay memory, schedule progress. */
  readonly agent: Agent;
  /** The kept entries for the store, iterations renumbered to the agent's, source 'imported'. */
  readonly entries: ReplayEntry[];
  /** The agent's replay memory as iterations (for the Figure 3 chart). */
  readonly iterations: ReplayIteration[];
  readonly skipped: SeedSkip[];
}

/**
 * See the file comment. `base` is a fresh agent (e.g. `createAgent(config, dataset)`) or its
 * config; `iterations` gives each sampling its own ε (an import's `iterations`), default
 * `replayIterations(entries)`.
 */
export function seedAgentFromReplay(
  base: Agent | AgentConfig,
  entries: readonly ReplayEntry[],
  iterations: readonly ReplayIteration[] = replayIterations(entries),
): SeededReplay {
  const fresh: AgentJson = (base instanceof Agent ? base : new Agent(base)).toJSON();
  if (fresh.iteration !== 0 || fresh.replay.length > 0 || fresh.inFlight.length > 0) {
    throw new Error(`seedAgentFromReplay needs a fresh agent; this one is at iteration ${fresh.iteration}`);
  }
  const { space, schedule } = fresh.config;

  const byNet = new Map<string, ReplayEntry>();
  for (const entry of entries) {
    if (byNet.has(entry.netString)) throw new Error(`seedAgentFromReplay: ${entry.netString} has two entries`);
    byNet.set(entry.netString, entry);
  }

  const skipped = new Map<string, string>();
  for (const entry of entries) {
    let problems: string[];
    try {
      const net = parseNetwork(entry.netString);
      const key = formatNetwork(stripDropout(net));
      if (key !== entry.netString) {
        skipped.set(entry.netString, `not the store's key form ${key} (dropout-free, formatted)`);
        continue;
      }
      problems = validateNetwork(net, space);
    } catch (error) {
      problems = [(error as Error).message];
    }
    if (problems.length > 0) skipped.set(entry.netString, `breaks the search space: ${problems.join('; ')}`);
  }

  // Every entry joins the agent's replay memory at least once.
  const sampled = new Set(iterations.map((row) => row.netString));
  const rows = sortIterations([
    ...iterations.map((row) => {
      if (!byNet.has(row.netString)) throw new Error(`seedAgentFromReplay: iteration ${row.iteration} samples ${row.netString}, which has no entry`);
      return row;
    }),
    ...entries
      .filter((entry) => !sampled.has(entry.netString))
      .map((entry) => ({ iteration: 0, netString: entry.netString, epsilon: entry.epsilon, accuracy: entry.bestValAccuracy })),
  ]);

  // Schedule progress: a net counts at the first level that is not full when first seen.
  const trainedPerLevel = schedule.map(() => 0);
  const scheduleTotal = schedule.reduce((sum, level) => sum + level.nets, 0);
  const keptNets = new Set<string>();
  for (const row of rows) {
    if (keptNets.has(row.netString) || skipped.has(row.netString)) continue;
    const level = schedule.findIndex((l, k) => trainedPerLevel[k]! < l.nets);
    if (level === -1) {
      skipped.set(row.netString, `the ε schedule (${scheduleTotal} nets) is full with the nets imported before it`);
      continue;
    }
    trainedPerLevel[level]!++;
    keptNets.add(row.netString);
  }

  const strategy = strategyFromJSON(fresh.strategy, space, 'seeded agent strategy');
  // The agent samples its replay memory from its own learning stream (core agent.ts).
  const rng = restoreRng(fresh.learnRng, 'seeded agent learnRng');
  const memory: AgentReplayEntry[] = [];
  const renumbered = new Map<string, number[]>();
  const kept: ReplayIteration[] = [];
  for (const row of rows) {
    if (!keptNets.has(row.netString)) continue;
    const entry = byNet.get(row.netString)!;
    const iteration = memory.length + 1;
    const sample: AgentReplayEntry = { net: entry.netString, reward: entry.reward, iteration, epsilon: row.epsilon };
    memory.push(sample);
    strategy.learn(sample, memory, rng);
    renumbered.set(entry.netString, [...(renumbered.get(entry.netString) ?? []), iteration]);
    kept.push({ iteration, netString: entry.netString, epsilon: row.epsilon, accuracy: entry.bestValAccuracy });
  }

  const agent = Agent.fromJSON(
    {
      ...fresh,
      strategy: strategy.toJSON(),
      learnRng: rng.state(),
      iteration: memory.length,
      trainedPerLevel,
      proposalsWithoutTraining: 0,
      replay: memory,
      inFlight: [],
    },
    'seeded agent',
  );

  const givenIterations = new Map<string, number[]>();
  for (const row of iterations) givenIterations.set(row.netString, [...(givenIterations.get(row.netString) ?? []), row.iteration]);
  return {
    agent,
    entries: [...keptNets].map((net) => ({ ...byNet.get(net)!, iterations: renumbered.get(net)!, source: 'imported' as const })),
    iterations: kept,
    skipped: [...skipped].map(([netString, reason]) => ({
      netString,
      iterations: givenIterations.get(netString) ?? byNet.get(netString)!.iterations,
      reason,
    })),
  };
}

export interface SeededSearchInput {
  readonly name: string;
  readonly config: SearchConfig;
  readonly dataset: DatasetShape;
  readonly entries: readonly ReplayEntry[];
  readonly iterations?: readonly ReplayIteration[];
}

/**
 * Creates a search (status 'ready') that starts from an imported replay memory: the search
 * record, the seeded agent and the kept entries are written in one transaction.
 */
export async function createSeededSearch(
  store: Store,
  input: SeededSearchInput,
): Promise<{ search: SearchRecord; seeded: SeededReplay }> {
  const seeded = seedAgentFromReplay(createAgent(input.config, input.dataset), input.entries, input.iterations);
  const search = await store.writeSearchSnapshot({
    search: {
      name: input.name,
      config: input.config,
      seed: input.config.seed,
      status: 'ready',
      datasetId: input.config.datasetId,
      presetId: input.config.presetId,
    },
    agentState: seeded.agent.toJSON(),
    replay: seeded.entries,
    jobs: [],
    weights: [],
  });
  return { search, seeded };
}
