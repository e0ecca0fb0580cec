import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/core';
import { CurvePredictor, curveFeatures, finalAccuracy, type ArchitectureFeatures } from '../../../src/core/curve-prediction';
import {
  checkEarlyStoppingOptions,
  EarlyStopper,
  normalCdf,
  simulateEarlyStopping,
  type RecordedNet,
} from '../../../src/core/early-stopping';
import { cholesky, choleskyInverse, choleskySolve } from '../../../src/core/linear-algebra';

/**
 * Synthetic learning curves with a known law: accuracy rises as A·(1 − e^(−t/τ)) plus noise,
 * where the ceiling A depends on the architecture (more convs, higher) and on the net's own
 * luck, and τ varies. Hopeless nets (A near chance) exist, as in a real search.
 */
function syntheticNets(count: number, epochs: number, seed: number): RecordedNet[] {
  const rng = createRng(seed);
  return Array.from({ length: count }, (_, i) => {
    const convs = rng.int(4);
    const architecture: ArchitectureFeatures = { depth: convs + 3, params: 1000 * (1 + rng.int(50)), convs, pools: rng.int(2), fcs: rng.int(2) };
    const hopeless = rng.next() < 0.3;
    const ceiling = hopeless ? 0.1 + 0.05 * rng.next() : 0.55 + 0.1 * convs + 0.1 * rng.next();
    const tau = 1 + 3 * rng.next();
    const curve = Array.from({ length: epochs }, (_, t) => Math.min(1, Math.max(0, 0.1 + (ceiling - 0.1) * (1 - Math.exp(-(t + 1) / tau)) + 0.01 * (rng.next() - 0.5))));
    return { id: `net-${i}`, curve, architecture };
  });
}

describe('linear algebra', () => {
  it('solves and inverts a symmetric positive-definite matrix', () => {
    const a = [
      [4, 12, -16],
      [12, 37, -43],
      [-16, -43, 98],
    ];
    const l = cholesky(a)!;
    expect(l).toEqual([
      [2, 0, 0],
      [6, 1, 0],
      [-8, 5, 3],
    ]);
    const x = choleskySolve(l, [1, 2, 3]);
    a.forEach((row, i) => expect(row.reduce((s, v, j) => s + v * x[j]!, 0)).toBeCloseTo([1, 2, 3][i]!, 9));
    const inverse = choleskyInverse(l);
    a.forEach((row, i) => row.forEach((_, j) => expect(a[i]!.reduce((s, v, k) => s + v * inverse[k]![j]!, 0)).toBeCloseTo(i === j ? 1 : 0, 9)));
    expect(cholesky([[1, 2], [2, 1]])).toBeNull(); // not positive definite
  });
});

describe('curve prediction', () => {
  it('builds the features from the values, their first and second differences, and the architecture', () => {
    const arch = { depth: 4, params: 999, convs: 2, pools: 1, fcs: 0 };
    const features = curveFeatures([0.2, 0.5, 0.6, 0.9], 3, arch);
    expect(features.slice(0, 3)).toEqual([0.2, 0.5, 0.6]);
    expect(features[3]).toBeCloseTo(0.3);
    expect(features[4]).toBeCloseTo(0.1);
    expect(features[5]).toBeCloseTo(-0.2);
    expect(features.slice(6)).toEqual([4, 3, 2, 1, 0]);
    expect(() => curveFeatures([0.2], 2, arch)).toThrow(/epochs must be 1 to 1/);
  });

  it('predicts held-out final accuracies from three epochs far better than the mean does', () => {
    const nets = syntheticNets(70, 10, 3);
    const model = CurvePredictor.fit(nets.slice(0, 55), 3)!;
    expect(model).not.toBeNull();
    const held = nets.slice(55);
    const errors = held.map((n) => model.predict(n.curve.slice(0, 3), n.architecture).mean - finalAccuracy(n.curve));
    const rmse = Math.sqrt(errors.reduce((s, e) => s + e * e, 0) / errors.length);
    const mean = nets.slice(0, 55).reduce((s, n) => s + finalAccuracy(n.curve), 0) / 55;
    const baseline = Math.sqrt(held.reduce((s, n) => s + (mean - finalAccuracy(n.curve)) ** 2, 0) / held.length);
    expect(rmse).toBeLessThan(baseline / 3);
    // Its own leave-one-out error estimate is in the same range as the held-out error.
    const { std, baselineRmse } = model.predict(held[0]!.curve.slice(0, 3), held[0]!.architecture);
    expect(std).toBeLessThan(baselineRmse / 3);
    expect(std).toBeGreaterThan(rmse / 4);
    expect(std).toBeLessThan(rmse * 4);
  });

  it('needs five completed curves longer than the epochs it predicts from', () => {
    const nets = syntheticNets(5, 4, 1);
    expect(CurvePredictor.fit(nets.slice(0, 4), 2)).toBeNull();
    expect(CurvePredictor.fit(nets, 4)).toBeNull(); // no epoch left to predict
    expect(CurvePredictor.fit(nets, 3)).not.toBeNull();
  });
});

describe('early stopping', () => {
  it('stops a hopeless net once it has enough completed curves, never one already above the bar', () => {
    const stopper = new EarlyStopper({ confidence: 0.95, topK: 3, minCompleted: 10 });
    const nets = syntheticNets(40, 8, 5).filter((n) => finalAccuracy(n.curve) > 0.5);
    const hopeless = { depth: 3, params: 5000, convs: 0, pools: 0, fcs: 1 };
    const flat = [0.1, 0.11];
    for (const [i, n] of nets.slice(0, 9).entries()) {
      stopper.addCompleted(n.curve, n.architecture);
      expect(stopper.decide(flat, 8, hopeless).stop, `after ${i + 1} completed`).toBe(false);
    }
    stopper.addCompleted(nets[9]!.curve, nets[9]!.architecture);
    const decision = stopper.decide(flat, 8, hopeless);
    expect(decision.stop).toBe(true);
    expect(decision.chance!).toBeLessThan(0.05);
    expect(decision.bar).toBeGreaterThan(0.6);
    const best = [...nets.slice(0, 10)].sort((a, b) => finalAccuracy(b.curve) - finalAccuracy(a.curve))[0]!;
    expect(stopper.decide(best.curve.slice(0, 7), 8, best.architecture)).toMatchObject({ stop: false, chance: 1 });
    // The last epoch is never "early".
    expect(stopper.decide(Array(8).fill(0.1), 8, hopeless).stop).toBe(false);
  });

  it('replayed on recorded curves, saves at least 2× the epochs and keeps the true top 5', () => {
    const nets = syntheticNets(120, 10, 11);
    const report = simulateEarlyStopping(nets, { confidence: 0.95, topK: 5, minCompleted: 10 });
    expect(report.fullEpochs).toBe(1200);
    expect(report.savingFactor).toBeGreaterThanOrEqual(2);
    expect(report.trueTopStopped.length).toBeLessThanOrEqual(1);
    expect(report.stopped.length).toBeGreaterThan(20);
    // Every stopped net really was below the top 5's bar.
    const fifth = nets.map((n) => finalAccuracy(n.curve)).sort((a, b) => b - a)[4]!;
    expect(report.stopped.filter((s) => s.actual >= fifth).length).toBe(report.trueTopStopped.length);
    // Deterministic: the same curves give the same report.
    expect(simulateEarlyStopping(nets, { confidence: 0.95, topK: 5, minCompleted: 10 })).toEqual(report);
  });

  it('refuses options that make no sense, naming them', () => {
    expect(() => checkEarlyStoppingOptions({ confidence: 1, topK: 5, minCompleted: 10 })).toThrow(/confidence/);
    expect(() => checkEarlyStoppingOptions({ confidence: 0.9, topK: 0, minCompleted: 10 })).toThrow(/topK/);
    expect(() => checkEarlyStoppingOptions({ confidence: 0.9, topK: 5, minCompleted: 2 })).toThrow(/minCompleted/);
  });

  it('computes the normal distribution function', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 6);
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 5);
    expect(normalCdf(-1.644854)).toBeCloseTo(0.05, 5);
  });
});
