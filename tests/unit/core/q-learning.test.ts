import { describe, expect, it } from 'vitest';
import { formatNetwork } from '../../../src/core/network-string';
import { CorruptDataError } from '../../../src/core/json-check';
import { deserializeQTable, QTable, serializeQTable } from '../../../src/core/q-table';
import { rewardByEpsilon, sampleReplay, type ReplayEntry } from '../../../src/core/replay';
import { createRng } from '../../../src/core/rng';
import { paperSearchSpace } from '../../../src/core/search-space';
import { epsilonGreedyWalk, qLearningStrategy, randomSearchStrategy, strategyFromJSON } from '../../../src/core/strategies';
import { validateNetwork } from '../../../src/core/validate';

const cifar = paperSearchSpace({ inputShape: { height: 32, width: 32, channels: 3 }, numClasses: 10 });
const START = 'start|d0|b8';
const CONV = 'C(64,3,1)|d1|b8';

describe('Q-table', () => {
  it('starts every pair at 0.5 and stores only updated pairs', () => {
    const table = new QTable();
    expect(table.get(START, 'C(64,3,1)')).toBe(0.5);
    expect(table.size).toBe(0);
    table.set(START, 'C(64,3,1)', 0.7);
    expect(table.get(START, 'C(64,3,1)')).toBe(0.7);
    expect(table.max(START, ['C(64,3,1)', 'SM(10)'])).toBe(0.7);
    expect(table.max('end', [])).toBe(0);
  });

  it('round-trips through plain JSON', () => {
    const table = new QTable();
    table.set(START, 'C(64,3,1)', 0.51234567890123);
    table.set(CONV, 'SM(10)', 0.49);
    table.set('FC(256)|d6|fc2', 'SM(10)', 0.8);
    table.set('GAP(10)|d3', 'SM(10)', 0.3);
    const restored = deserializeQTable(JSON.parse(JSON.stringify(serializeQTable(table))));
    expect([...restored.entries()]).toEqual([...table.entries()]);
    expect(restored.initialValue).toBe(0.5);
  });

  it.each([
    [null, 'Q-table: expected an object, got null'],
    [{ initialValue: 0.5 }, 'Q-table.values: expected an object, got undefined (missing)'],
    [{ initialValue: '0.5', values: {} }, 'Q-table.initialValue: expected a finite number, got "0.5"'],
    [{ initialValue: 0.5, values: { [CONV]: { 'SM(10)': '0.5x' } } }, `Q-table.values["${CONV}"]["SM(10)"]: expected a finite number, got "0.5x"`],
    [{ initialValue: 0.5, values: { [CONV]: { 'SM(10)': null } } }, `Q-table.values["${CONV}"]["SM(10)"]: expected a finite number, got null`],
    [{ initialValue: 0.5, values: { [CONV]: [0.5] } }, `Q-table.values["${CONV}"]: expected an object, got [0.5]`],
    [{ initialValue: 0.5, values: { 'conv|1': { 'SM(10)': 0.5 } } }, 'Q-table.values["conv|1"]: not a state key (like "C(64,3,1)|d1|b8"): "conv|1"'],
    [
      { initialValue: 0.5, values: { [CONV]: { 'SM(10': 0.5 } } },
      `Q-table.values["${CONV}"]["SM(10"]: not an action key (a layer like "C(64,3,1)"): network string, character 5: expected ')' to close SM(, found the end of the text`,
    ],
  ])('rejects corrupt table %j, naming where', (json, message) => {
    expect(() => deserializeQTable(json)).toThrow(CorruptDataError);
    expect(() => deserializeQTable(json)).toThrow(message);
  });
});

describe('Q-learning update (spec section 2)', () => {
  it('updates a two-step trajectory in reverse, hand-computed', () => {
    const strategy = qLearningStrategy(cifar);
    const q = strategy.qTable;
    strategy.updateTrajectory('[C(64,3,1), SM(10)]', 0.9);
    // Terminal first: (1-0.01)·0.5 + 0.01·(0.9 + 1·0) = 0.504.
    expect(q.get(CONV, 'SM(10)')).toBeCloseTo(0.504, 12);
    // Then the start: 0.99·0.5 + 0.01·(0 + max over C(64,3,1)'s 17 actions = 0.504) = 0.50004.
    expect(q.get(START, 'C(64,3,1)')).toBeCloseTo(0.50004, 12);
    strategy.updateTrajectory('[C(64,3,1), SM(10)]', 0.9);
    expect(q.get(CONV, 'SM(10)')).toBeCloseTo(0.99 * 0.504 + 0.009, 12); // 0.50796
    expect(q.get(START, 'C(64,3,1)')).toBeCloseTo(0.99 * 0.50004 + 0.01 * 0.50796, 12); // 0.5001192
    expect(q.size).toBe(2);
  });

  it('takes the max over all legal next actions (untried ones at 0.5)', () => {
    const strategy = qLearningStrategy(cifar);
    strategy.updateTrajectory('[C(64,3,1), SM(10)]', 0.1);
    expect(strategy.qTable.get(CONV, 'SM(10)')).toBeCloseTo(0.496, 12);
    // max(0.496, 0.5 for the 16 untried actions) = 0.5, so the start value stays 0.5.
    expect(strategy.qTable.get(START, 'C(64,3,1)')).toBeCloseTo(0.5, 12);
  });

  it('walks GAP then SM as two transitions, ignoring dropout tokens', () => {
    const strategy = qLearningStrategy(cifar);
    strategy.updateTrajectory('[GAP(10), D(1,1), SM(10)]', 0.8);
    expect(strategy.qTable.get('GAP(10)|d1', 'SM(10)')).toBeCloseTo(0.503, 12);
    expect(strategy.qTable.get(START, 'GAP(10)')).toBeCloseTo(0.495 + 0.01 * 0.503, 12);
  });

  it('learn() applies replaySamples updates sampled from the memory (128 as the code option)', () => {
    const strategy = qLearningStrategy(cifar, { replaySamples: 128 });
    const entry: ReplayEntry = { net: '[C(64,3,1), SM(10)]', reward: 1, iteration: 1, epsilon: 1 };
    strategy.learn(entry, [entry], createRng(1));
    // 128 updates towards 1: Q = 1 - 0.5·0.99^128.
    expect(strategy.qTable.get(CONV, 'SM(10)')).toBeCloseTo(1 - 0.5 * 0.99 ** 128, 12);
    expect(qLearningStrategy(cifar).replaySamples).toBe(100);
  });

  it('round-trips the strategy through JSON and rejects bad options', () => {
    const strategy = qLearningStrategy(cifar, { alpha: 0.05 });
    strategy.updateTrajectory('[C(64,3,1), SM(10)]', 0.9);
    const copy = strategyFromJSON(JSON.parse(JSON.stringify(strategy.toJSON())), cifar);
    expect(copy.toJSON()).toEqual(strategy.toJSON());
    expect(strategyFromJSON({ kind: 'random' }, cifar).kind).toBe('random');
    expect(() => strategyFromJSON({ kind: 'policy-gradient' }, cifar)).toThrow('strategy.kind: expected one of "q-learning", "random", "evolution", got "policy-gradient"');
    expect(() => qLearningStrategy(cifar, { alpha: 0 })).toThrow(/alpha/);
  });
});

describe('ε-greedy walk', () => {
  it('always produces a valid net ending in SM', () => {
    const rng = createRng(5);
    for (let i = 0; i < 300; i++) {
      const net = epsilonGreedyWalk(cifar, 1, rng);
      expect(validateNetwork(net, cifar)).toEqual([]);
    }
  });

  it('with ε = 0 follows the argmax', () => {
    const strategy = qLearningStrategy(cifar);
    strategy.qTable.set(START, 'C(128,5,1)', 0.9);
    strategy.qTable.set('C(128,5,1)|d1|b8', 'P(2,2)', 0.9);
    strategy.qTable.set('P(2,2)|d2|b8', 'GAP(10)', 0.9);
    expect(formatNetwork(strategy.propose(0, createRng(3)))).toBe('[C(128,5,1), P(2,2), GAP(10), SM(10)]');
  });

  it('breaks argmax ties at random, uniformly', () => {
    const strategy = qLearningStrategy(cifar);
    strategy.qTable.set(START, 'C(64,1,1)', 0.7);
    strategy.qTable.set(START, 'GAP(10)', 0.7);
    const rng = createRng(11);
    const firstLayers = new Map<string, number>();
    for (let i = 0; i < 2000; i++) {
      const first = formatNetwork(strategy.propose(0, rng).slice(0, 1));
      firstLayers.set(first, (firstLayers.get(first) ?? 0) + 1);
    }
    expect([...firstLayers.keys()].sort()).toEqual(['[C(64,1,1)]', '[GAP(10)]']);
    expect(Math.abs(firstLayers.get('[GAP(10)]')! - 1000)).toBeLessThan(120);
  });

  it('with ε = 1 picks uniformly among the 14 start actions; random search ignores ε', () => {
    const rng = createRng(12);
    const counts = new Map<string, number>();
    const random = randomSearchStrategy(cifar);
    for (let i = 0; i < 4200; i++) {
      const first = formatNetwork(random.propose(0, rng).slice(0, 1));
      counts.set(first, (counts.get(first) ?? 0) + 1);
    }
    expect(counts.size).toBe(14);
    for (const count of counts.values()) expect(Math.abs(count - 300)).toBeLessThan(80);
  });
});

describe('replay memory', () => {
  it('samples uniformly with replacement', () => {
    const rng = createRng(9);
    const sample = sampleReplay(['a', 'b', 'c', 'd'], 4000, rng);
    expect(sample).toHaveLength(4000);
    for (const x of ['a', 'b', 'c', 'd']) expect(Math.abs(sample.filter((s) => s === x).length - 1000)).toBeLessThan(120);
    expect(sampleReplay([], 10, rng)).toEqual([]);
  });

  it('groups mean reward by ε, highest ε first (paper Figure 3)', () => {
    const entry = (epsilon: number, reward: number): ReplayEntry => ({ net: '[SM(10)]', reward, iteration: 1, epsilon });
    expect(rewardByEpsilon([entry(0.1, 0.9), entry(1, 0.2), entry(1, 0.4), entry(0.1, 0.7)])).toEqual([
      { epsilon: 1, count: 2, meanReward: expect.closeTo(0.3, 12) as number },
      { epsilon: 0.1, count: 2, meanReward: expect.closeTo(0.8, 12) as number },
    ]);
  });
});
