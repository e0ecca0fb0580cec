/**
 * A fake orchestrator for agent tests: `trainers` parallel trainers, results arriving in a
 * seeded random order, rewards from a fixed function of the architecture. One `tick()` is one
 * call into the agent (a `next()` or a `report()`), so a test can swap the agent between ticks.
 */
import type { Agent, AgentStep } from '../../../src/core/agent';
import { createRng, type Rng } from '../../../src/core/rng';

export type RewardFn = (key: string) => number;

export class FakeOrchestrator {
  readonly log: string[] = [];
  readonly #pending: Extract<AgentStep, { type: 'train' }>[] = [];
  readonly #rng: Rng;
  #idle = true;
  finished = false;

  constructor(
    readonly trainers: number,
    readonly reward: RewardFn,
    seed: number,
  ) {
    this.#rng = createRng(seed);
  }

  tick(agent: Agent): void {
    if (this.finished) return;
    if (this.#idle && this.#pending.length < this.trainers) {
      const step = agent.next();
      this.log.push(describe(step));
      if (step.type === 'train') this.#pending.push(step);
      else if (step.type === 'wait') this.#idle = false;
      else if (step.type === 'done') this.finished = true;
      return;
    }
    const job = this.#pending.splice(this.#rng.int(this.#pending.length), 1)[0];
    if (job === undefined) throw new Error(`deadlock: the agent waits but nothing is pending (${this.log.at(-1)})`);
    const reward = this.reward(job.key);
    agent.report(job.net, reward);
    this.log.push(`report ${job.key} ${reward}`);
    this.#idle = true;
  }

  run(agent: Agent, maxTicks = 1_000_000): void {
    for (let i = 0; i < maxTicks && !this.finished; i++) this.tick(agent);
    if (!this.finished) throw new Error('simulation did not finish');
  }
}

function describe(step: AgentStep): string {
  switch (step.type) {
    case 'train':
    case 'attached':
      return `${step.type} #${step.iteration} ε=${step.epsilon} ${step.key}`;
    case 'reused':
      return `reused #${step.iteration} ε=${step.epsilon} ${step.key} ${step.reward}`;
    case 'wait':
    case 'done':
      return `${step.type} ${step.reason}`;
  }
}

/** Deterministic noise in [-amplitude, amplitude] per (net, seed), independent of call order. */
export function netNoise(key: string, seed: number, amplitude: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193) >>> 0;
  return (createRng(hash ^ seed).next() * 2 - 1) * amplitude;
}
