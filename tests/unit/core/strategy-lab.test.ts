/** The strategy lab's simulation and summary (issue 16), on a synthetic oracle. */
import { describe, expect, it } from 'vitest';
import { labMetrics, makeSearchSpace, parseNetwork, scheduleTotal, SimulatedSearch, validateNetwork, type LabIteration } from '../../../src/core';

const space = makeSearchSpace('paper', { inputShape: { height: 32, width: 32, channels: 3 }, numClasses: 10 });
const schedule = [
  { epsilon: 1, nets: 60 },
  { epsilon: 0.5, nets: 30 },
  { epsilon: 0.1, nets: 30 },
];
/** More convs score higher, fully connected layers lower: a landscape to learn. */
const oracle = (net: string): number => {
  const layers = parseNetwork(net);
  const convs = layers.filter((l) => l.kind === 'conv').length;
  const fcs = layers.filter((l) => l.kind === 'fc').length;
  return Math.max(0.1, Math.min(0.99, 0.2 + 0.08 * convs - 0.05 * fcs));
};

describe('SimulatedSearch', () => {
  it('runs the whole schedule with the real agent: every net trained once, valid, scored by the oracle', () => {
    const search = new SimulatedSearch({ space, schedule, seed: 4, strategy: 'q-learning', oracle });
    const iterations = search.run();
    expect(search.done).toBe(true);
    const trained = iterations.filter((it) => it.trained);
    expect(trained).toHaveLength(scheduleTotal(schedule));
    expect(new Set(trained.map((it) => it.net)).size).toBe(trained.length);
    for (const it of trained) {
      expect(validateNetwork(parseNetwork(it.net), space)).toEqual([]);
      expect(it.accuracy).toBe(oracle(it.net));
    }
    // A net proposed again is reused with the accuracy it was trained with.
    const first = new Map(trained.map((it) => [it.net, it.accuracy]));
    for (const it of iterations.filter((x) => !x.trained)) expect(it.accuracy).toBe(first.get(it.net));
    expect(iterations.map((it) => it.iteration)).toEqual(iterations.map((_, i) => i + 1));
    expect(search.step(10)).toEqual([]);
  });

  it('is deterministic for a seed and differs across seeds, in slices or in one go', () => {
    const sliced = new SimulatedSearch({ space, schedule, seed: 9, strategy: 'evolution', oracle });
    while (!sliced.done) sliced.step(7);
    const whole = new SimulatedSearch({ space, schedule, seed: 9, strategy: 'evolution', oracle }).run();
    expect(sliced.iterations).toEqual(whole);
    const other = new SimulatedSearch({ space, schedule, seed: 10, strategy: 'evolution', oracle }).run();
    expect(other.map((it) => it.net)).not.toEqual(whole.map((it) => it.net));
  });

  it('Q-learning exploits what it learnt: its ε = 0.1 nets beat its ε = 1 nets; random search’s do not', () => {
    const mean = (xs: readonly LabIteration[], epsilon: number) => {
      const at = xs.filter((it) => it.epsilon === epsilon);
      return at.reduce((a, it) => a + it.accuracy, 0) / at.length;
    };
    const q = new SimulatedSearch({ space, schedule, seed: 2, strategy: 'q-learning', oracle }).run();
    const random = new SimulatedSearch({ space, schedule, seed: 2, strategy: 'random', oracle }).run();
    expect(mean(q, 0.1)).toBeGreaterThan(mean(q, 1) + 0.05);
    expect(mean(random, 0.1)).toBeLessThan(mean(q, 0.1));
  });
});

describe('labMetrics', () => {
  const it_ = (iteration: number, epsilon: number, net: string, accuracy: number, trained = true): LabIteration => ({ iteration, epsilon, net, accuracy, trained });
  const run = [
    it_(1, 1, 'a', 0.5),
    it_(2, 1, 'b', 0.95),
    it_(3, 1, 'a', 0.5, false),
    it_(4, 0.5, 'c', 0.7),
    it_(5, 0.5, 'd', 0.92),
    it_(6, 0.5, 'e', 0.96),
  ];

  it('sums a run up: per-ε means with reused nets, best, top-5, nets above the bar and until the first', () => {
    const m = labMetrics(run, 0.9);
    expect(m.byEpsilon).toEqual([
      { epsilon: 1, iterations: 3, meanAccuracy: (0.5 + 0.95 + 0.5) / 3 },
      { epsilon: 0.5, iterations: 3, meanAccuracy: (0.7 + 0.92 + 0.96) / 3 },
    ]);
    expect(m.all).toEqual({ nets: 5, best: 0.96, top5Mean: (0.96 + 0.95 + 0.92 + 0.7 + 0.5) / 5, aboveBar: 3, untilFirstAboveBar: 2 });
    // After the ε = 1 phase: counted from its own first net.
    expect(m.afterExploration).toEqual({ nets: 3, best: 0.96, top5Mean: (0.96 + 0.92 + 0.7) / 3, aboveBar: 2, untilFirstAboveBar: 2 });
  });

  it('says null where no net reached the bar or none was trained', () => {
    const m = labMetrics(run.slice(0, 3), 0.99);
    expect(m.all.untilFirstAboveBar).toBeNull();
    expect(m.all.aboveBar).toBe(0);
    expect(m.afterExploration).toEqual({ nets: 0, best: null, top5Mean: null, aboveBar: 0, untilFirstAboveBar: null });
  });
});
