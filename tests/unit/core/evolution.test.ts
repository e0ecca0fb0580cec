import { describe, expect, it } from 'vitest';
import { Agent, createRng, formatNetwork, makeSearchSpace, parseNetwork, replayQTable, restoreRng, strategyFromJSON, validateNetwork } from '../../../src/core';
import { evolutionStrategy, mutate } from '../../../src/core/evolution';
import type { ReplayEntry } from '../../../src/core/replay';
import type { Net } from '../../../src/core/types';

const svhn = makeSearchSpace('paper', { inputShape: { height: 32, width: 32, channels: 3 }, numClasses: 10 });

/** A deterministic reward that prefers more convs: something for the tournament to climb. */
function reward(net: Net): number {
  const convs = net.filter((l) => l.kind === 'conv').length;
  const fcs = net.filter((l) => l.kind === 'fc').length;
  return Math.min(0.99, 0.2 + 0.1 * convs - 0.03 * fcs);
}

function step(strategy: ReturnType<typeof evolutionStrategy>, rng: ReturnType<typeof createRng>, iteration: number): Net {
  const net = strategy.propose(1, rng);
  const entry: ReplayEntry = { net: formatNetwork(net), reward: reward(net), iteration, epsilon: 1 };
  strategy.learn(entry, [entry], rng);
  return net;
}

describe('regularized evolution', () => {
  it('never proposes a net outside the space over thousands of steps, and climbs the reward', () => {
    const strategy = evolutionStrategy(svhn, { populationSize: 20, sampleSize: 5 });
    const rng = createRng(3);
    const rewards: number[] = [];
    for (let i = 1; i <= 3000; i++) {
      const net = step(strategy, rng, i);
      expect(validateNetwork(net, svhn)).toEqual([]);
      rewards.push(reward(net));
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    // The first 20 are random walks; the last 500 come from tournaments among the survivors.
    expect(mean(rewards.slice(-500))).toBeGreaterThan(mean(rewards.slice(0, 20)) + 0.2);
    expect(strategy.population).toHaveLength(20);
  });

  it('keeps the youngest members, dropping the oldest whatever its reward', () => {
    const strategy = evolutionStrategy(svhn, { populationSize: 3, sampleSize: 2 });
    const add = (net: string, r: number, i: number) => strategy.learn({ net, reward: r, iteration: i, epsilon: 1 }, [], createRng(1));
    add('[C(64,3,1), SM(10)]', 0.99, 1);
    add('[C(128,3,1), SM(10)]', 0.1, 2);
    add('[C(256,3,1), SM(10)]', 0.2, 3);
    add('[C(512,3,1), SM(10)]', 0.3, 4);
    expect(strategy.population.map((m) => m.net)).toEqual(['[C(128,3,1), SM(10)]', '[C(256,3,1), SM(10)]', '[C(512,3,1), SM(10)]']);
  });

  it('resumed from JSON mid-search proposes exactly what the straight run proposes', () => {
    const straight = evolutionStrategy(svhn, { populationSize: 10, sampleSize: 3 });
    const rng = createRng(8);
    for (let i = 1; i <= 40; i++) step(straight, rng, i);
    const saved = JSON.parse(JSON.stringify({ strategy: straight.toJSON(), rng: rng.state() }));
    const resumed = strategyFromJSON(saved.strategy, svhn) as ReturnType<typeof evolutionStrategy>;
    const resumedRng = restoreRng(saved.rng);
    for (let i = 41; i <= 200; i++) {
      expect(formatNetwork(step(resumed, resumedRng, i))).toBe(formatNetwork(step(straight, rng, i)));
    }
    expect(resumed.toJSON()).toEqual(straight.toJSON());
  });

  it('mutates one layer: the child differs from the parent and is legal', () => {
    const parent = parseNetwork('[C(64,3,1), P(2,2), C(128,5,1), FC(512), SM(10)]');
    const rng = createRng(4);
    for (let i = 0; i < 500; i++) {
      const child = mutate(parent, svhn, rng);
      expect(formatNetwork(child)).not.toBe(formatNetwork(parent));
      expect(validateNetwork(child, svhn)).toEqual([]);
      expect(Math.abs(child.length - parent.length)).toBeLessThanOrEqual(1);
    }
  });

  it('refuses a saved population that is malformed or outside the space, naming the field', () => {
    const good = { kind: 'evolution', populationSize: 4, sampleSize: 2, population: [{ net: '[C(64,3,1), SM(10)]', reward: 0.5 }] };
    expect(() => strategyFromJSON(good, svhn)).not.toThrow();
    expect(() => strategyFromJSON({ ...good, sampleSize: 9 }, svhn)).toThrow(/strategy\.sampleSize/);
    expect(() => strategyFromJSON({ ...good, population: [{ net: '[C(7,3,1), SM(10)]', reward: 0.5 }] }, svhn)).toThrow(/population\[0\]\.net/);
    expect(() => strategyFromJSON({ ...good, population: [{ net: '[C(64,3,1), SM(10)]', reward: 'high' }] }, svhn)).toThrow(/population\[0\]\.reward/);
    expect(() => strategyFromJSON({ ...good, population: 'x' }, svhn)).toThrow(/population/);
  });
});

describe('an agent on regularized evolution', () => {
  it('runs a schedule with every trained net legal, resumes from JSON, and its population equals the replay replayed', () => {
    const tiny = makeSearchSpace('tiny', { inputShape: { height: 28, width: 28, channels: 1 }, numClasses: 10 });
    const agent = new Agent({
      space: tiny,
      schedule: [
        { epsilon: 1, nets: 40 },
        { epsilon: 0.1, nets: 20 },
      ],
      seed: 12,
      strategy: evolutionStrategy(tiny, { populationSize: 10, sampleSize: 3 }),
    });
    let trained = 0;
    for (let guard = 0; guard < 1000; guard++) {
      const step = agent.next();
      if (step.type === 'done') break;
      if (step.type !== 'train') continue;
      expect(validateNetwork(step.net, tiny)).toEqual([]);
      agent.report(step.net, reward(step.net));
      trained++;
      if (trained === 30) {
        // A saved agent goes on exactly where it was.
        expect(Agent.fromJSON(JSON.parse(JSON.stringify(agent.toJSON()))).toJSON()).toEqual(agent.toJSON());
      }
    }
    expect(trained).toBe(60);
    const json = agent.toJSON();
    expect(json.strategy.kind).toBe('evolution');
    expect(replayQTable(json)).toEqual(json.strategy);
    const tampered = { ...json, strategy: { ...json.strategy, population: [] } };
    expect(replayQTable(tampered)).not.toEqual(tampered.strategy);
  });
});
