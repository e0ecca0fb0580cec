import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countMultiplyAdds, countParams, parseNetwork } from '../../../src/core/index';
import type { Net } from '../../../src/core/types';
import { DatasetCache, type CachedDataset } from '../../../src/train/dataset-cache';
import { sampleIndices } from '../../../src/train/sample-indices';
import { isOutOfMemory, trainCandidate } from '../../../src/train/trainer';
import type { TrainConfig, TrainJob, TrainProgress, TrainResult, TrainSuccess } from '../../../src/train/types';
import { CLASSES, LEARNER, TINY_NETS, quadrantDataset, useCpu } from './synthetic';

const FAST: Partial<TrainConfig> = { batchSize: 32, epochs: 1, latencyBatchSize: 8, latencyRepeats: 1, progressEveryMs: 0 };

let cache: DatasetCache;
let dataset: CachedDataset;

beforeAll(async () => {
  await useCpu();
  cache = new DatasetCache();
  dataset = cache.load('quadrants', quadrantDataset());
});
afterAll(() => cache.dispose());

function job(net: Net, overrides: Partial<TrainJob> = {}, config: Partial<TrainConfig> = {}): TrainJob {
  return { id: 'job', net, datasetId: 'quadrants', seed: 11, config: { ...FAST, ...config }, ...overrides };
}

function done(result: TrainResult): TrainSuccess {
  if (result.status !== 'done') throw new Error(`expected a trained result, got ${result.status}: ${result.reason}`);
  return result;
}

describe('trainCandidate', () => {
  it('learns the quadrant data well above chance and reports everything a result needs', async () => {
    const events: TrainProgress[] = [];
    const result = done(
      await trainCandidate(job(LEARNER, {}, { epochs: 4, learningRate: 0.01 }), dataset, { onProgress: (p) => events.push(p) }),
    );
    const chance = 1 / CLASSES;
    expect(result.reward).toBeGreaterThan(3 * chance);
    expect(result.reward).toBe(result.bestValidationAccuracy);
    expect(result.bestValidationAccuracy).toBe(Math.max(...result.curve.map((r) => r.validationAccuracy)));
    expect(result.finalValidationAccuracy).toBe(result.curve[3]?.validationAccuracy);
    expect(result.testAccuracy).toBeGreaterThan(2 * chance);
    expect(result.curve.map((r) => r.epoch)).toEqual([1, 2, 3, 4]);
    for (const r of result.curve) {
      expect(Number.isFinite(r.validationLoss) && Number.isFinite(r.trainLoss)).toBe(true);
    }
    expect(result.curve[3]?.trainLoss).toBeLessThan(result.curve[0]?.trainLoss ?? 0);
    expect(result.paramCount).toBe(countParams(LEARNER, dataset.inputShape));
    expect(result.multiplyAdds).toBe(countMultiplyAdds(LEARNER, dataset.inputShape));
    expect(result.trainImages).toBe(192);
    expect(result.latency?.largeBatchSize).toBe(8);
    expect(result.latency?.batch1MsPerImage).toBeGreaterThan(0);
    expect(result.backend.backend).toBe('cpu');
    expect(result.timings.firstBatchMs).toBeGreaterThan(0);
    expect(result.timings.totalMs).toBeGreaterThanOrEqual(
      result.timings.buildMs + result.timings.firstBatchMs + result.timings.trainMs + result.timings.evaluateMs,
    );
    const floats = result.paramCount;
    expect(result.weights?.data.byteLength).toBe(4 * floats);
    expect(result.weights?.specs.map((s) => s.name)).toEqual(['l0_conv/kernel', 'l0_conv/bias', 'l2_softmax/kernel', 'l2_softmax/bias']);
    // 6 batches of 32 per epoch; progressEveryMs 0 reports each one.
    expect(events.filter((e) => e.kind === 'batch')).toHaveLength(24);
    expect(events.filter((e) => e.kind === 'epoch')).toHaveLength(4);
    expect(events.at(-1)).toMatchObject({ kind: 'epoch', record: { epoch: 4 } });
  });

  it('is reproducible from the seed', async () => {
    const net = TINY_NETS[2] as Net; // has dropout
    const a = done(await trainCandidate(job(net, {}, { epochs: 2 }), dataset));
    const b = done(await trainCandidate(job(net, {}, { epochs: 2 }), dataset));
    const c = done(await trainCandidate(job(net, { seed: 12 }, { epochs: 2 }), dataset));
    expect(b.curve).toEqual(a.curve);
    expect(new Float32Array(b.weights?.data ?? new ArrayBuffer(0))).toEqual(new Float32Array(a.weights?.data ?? new ArrayBuffer(0)));
    expect(c.curve).not.toEqual(a.curve);
  });

  it('trains and evaluates the same on a dataset kept in chunks (a split past the device\'s largest buffer)', async () => {
    // 8×8×1 float32 images are 256 bytes: 40 per 10 KiB chunk, so every split has several.
    const chunked = new DatasetCache({ maxChunkBytes: 10 * 1024 });
    try {
      const inChunks = chunked.load('quadrants', quadrantDataset());
      expect(inChunks.splits.get('train')?.chunks.length).toBe(5);
      const run = (data: CachedDataset) => trainCandidate(job(LEARNER, {}, { epochs: 3, learningRate: 0.01, latencyBatchSize: 0 }), data);
      const a = done(await run(dataset));
      const b = done(await run(inChunks));
      expect(b.reward).toBeGreaterThan(3 / CLASSES);
      // Only the order of images inside a batch differs, so the sums differ in rounding only.
      expect(b.curve.map((r) => r.validationAccuracy)).toEqual(a.curve.map((r) => r.validationAccuracy));
      expect(b.testAccuracy).toBe(a.testAccuracy);
      b.curve.forEach((r, i) => expect(r.trainLoss).toBeCloseTo(a.curve[i]?.trainLoss ?? Number.NaN, 4));
    } finally {
      chunked.dispose();
    }
  });

  it("steps the learning rate at the boundaries: 'paper' always, 'seed' only when beating bestSoFar", async () => {
    const rates = async (config: Partial<TrainConfig>, bestSoFar: number | null) =>
      done(
        await trainCandidate(job(LEARNER, { bestSoFar }, { epochs: 5, decayEveryEpochs: 2, latencyBatchSize: 0, returnWeights: false, ...config }), dataset),
      ).curve.map((r) => Number(r.learningRate.toPrecision(6)));
    expect(await rates({ learningRateRule: 'paper' }, 0.99)).toEqual([0.001, 0.001, 0.0002, 0.0002, 0.00004]);
    expect(await rates({ learningRateRule: 'seed' }, 0.99)).toEqual([0.001, 0.001, 0.001, 0.001, 0.001]);
    expect(await rates({ learningRateRule: 'seed' }, 0)).toEqual([0.001, 0.001, 0.0008, 0.0008, 0.00064]);
  });

  it("restarts a net that failed to learn at lr×0.4, and scores chance when every rate fails (paper)", async () => {
    const events: TrainProgress[] = [];
    const config: Partial<TrainConfig> = { restartIfFailedToLearn: true, maxLearningRates: 3, learningRate: 1e-9, epochs: 3, returnWeights: false };
    const result = done(await trainCandidate(job(LEARNER, {}, config), dataset, { onProgress: (e) => events.push(e) }));
    expect(result.failedToLearn).toBe(true);
    expect(result.reward).toBe(1 / CLASSES);
    expect(result.learningRatesTried.map((r) => Number(r.toPrecision(6)))).toEqual([1e-9, 4e-10, 1.6e-10]);
    expect(events.filter((e) => e.kind === 'restart').map((e) => e.kind === 'restart' && e.attempt)).toEqual([1, 2]);
    expect(result.curve).toHaveLength(1); // each attempt stops after epoch 1

    const learns = done(await trainCandidate(job(LEARNER, {}, { ...config, learningRate: 0.01 }), dataset));
    expect(learns.failedToLearn).toBe(false);
    expect(learns.learningRatesTried).toEqual([0.01]);
    expect(learns.curve).toHaveLength(3);
  });

  it('stops after the epoch where continueAfterEpoch says no, skipping the test pass (early stopping)', async () => {
    const asked: number[] = [];
    const stopped = done(
      await trainCandidate(job(LEARNER, {}, { epochs: 4 }), dataset, {
        continueAfterEpoch: (curve) => {
          asked.push(curve.length);
          return curve.length < 2;
        },
      }),
    );
    expect(asked).toEqual([1, 2]);
    expect(stopped.stoppedAfterEpoch).toBe(2);
    expect(stopped.curve.map((r) => r.epoch)).toEqual([1, 2]);
    expect(stopped.testAccuracy).toBeNull();
    expect(stopped.bestValidationAccuracy).toBe(Math.max(...stopped.curve.map((r) => r.validationAccuracy)));
    // Never asked after the last epoch; an answer that fails means go on.
    const asksOfFull: number[] = [];
    const full = done(
      await trainCandidate(job(LEARNER, {}, { epochs: 3 }), dataset, {
        continueAfterEpoch: (curve) => {
          asksOfFull.push(curve.length);
          return Promise.reject(new Error('the page closed'));
        },
      }),
    );
    expect(asksOfFull).toEqual([1, 2]);
    expect(full.stoppedAfterEpoch).toBeNull();
    expect(full.curve).toHaveLength(3);
    expect(full.testAccuracy).not.toBeNull();
  });

  it('stops at the next batch when the signal aborts', async () => {
    const controller = new AbortController();
    let batches = 0;
    const run = trainCandidate(job(LEARNER, {}, { epochs: 3 }), dataset, {
      signal: controller.signal,
      onProgress: (e) => {
        if (e.kind === 'batch' && ++batches === 2) controller.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(batches).toBe(2);
  });

  it("reports 'too-large' without training when the estimate is over the budget", async () => {
    const events: TrainProgress[] = [];
    const result = await trainCandidate(job(LEARNER, {}, { memoryBudgetBytes: 1000 }), dataset, { onProgress: (e) => events.push(e) });
    expect(result).toMatchObject({ status: 'too-large', memoryBudgetBytes: 1000, paramCount: countParams(LEARNER, dataset.inputShape) });
    expect(result.status === 'too-large' && result.reason).toMatch(/exceeds the budget/);
    expect(events).toEqual([]);
  });

  it("turns an out-of-memory error during training into 'too-large' and frees the model", async () => {
    const before = tf.memory().numTensors;
    // The progress callback runs inside the training loop: a stand-in for a failing allocation.
    const result = await trainCandidate(job(LEARNER), dataset, {
      onProgress: () => {
        throw new Error('GPU out of memory while allocating a buffer');
      },
    });
    expect(result).toMatchObject({ status: 'too-large', reason: expect.stringMatching(/out of memory during training/) });
    expect(tf.memory().numTensors).toBe(before);
    await expect(
      trainCandidate(job(LEARNER), dataset, {
        onProgress: () => {
          throw new Error('something else');
        },
      }),
    ).rejects.toThrow('something else');
    expect(tf.memory().numTensors).toBe(before);
  });

  it('recognises out-of-memory errors as the backends word them', () => {
    expect(isOutOfMemory(new Error('Requested texture size [40000x40000] greater than WebGL maximum on this browser'))).toBe(true);
    expect(isOutOfMemory(new RangeError('Array buffer allocation failed'))).toBe(true);
    expect(isOutOfMemory(new Error('GPU out of memory'))).toBe(true);
    expect(isOutOfMemory(new Error('Shapes do not match'))).toBe(false);
  });

  it('trains on a fixed, nested sample when trainSampleSize is set (progressive data)', async () => {
    const small = sampleIndices(192, 50, 'j');
    const large = sampleIndices(192, 100, 'j');
    expect(Array.from(large.slice(0, 50))).toEqual(Array.from(small));
    expect(new Set(large).size).toBe(100);
    const result = done(await trainCandidate(job(LEARNER, { trainSampleSize: 64 }, { latencyBatchSize: 0 }), dataset));
    expect(result.trainImages).toBe(64);
    expect(() => sampleIndices(10, 0, 'j7')).toThrow(/Job j7: trainSampleSize/);
  });

  it('draws progressive-data samples stratified by class, nested as they grow', () => {
    const labels = Uint8Array.from({ length: 200 }, (_, i) => (i < 150 ? 0 : 1 + (i % 3)));
    const small = sampleIndices(200, 40, 'j', labels);
    const large = sampleIndices(200, 80, 'j', labels);
    const perClass = (indices: Int32Array) => [0, 1, 2, 3].map((c) => Array.from(indices).filter((i) => labels[i] === c).length);
    // 75% of the images are class 0: so are 75% of each sample, within one image per class.
    expect(perClass(small).every((n) => n > 0)).toBe(true);
    expect(Math.abs(perClass(small)[0]! - 30)).toBeLessThanOrEqual(1);
    expect(Math.abs(perClass(large)[0]! - 60)).toBeLessThanOrEqual(1);
    for (const i of small) expect(large).toContain(i);
  });

  it('adds weight decay to the loss', async () => {
    const loss = async (weightDecay: number) =>
      done(await trainCandidate(job(TINY_NETS[5] as Net, {}, { weightDecay, latencyBatchSize: 0 }), dataset)).curve[0]?.trainLoss ?? 0;
    expect(await loss(1)).toBeGreaterThan((await loss(0)) + 0.01);
  });

  it('rejects a net whose classes do not match the dataset, naming both', async () => {
    await expect(trainCandidate(job(parseNetwork('[C(4,3,1), SM(10)]')), dataset)).rejects.toThrow(/SM\(10\).*"quadrants" has 4 classes/);
  });

  it('leaves no tensors behind after ten different candidates', async () => {
    const baseline = tf.memory().numTensors;
    for (const [i, net] of TINY_NETS.entries()) {
      done(await trainCandidate(job(net, { id: `leak-${i}`, seed: i }), dataset));
    }
    expect(tf.memory().numTensors).toBe(baseline);
    // The cached dataset is the only thing left: 3 splits × (images, labels).
    cache.unload('quadrants');
    expect(tf.memory().numTensors).toBe(baseline - 6);
    dataset = cache.load('quadrants', quadrantDataset());
  });
});
