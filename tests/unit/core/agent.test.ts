import { describe, expect, it } from 'vitest';
import { Agent, type AgentStep } from '../../../src/core/agent';
import { formatNetwork, parseNetwork } from '../../../src/core/network-string';
import type { ReplayEntry } from '../../../src/core/replay';
import type { Rng } from '../../../src/core/rng';
import { schedulePresets, scheduleTotal, type EpsilonSchedule } from '../../../src/core/schedule';
import { makeSearchSpace, paperSearchSpace } from '../../../src/core/search-space';
import { countMultiplyAdds, countParams } from '../../../src/core/shapes';
import { randomSearchStrategy, type Strategy } from '../../../src/core/strategies';
import { validateNetwork } from '../../../src/core/validate';
import { FakeOrchestrator, netNoise } from './simulate';

const tiny = makeSearchSpace('tiny', { inputShape: { height: 28, width: 28, channels: 1 }, numClasses: 10 });
const cifar = paperSearchSpace({ inputShape: { height: 32, width: 32, channels: 3 }, numClasses: 10 });

const A = '[C(4,3,1), SM(10)]';
const B = '[C(8,1,1), SM(10)]';
const C = '[GAP(10), SM(10)]';

/** A strategy that proposes nets from a script, to drive the agent's bookkeeping exactly. */
function scripted(nets: readonly string[]): Strategy & { learned: ReplayEntry[] } {
  let i = 0;
  const learned: ReplayEntry[] = [];
  return {
    kind: 'random',
    learned,
    propose: (_epsilon: number, rng: Rng) => {
      rng.next();
      const net = nets[Math.min(i++, nets.length - 1)]!;
      return parseNetwork(net);
    },
    learn: (latest: ReplayEntry) => void learned.push(latest),
    toJSON: () => ({ kind: 'random' }),
  };
}

function agentWith(nets: readonly string[], schedule: EpsilonSchedule, extra: Partial<ConstructorParameters<typeof Agent>[0]> = {}) {
  const strategy = scripted(nets);
  return { agent: new Agent({ space: tiny, schedule, seed: 1, strategy, ...extra }), strategy };
}

const type = (step: AgentStep) => step.type;

describe('Agent bookkeeping', () => {
  it('hands out new nets, then waits while the level is covered by pending jobs', () => {
    const { agent } = agentWith([A, B, C], [{ epsilon: 1, nets: 2 }, { epsilon: 0.5, nets: 1 }]);
    const first = agent.next();
    expect(first).toMatchObject({ type: 'train', key: A, iteration: 1, epsilon: 1 });
    expect(agent.next()).toMatchObject({ type: 'train', key: B, iteration: 2 });
    expect(agent.next()).toEqual({ type: 'wait', reason: 'level-pending' });
    agent.report(A, 0.6);
    expect(agent.next()).toEqual({ type: 'wait', reason: 'level-pending' });
    agent.report(parseNetwork(B), 0.7);
    expect(agent.progress).toMatchObject({ level: 1, epsilon: 0.5, trained: 2, target: 3 });
    expect(agent.next()).toMatchObject({ type: 'train', key: C, iteration: 3, epsilon: 0.5 });
    expect(agent.next()).toEqual({ type: 'wait', reason: 'level-pending' });
    agent.report(C, 0.2);
    expect(agent.next()).toEqual({ type: 'done', reason: 'schedule-complete' });
    expect(agent.replay.map((e) => [e.net, e.reward, e.iteration, e.epsilon])).toEqual([
      [A, 0.6, 1, 1],
      [B, 0.7, 2, 1],
      [C, 0.2, 3, 0.5],
    ]);
  });

  it('reuses a trained net: counts an iteration, appends its stored reward, learns, trains nothing', () => {
    const { agent, strategy } = agentWith([A, A, B], [{ epsilon: 1, nets: 2 }]);
    agent.next();
    agent.report(A, 0.8);
    expect(agent.next()).toMatchObject({ type: 'reused', key: A, reward: 0.8, iteration: 2, epsilon: 1 });
    expect(agent.next()).toMatchObject({ type: 'train', key: B, iteration: 3 });
    expect(agent.replay.map((e) => [e.net, e.iteration])).toEqual([
      [A, 1],
      [A, 2],
    ]);
    expect(strategy.learned.map((e) => e.iteration)).toEqual([1, 2]);
    // Reuse does not count towards the level's unique nets.
    expect(agent.progress.trainedAtLevel).toBe(1);
  });

  it('attaches a net already in flight, and incorporates every attached iteration on report', () => {
    const { agent, strategy } = agentWith([A, A, B, A], [{ epsilon: 1, nets: 3 }]);
    expect(agent.next()).toMatchObject({ type: 'train', key: A, iteration: 1 });
    expect(agent.next()).toMatchObject({ type: 'attached', key: A, iteration: 2 });
    expect(agent.next()).toMatchObject({ type: 'train', key: B, iteration: 3 });
    expect(agent.next()).toMatchObject({ type: 'attached', key: A, iteration: 4 });
    expect(strategy.learned).toEqual([]);
    agent.report(A, 0.5, { testAccuracy: 0.49 });
    expect(agent.replay).toEqual([
      { net: A, reward: 0.5, iteration: 1, epsilon: 1, extra: { testAccuracy: 0.49 } },
      { net: A, reward: 0.5, iteration: 2, epsilon: 1 },
      { net: A, reward: 0.5, iteration: 4, epsilon: 1 },
    ]);
    expect(strategy.learned.map((e) => e.iteration)).toEqual([1, 2, 4]);
  });

  it('hands out nets with dropout placed by the configured rule, and accepts them back', () => {
    const fc = '[C(4,3,1), P(2,2), C(4,3,1), P(2,2), FC(16), SM(10)]';
    const { agent } = agentWith([fc], [{ epsilon: 1, nets: 1 }], { dropout: 'seed' });
    const step = agent.next();
    expect(step.type === 'train' && formatNetwork(step.net)).toBe('[C(4,3,1), P(2,2), C(4,3,1), P(2,2), FC(16), D(1,1), SM(10)]');
    if (step.type !== 'train') throw new Error('expected train');
    agent.report(step.net, 0.4);
    expect(agent.replay[0]!.net).toBe(fc);
    const paper = agentWith([fc], [{ epsilon: 1, nets: 1 }], { dropout: 'paper' }).agent.next();
    expect(paper.type === 'train' && formatNetwork(paper.net)).toBe(
      '[C(4,3,1), P(2,2), D(1,4), C(4,3,1), P(2,2), D(2,4), FC(16), D(3,4), SM(10)]',
    );
  });

  it('refuses reports it cannot place', () => {
    const { agent } = agentWith([A], [{ epsilon: 1, nets: 1 }]);
    expect(() => agent.report(A, 0.5)).toThrow(`report: ${A} is not in flight`);
    agent.next();
    expect(() => agent.report(A, Number.NaN)).toThrow(/must be a finite number/);
    expect(() => agent.report('[C(4,3,1) SM(10)]', 0.5)).toThrow(/character 10/);
    agent.report(' [ C(4,3,1) , SM(10) ] ', 0.5);
    expect(() => agent.report(A, 0.5)).toThrow(/already reported/);
  });

  it('cancel frees the slot: the level hands out another net', () => {
    const { agent } = agentWith([A, B], [{ epsilon: 1, nets: 1 }]);
    agent.next();
    expect(agent.next().type).toBe('wait');
    agent.cancel(A);
    expect(agent.inFlight).toEqual([]);
    expect(agent.next()).toMatchObject({ type: 'train', key: B });
    expect(() => agent.cancel(A)).toThrow(/not in flight/);
  });

  it('stops cleanly when the space cannot fill the schedule', () => {
    const { agent } = agentWith([A], [{ epsilon: 1, nets: 3 }], { maxProposalsWithoutTraining: 4 });
    expect(type(agent.next())).toBe('train');
    expect([1, 2, 3, 4, 5].map(() => type(agent.next()))).toEqual(['attached', 'attached', 'attached', 'attached', 'wait']);
    agent.report(A, 0.3);
    expect([1, 2, 3, 4, 5].map(() => type(agent.next()))).toEqual(['reused', 'reused', 'reused', 'reused', 'done']);
    expect(agent.next()).toEqual({ type: 'done', reason: 'space-exhausted' });
  });

  it('never proposes a net over the parameter cap', () => {
    const cap = 60_000;
    const agent = new Agent({ space: cifar, schedule: [{ epsilon: 1, nets: 40 }], seed: 3, paramCap: cap });
    const sim = new FakeOrchestrator(1, () => 0.5, 1);
    sim.run(agent);
    expect(agent.replay.length).toBeGreaterThanOrEqual(40);
    for (const entry of agent.replay) expect(countParams(parseNetwork(entry.net), cifar.inputShape)).toBeLessThanOrEqual(cap);
    // The smallest net, [GAP(10), SM(10)], has 40 + 110 parameters: a cap below it is reported.
    const impossible = new Agent({ space: cifar, schedule: [{ epsilon: 1, nets: 1 }], seed: 3, paramCap: 149, maxWalksPerProposal: 50 });
    expect(() => impossible.next()).toThrow('no net within the parameter cap 149 in 50 walks at ε = 1');
  });

  it('keeps to a multiply-add cap while one is set, taking the cheapest walk when none is under it', () => {
    const macs = (net: string) => countMultiplyAdds(parseNetwork(net), cifar.inputShape);
    const capped = new Agent({ space: cifar, schedule: [{ epsilon: 1, nets: 60 }], seed: 3 });
    const free = new Agent({ space: cifar, schedule: [{ epsilon: 1, nets: 60 }], seed: 3 });
    const cap = 2_000_000;
    capped.setMultiplyAddCap(cap);
    expect(capped.multiplyAddCap).toBe(cap);
    new FakeOrchestrator(1, () => 0.5, 1).run(capped);
    new FakeOrchestrator(1, () => 0.5, 1).run(free);
    const cappedMacs = capped.replay.map((e) => macs(e.net));
    expect(cappedMacs.every((m) => m <= cap)).toBe(true);
    // Without the cap the same search proposes larger nets: the cap did the filtering.
    expect(free.replay.some((e) => macs(e.net) > cap)).toBe(true);
    // A cap below every net: the cheapest of the walks, not an error.
    const tight = new Agent({ space: cifar, schedule: [{ epsilon: 1, nets: 1 }], seed: 3 });
    tight.setMultiplyAddCap(1);
    const step = tight.next();
    expect(step.type).toBe('train');
    expect(() => tight.setMultiplyAddCap(0)).toThrow('multiplyAddCap');
  });

  it('validates its config', () => {
    expect(() => new Agent({ space: tiny, schedule: [], seed: 1 })).toThrow('config.schedule: expected at least one ε level');
    expect(() => new Agent({ space: tiny, schedule: [{ epsilon: 1, nets: 1 }], seed: 0.5 })).toThrow('config.seed: expected an integer');
    expect(() => new Agent({ space: tiny, schedule: [{ epsilon: 1, nets: 1 }], seed: 1, dropout: 'all' as 'seed' })).toThrow(
      'config.dropout: expected one of "seed", "paper", "none", got "all"',
    );
  });
});

const tinyReward = (seed: number) => (key: string) => 0.3 + 0.05 * (key.match(/C\(8/g)?.length ?? 0) + netNoise(key, seed, 0.05);

describe('Agent determinism and resume', () => {
  const schedule = schedulePresets.quick.map((l) => ({ ...l, nets: Math.ceil(l.nets / 2) }));

  function straightRun(seed: number, trainers: number) {
    const agent = new Agent({ space: tiny, schedule, seed });
    const sim = new FakeOrchestrator(trainers, tinyReward(seed), seed + 100);
    sim.run(agent);
    return { agent, log: sim.log };
  }

  it('runs a whole schedule with parallel trainers, every proposal valid', () => {
    const { agent, log } = straightRun(7, 3);
    expect(log.at(-1)).toBe('done schedule-complete');
    expect(agent.progress.trained).toBe(scheduleTotal(schedule));
    expect(new Set(agent.replay.map((e) => e.net)).size).toBe(scheduleTotal(schedule));
    for (const e of agent.replay) expect(validateNetwork(parseNetwork(e.net), tiny)).toEqual([]);
    // Iterations are numbered 1..n without gaps (all were reported, none cancelled).
    expect(agent.replay.map((e) => e.iteration).sort((a, b) => a - b)).toEqual(
      Array.from({ length: agent.progress.iteration }, (_, i) => i + 1),
    );
    expect(log.some((l) => l.startsWith('attached'))).toBe(true);
    expect(log.some((l) => l.startsWith('reused'))).toBe(true);
    expect(log.some((l) => l === 'wait level-pending')).toBe(true);
  });

  it('same seed and same result order give the same run; another seed differs', () => {
    const a = straightRun(21, 2);
    const b = straightRun(21, 2);
    expect(b.log).toEqual(a.log);
    expect(b.agent.toJSON()).toEqual(a.agent.toJSON());
    expect(straightRun(22, 2).log).not.toEqual(a.log);
  });

  it('a restored agent continues exactly as the uninterrupted one (saved after every few calls)', () => {
    const seed = 5;
    const straight = straightRun(seed, 3);
    let agent = new Agent({ space: tiny, schedule, seed });
    const sim = new FakeOrchestrator(3, tinyReward(seed), seed + 100);
    let restores = 0;
    for (let tick = 0; !sim.finished; tick++) {
      sim.tick(agent);
      if (tick % 7 === 3) {
        agent = Agent.fromJSON(JSON.parse(JSON.stringify(agent)));
        restores++;
      }
    }
    expect(restores).toBeGreaterThan(20);
    expect(sim.log).toEqual(straight.log);
    expect(agent.toJSON()).toEqual(straight.agent.toJSON());
    expect(JSON.stringify(agent)).toBe(JSON.stringify(straight.agent));
  });

  it('a restored random-search agent also continues exactly', () => {
    const make = () => new Agent({ space: tiny, schedule, seed: 8, strategy: randomSearchStrategy(tiny), dropout: 'paper' });
    const straight = make();
    const simA = new FakeOrchestrator(2, tinyReward(8), 1);
    simA.run(straight);
    let agent = make();
    const simB = new FakeOrchestrator(2, tinyReward(8), 1);
    for (let tick = 0; !simB.finished; tick++) {
      simB.tick(agent);
      if (tick % 5 === 0) agent = Agent.fromJSON(JSON.parse(JSON.stringify(agent.toJSON())));
    }
    expect(simB.log).toEqual(simA.log);
  });
});

describe('Agent.fromJSON rejects corrupt state, naming the field', () => {
  const agent = new Agent({ space: tiny, schedule: [{ epsilon: 1, nets: 4 }, { epsilon: 0.1, nets: 2 }], seed: 4 });
  const sim = new FakeOrchestrator(2, tinyReward(4), 4);
  for (let i = 0; i < 100 && !(agent.replay.length >= 2 && agent.inFlight.length > 0); i++) sim.tick(agent);
  const good = JSON.parse(JSON.stringify(agent)) as Record<string, unknown> & { replay: Record<string, unknown>[]; inFlight: Record<string, unknown>[] };

  const corrupt = (edit: (json: typeof good) => void) => {
    const json = structuredClone(good);
    edit(json);
    return () => Agent.fromJSON(json);
  };

  it('accepts the untouched state', () => {
    expect(good.replay.length).toBeGreaterThan(0);
    expect(good.inFlight.length).toBeGreaterThan(0);
    expect(Agent.fromJSON(good).toJSON()).toEqual(good);
  });

  it.each([
    ['format', (j: typeof good) => void (j['format'] = 'other'), 'agent.format: expected one of "metaqnn-agent", got "other"'],
    ['version', (j: typeof good) => void (j['version'] = 2), 'agent.version: expected one of 1, got 2'],
    ['reward', (j: typeof good) => void (j.replay[0]!['reward'] = '0.5x'), 'agent.replay[0].reward: expected a finite number, got "0.5x"'],
    ['net syntax', (j: typeof good) => void (j.replay[0]!['net'] = '[C(4,3,1) SM(10)]'), 'agent.replay[0].net: network string, character 10'],
    ['net rules', (j: typeof good) => void (j.replay[0]!['net'] = '[C(64,3,1), SM(10)]'), 'agent.replay[0].net: [C(64,3,1), SM(10)] breaks the search space: layer 1 C(64,3,1): filters 64 not in {4, 8}'],
    ['rng', (j: typeof good) => void (j['rng'] = [1, 2, 3]), 'agent.rng: expected 4 state words, got 3'],
    ['counts', (j: typeof good) => void (j['trainedPerLevel'] = [0, 0]), 'agent.trainedPerLevel: counts add up to 0 but the replay memory holds'],
    ['in flight', (j: typeof good) => void (j.inFlight[0]!['iteration'] = 999), 'agent.inFlight[0].iteration: expected a number <= '],
    ['in flight twice', (j: typeof good) => void j.inFlight.push(j.inFlight[0]!), 'is in flight twice'],
    ['in flight at another level', (j: typeof good) => void (j.inFlight[0]!['level'] = 1), 'agent.inFlight[0].level: a pending job must belong to the current ε level 0, got 1'],
    ['q-table', (j: typeof good) => void ((j['strategy'] as { qTable: { values: unknown } }).qTable.values = { 'start|d0|b8': { 'C(4,3,1)': 'x' } }), 'agent.strategy.qTable.values["start|d0|b8"]["C(4,3,1)"]: expected a finite number, got "x"'],
    ['space', (j: typeof good) => void ((j['config'] as { space: { maxDepth: unknown } }).space.maxDepth = -1), 'agent.config.space.maxDepth: expected a number >= 0, got -1'],
  ])('%s', (_name, edit, message) => {
    expect(corrupt(edit)).toThrow(message);
  });
});

describe('replayQTable', () => {
  it('recomputes the Q-table from the ordered replay memory, whatever the order of results', async () => {
    const { Agent, paperSearchSpace, replayQTable, scaleSchedule, paperSchedule } = await import('../../../src/core');
    const space = paperSearchSpace({ inputShape: { height: 32, width: 32, channels: 3 }, numClasses: 10 });
    const agent = new Agent({ space, schedule: scaleSchedule(paperSchedule, 0.02), seed: 8 });
    const pending: string[] = [];
    let reward = 0.3;
    for (let i = 0; i < 400; i++) {
      const step = agent.next();
      if (step.type === 'train') pending.push(step.key);
      // Three trainers finishing out of order: report the middle one of those pending.
      if (pending.length >= 3 || step.type === 'wait' || step.type === 'done') {
        const key = pending.splice(Math.floor(pending.length / 2), 1)[0];
        if (key) agent.report(key, (reward = (reward * 7.3) % 1));
      }
      if (step.type === 'done') break;
    }
    const json = JSON.parse(JSON.stringify(agent.toJSON()));
    expect(json.replay.length).toBeGreaterThan(20);
    expect(replayQTable(json)).toEqual(json.strategy);
    // A result counted twice gives a different table.
    const doubled = { ...json, replay: [...json.replay, json.replay[3]] };
    expect(replayQTable(doubled)).not.toEqual(json.strategy);
  });
});
