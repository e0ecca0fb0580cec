/** Issue 15's per-candidate savings in the trainer: one batch shape, the test pass only when asked, and the switch. */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSoftwareAdapter } from '../../../src/train/backend';
import { DatasetCache, requireSplit, type CachedDataset } from '../../../src/train/dataset-cache';
import { fillLastBatch } from '../../../src/train/epoch-loop';
import { evaluateModel } from '../../../src/train/evaluate';
import { buildModel } from '../../../src/train/build-model';
import { trainCandidate } from '../../../src/train/trainer';
import type { TrainConfig, TrainJob, TrainResult, TrainSuccess } from '../../../src/train/types';
import { CLASSES, LEARNER, quadrantDataset, useCpu } from './synthetic';

const FAST: Partial<TrainConfig> = { batchSize: 32, epochs: 1, latencyBatchSize: 0, progressEveryMs: 0 };

let cache: DatasetCache;
let dataset: CachedDataset;

beforeAll(async () => {
  await useCpu();
  cache = new DatasetCache();
  // 200 training images: six full batches of 32 and one of 8; 70 validation and test images: two of 32 and one of 6.
  dataset = cache.load('odd', quadrantDataset(200, 70, 70));
});
afterAll(() => cache.dispose());

function job(overrides: Partial<TrainJob> = {}, config: Partial<TrainConfig> = {}): TrainJob {
  return { id: 'job', net: LEARNER, datasetId: 'odd', seed: 5, config: { ...FAST, ...config }, ...overrides };
}

function done(result: TrainResult): TrainSuccess {
  if (result.status !== 'done') throw new Error(`expected a trained result, got ${result.status}`);
  return result;
}

describe('fillLastBatch', () => {
  it('grows the order to whole batches from its own start, every image kept', () => {
    const order = Int32Array.from([7, 3, 9, 1, 4]);
    expect(Array.from(fillLastBatch(order, 2))).toEqual([7, 3, 9, 1, 4, 7]);
    expect(Array.from(fillLastBatch(order, 4))).toEqual([7, 3, 9, 1, 4, 7, 3, 9]);
    expect(fillLastBatch(order, 5)).toBe(order);
    // A batch larger than the order wraps around it.
    expect(Array.from(fillLastBatch(Int32Array.from([2, 5]), 5))).toEqual([2, 5, 2, 5, 2]);
  });
});

describe('evaluateModel with full batches', () => {
  it('gives the accuracy and loss of the plain pass, reading the short last batch as the last full window', async () => {
    const model = buildModel(LEARNER, dataset.inputShape, 3);
    try {
      const validation = requireSplit(dataset, 'validation');
      const plain = await evaluateModel(model, validation, CLASSES, 32, false);
      const full = await evaluateModel(model, validation, CLASSES, 32, true);
      expect(full.count).toBe(70);
      expect(full.accuracy).toBe(plain.accuracy);
      expect(full.loss).toBeCloseTo(plain.loss, 5);
    } finally {
      model.dispose();
    }
  });
});

describe('trainCandidate savings', () => {
  it('trains every batch at the batch size with the savings on, and a short last batch with them off', async () => {
    const on = done(await trainCandidate(job(), dataset));
    const off = done(await trainCandidate(job({}, { savings: false }), dataset));
    // Both see 200 images an epoch; the filled epoch trains 7 full batches (8 images twice).
    expect(on.trainImages).toBe(200);
    expect(off.trainImages).toBe(200);
    expect(on.curve[0]?.trainLoss).not.toBe(off.curve[0]?.trainLoss);
  });

  it('measures the test accuracy only when the best validation accuracy reaches the threshold', async () => {
    const always = done(await trainCandidate(job(), dataset));
    expect(always.testAccuracy).not.toBeNull();
    const below = done(await trainCandidate(job({ testIfValidationAtLeast: always.bestValidationAccuracy + 1e-6 }), dataset));
    expect(below.bestValidationAccuracy).toBe(always.bestValidationAccuracy);
    expect(below.testAccuracy).toBeNull();
    const at = done(await trainCandidate(job({ testIfValidationAtLeast: always.bestValidationAccuracy }), dataset));
    expect(at.testAccuracy).toBe(always.testAccuracy);
  });

  it('leaves no tensors behind', async () => {
    const before = tf.memory().numTensors;
    done(await trainCandidate(job({ testIfValidationAtLeast: 0 }), dataset));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a savings switch that is not a boolean, naming the field', async () => {
    await expect(trainCandidate(job({}, { savings: 'yes' as unknown as boolean }), dataset)).rejects.toThrow(/TrainConfig\.savings/);
  });
});

describe('isSoftwareAdapter', () => {
  it("trusts the browser's fallback flag and knows the software rasterisers by name", () => {
    expect(isSoftwareAdapter({ vendor: 'google', architecture: 'swiftshader', description: '' })).toBe(true);
    expect(isSoftwareAdapter({ vendor: 'mesa', architecture: '', description: 'llvmpipe (LLVM 15.0.6, 256 bits)' })).toBe(true);
    expect(isSoftwareAdapter({ vendor: 'x', architecture: 'y', description: '' }, true)).toBe(true);
    expect(isSoftwareAdapter({ vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H200' }, false)).toBe(false);
    expect(isSoftwareAdapter({ vendor: 'apple', architecture: 'metal-3', description: '' })).toBe(false);
  });
});
