/**
 * Checks a stored search for the invariants that several tabs, reloads and crashes must never
 * break: one replay entry per net, every agent iteration recorded once, and a Q-table equal to
 * replaying the stored results in order. The e2e tests and the results page use it.
 */
import { Agent, replayQTable } from '../core';
import type { Store } from '../store';

export interface Consistency {
  readonly qTableMatchesReplay: boolean;
  /** No net twice in the replay memory, no iteration twice, and the agent's iterations equal the store's. */
  readonly unique: boolean;
  readonly nets: number;
  readonly iterations: number;
  readonly problems: readonly string[];
}

/** JSON with object keys sorted, so two equal tables compare equal whatever their insertion order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

export async function agentConsistency(store: Store, searchId: string): Promise<Consistency> {
  const problems: string[] = [];
  const [record, replay] = await Promise.all([store.getAgentState(searchId), store.listReplay(searchId)]);
  if (!record) return { qTableMatchesReplay: false, unique: false, nets: replay.length, iterations: 0, problems: ['no agent state stored'] };
  const json = Agent.fromJSON(record.state, `search ${searchId} agent`).toJSON();

  const qTableMatchesReplay = canonical(replayQTable(json)) === canonical(json.strategy);
  if (!qTableMatchesReplay) problems.push('the Q-table differs from replaying the stored results in order');

  const nets = new Set<string>();
  const storeIterations: number[] = [];
  for (const entry of replay) {
    if (nets.has(entry.netString)) problems.push(`${entry.netString} is in the replay memory twice`);
    nets.add(entry.netString);
    if (entry.source === 'trained') storeIterations.push(...entry.iterations);
  }
  storeIterations.sort((a, b) => a - b);
  const agentIterations = json.replay.map((e) => e.iteration).sort((a, b) => a - b);
  for (let i = 1; i < storeIterations.length; i++) {
    if (storeIterations[i] === storeIterations[i - 1]) problems.push(`iteration ${storeIterations[i]} is recorded twice`);
  }
  if (canonical(storeIterations) !== canonical(agentIterations)) {
    problems.push(`the store records iterations [${storeIterations.join(', ')}], the agent [${agentIterations.join(', ')}]`);
  }
  return {
    qTableMatchesReplay,
    unique: problems.length === (qTableMatchesReplay ? 0 : 1),
    nets: nets.size,
    iterations: agentIterations.length,
    problems,
  };
}
