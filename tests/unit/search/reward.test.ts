import { describe, expect, it } from 'vitest';
import type { ConstraintSetup } from '../../../src/search/config';
import { failedEntry, replayEntryFromResult, shapedReward, type EntryContext } from '../../../src/search/reward';
import type { TrainSuccess, TrainTooLarge } from '../../../src/train/types';

const free: ConstraintSetup = { paramCap: null, latencyTargetMs: null, latencyPenalty: 1 };
const target = (latencyTargetMs: number, latencyPenalty = 1): ConstraintSetup => ({ paramCap: null, latencyTargetMs, latencyPenalty });

describe('shapedReward', () => {
  it('is the accuracy without a latency target, or without a measured latency', () => {
    expect(shapedReward(0.83, 50, free)).toBe(0.83);
    expect(shapedReward(0.83, null, target(2))).toBe(0.83);
  });

  it('is the accuracy when the net is at or under the target', () => {
    expect(shapedReward(0.83, 2, target(2))).toBe(0.83);
    expect(shapedReward(0.83, 0.5, target(2))).toBe(0.83);
  });

  it('is accuracy × (target / latency)^penalty over the target', () => {
    expect(shapedReward(0.8, 4, target(2))).toBeCloseTo(0.4, 12);
    expect(shapedReward(0.8, 8, target(2, 0.5))).toBeCloseTo(0.4, 12);
    expect(shapedReward(0.9, 3, target(1, 2))).toBeCloseTo(0.1, 12);
    expect(shapedReward(0.8, 4, target(2, 0))).toBe(0.8);
  });

  it('ranks two equally slow nets by accuracy and keeps the reward in [0, 1]', () => {
    const slow = target(1, 3);
    expect(shapedReward(0.9, 5, slow)).toBeGreaterThan(shapedReward(0.7, 5, slow));
    for (const latency of [1.01, 10, 1e6]) {
      const r = shapedReward(1, latency, slow);
      expect(r).toBeGreaterThanOrEqual(0);
      expect(r).toBeLessThan(1);
    }
  });
});

const ctx = (constraints: ConstraintSetup = free): EntryContext => ({
  netString: '[C(8,3,1), SM(10)]',
  iterations: [4],
  epsilon: 0.5,
  classes: 10,
  trainedBy: 'tab-1',
  constraints,
  now: 1_700_000_000_000,
});

const backend = { backend: 'webgpu', adapter: { vendor: 'google', architecture: 'swiftshader', description: '' } };

function success(over: Partial<TrainSuccess> = {}): TrainSuccess {
  return {
    status: 'done',
    jobId: 'j1',
    reward: 0.7,
    curve: [
      { epoch: 1, validationAccuracy: 0.6, validationLoss: 1.2, trainLoss: 1.4, learningRate: 0.001 },
      { epoch: 2, validationAccuracy: 0.7, validationLoss: 0.9, trainLoss: 1.0, learningRate: 0.001 },
    ],
    bestValidationAccuracy: 0.7,
    finalValidationAccuracy: 0.7,
    testAccuracy: 0.68,
    failedToLearn: false,
    stoppedAfterEpoch: null,
    learningRatesTried: [0.001],
    trainImages: 160,
    paramCount: 1234,
    multiplyAdds: 56_789,
    estimatedMemoryBytes: 1e6,
    latency: { batch1MsPerImage: 4, largeBatchMsPerImage: 0.5, largeBatchSize: 32 },
    timings: { buildMs: 10, firstBatchMs: 900, trainMs: 1200, evaluateMs: 300, latencyMs: 50, totalMs: 2460 },
    backend,
    weights: null,
    ...over,
  };
}

/** A trainer's result comes from a worker: the entry it becomes is checked and clamped. */
describe('replayEntryFromResult', () => {
  it('turns a result into the entry the store keeps, field for field', () => {
    expect(replayEntryFromResult(success(), ctx())).toEqual({
      netString: '[C(8,3,1), SM(10)]',
      iterations: [4],
      epsilon: 0.5,
      params: 1234,
      multiplyAdds: 56_789,
      trainedBy: 'tab-1',
      backend: 'webgpu',
      adapter: 'google swiftshader',
      finishedAt: 1_700_000_000_000,
      source: 'trained',
      bestValAccuracy: 0.7,
      finalValAccuracy: 0.7,
      testAccuracy: 0.68,
      valCurve: [
        { accuracy: 0.6, loss: 1.2 },
        { accuracy: 0.7, loss: 0.9 },
      ],
      latency: { batch1Ms: 4, batchNPerImageMs: 0.5, batchSize: 32 },
      reward: 0.7,
      timings: { buildMs: 10, firstBatchMs: 900, trainingMs: 1200, evaluationMs: 300 },
      status: 'ok',
      trainImages: 160,
    });
  });

  it('shapes the reward by the measured batch-1 latency', () => {
    expect(replayEntryFromResult(success(), ctx(target(2))).reward).toBeCloseTo(0.35, 12);
    expect(replayEntryFromResult(success({ latency: null }), ctx(target(2))).reward).toBe(0.7);
  });

  it('clamps accuracies into [0, 1] and a non-finite loss to a large number', () => {
    const entry = replayEntryFromResult(
      success({
        reward: Number.NaN,
        bestValidationAccuracy: 1.5,
        finalValidationAccuracy: -0.2,
        testAccuracy: Number.POSITIVE_INFINITY,
        curve: [{ epoch: 1, validationAccuracy: Number.NaN, validationLoss: Number.NaN, trainLoss: 1, learningRate: 0.001 }],
      }),
      ctx(),
    );
    expect(entry).toMatchObject({ reward: 0, bestValAccuracy: 1, finalValAccuracy: 0, testAccuracy: 0, valCurve: [{ accuracy: 0, loss: 1e9 }] });
  });

  it('keeps a missing test accuracy missing, the larger batch at least 1, and a net that failed to learn marked', () => {
    const entry = replayEntryFromResult(success({ testAccuracy: null, failedToLearn: true, latency: { batch1MsPerImage: 1, largeBatchMsPerImage: 1, largeBatchSize: 0 } }), ctx());
    expect(entry.testAccuracy).toBeNull();
    expect(entry.latency?.batchSize).toBe(1);
    expect(entry.status).toBe('failed-to-learn');
  });

  it('scores a net too large to train at chance accuracy', () => {
    const tooLarge: TrainTooLarge = {
      status: 'too-large',
      jobId: 'j2',
      reason: 'estimate over budget',
      estimatedMemoryBytes: 9e9,
      memoryBudgetBytes: 3e9,
      paramCount: 99,
      multiplyAdds: 100,
      backend: { backend: 'cpu', adapter: null },
    };
    expect(replayEntryFromResult(tooLarge, ctx())).toMatchObject({
      status: 'too-large',
      bestValAccuracy: 0.1,
      finalValAccuracy: 0.1,
      reward: 0.1,
      testAccuracy: null,
      latency: null,
      timings: null,
      valCurve: [],
      adapter: null,
      backend: 'cpu',
    });
  });
});

describe('failedEntry', () => {
  it('scores a job that failed on every attempt at chance, with no backend', () => {
    const { constraints: _, ...rest } = ctx();
    expect(failedEntry({ ...rest, classes: 4, params: 5, multiplyAdds: 6 })).toMatchObject({
      status: 'failed',
      bestValAccuracy: 0.25,
      reward: 0.25,
      backend: null,
      params: 5,
      source: 'trained',
    });
  });
});
