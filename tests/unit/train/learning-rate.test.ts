import { describe, expect, it } from 'vitest';
import { DEFAULT_TRAIN_CONFIG, resolveTrainConfig } from '../../../src/train/config';
import { beatsEarlierNets, failedToLearn, nextLearningRate } from '../../../src/train/learning-rate';
import type { LearningRateRule } from '../../../src/train/types';

/** The rate used in each of `epochs` epochs, given each epoch's best accuracy so far. */
function schedule(rule: LearningRateRule, bestByEpoch: readonly number[], bestSoFar: number | null): number[] {
  const config = { learningRateRule: rule, decayEveryEpochs: 5, decayFactor: null };
  const rates: number[] = [];
  let rate = 0.001;
  bestByEpoch.forEach((best, i) => {
    rates.push(rate);
    rate = nextLearningRate({ epoch: i + 1, learningRate: rate, bestValidationAccuracy: best, bestSoFar }, config);
  });
  return rates;
}

const round = (xs: number[]) => xs.map((x) => Number(x.toPrecision(6)));
const flat = (value: number, epochs = 20) => Array.from({ length: epochs }, () => value);

describe('learning-rate rules', () => {
  it('seed defaults: Adam 0.001, batch 128, 20 epochs, ×0.8 every 5 epochs for better nets', () => {
    expect(DEFAULT_TRAIN_CONFIG).toMatchObject({ learningRate: 0.001, batchSize: 128, epochs: 20, learningRateRule: 'seed', decayEveryEpochs: 5 });
  });

  it("'paper' multiplies by 0.2 after epochs 5, 10 and 15 whatever the accuracy", () => {
    const rates = round(schedule('paper', flat(0.1), 0.9));
    expect(rates.slice(0, 5)).toEqual(flat(0.001, 5));
    expect(rates.slice(5, 10)).toEqual(flat(0.0002, 5));
    expect(rates.slice(10, 15)).toEqual(flat(0.00004, 5));
    expect(rates.slice(15, 20)).toEqual(flat(0.000008, 5));
  });

  it("'seed' decays ×0.8 at each boundary where the run beats the nets before it", () => {
    const better = round(schedule('seed', flat(0.8), 0.7));
    expect(better.slice(4, 6)).toEqual([0.001, 0.0008]);
    expect(better[19]).toBe(0.000512);
  });

  it("'seed' keeps the rate while the run is not better, and starts decaying once it is", () => {
    expect(round(schedule('seed', flat(0.7), 0.7))).toEqual(flat(0.001)); // equal is not better
    // Best accuracy passes 0.7 during epoch 8: the first decay is at the epoch-10 boundary.
    const best = [0.3, 0.4, 0.5, 0.6, 0.65, 0.66, 0.68, 0.72, 0.73, 0.74, 0.75, 0.75, 0.75, 0.75, 0.75, 0.76, 0.76, 0.76, 0.76, 0.76];
    const rates = round(schedule('seed', best, 0.7));
    expect(rates.slice(0, 10)).toEqual(flat(0.001, 10));
    expect(rates.slice(10, 15)).toEqual(flat(0.0008, 5));
    expect(rates.slice(15, 20)).toEqual(flat(0.00064, 5));
  });

  it("'seed' treats the first net (no earlier best) as better", () => {
    expect(beatsEarlierNets(0.1, null)).toBe(true);
    expect(round(schedule('seed', flat(0.1), null))[5]).toBe(0.0008);
  });

  it("'constant' never changes, and an explicit factor overrides the rule's", () => {
    expect(round(schedule('constant', flat(0.9), 0.1))).toEqual(flat(0.001));
    const rate = nextLearningRate(
      { epoch: 2, learningRate: 1, bestValidationAccuracy: 0, bestSoFar: 0 },
      { learningRateRule: 'paper', decayEveryEpochs: 2, decayFactor: 0.5 },
    );
    expect(rate).toBe(0.5);
  });

  it('failed to learn: epoch-1 accuracy not above 1.5×chance', () => {
    expect(failedToLearn(0.15, 10, 1.5)).toBe(true);
    expect(failedToLearn(0.1501, 10, 1.5)).toBe(false);
    expect(failedToLearn(0.375, 4, 1.5)).toBe(true);
    expect(failedToLearn(Number.NaN, 4, 1.5)).toBe(true);
  });
});

describe('resolveTrainConfig', () => {
  it('overlays overrides on the defaults, ignoring undefined', () => {
    const config = resolveTrainConfig({ epochs: 3, batchSize: undefined });
    expect(config.epochs).toBe(3);
    expect(config.batchSize).toBe(128);
  });

  it.each([
    [{ batchSize: 0 }, /TrainConfig.batchSize: expected a positive integer, got 0/],
    [{ epochs: 2.5 }, /TrainConfig.epochs/],
    [{ learningRate: -1 }, /TrainConfig.learningRate: expected a positive number/],
    [{ weightDecay: Number.NaN }, /TrainConfig.weightDecay/],
    [{ learningRateRule: 'cosine' as LearningRateRule }, /learningRateRule.*"cosine"/],
    [{ decayFactor: 0 }, /TrainConfig.decayFactor/],
  ])('rejects %o', (overrides, message) => {
    expect(() => resolveTrainConfig(overrides)).toThrow(message);
  });
});
