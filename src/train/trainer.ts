/**
 * Trains one candidate (spec section 3) with a loop of our own rather than `model.fit`
 * (which yields through requestAnimationFrame, and that stops in hidden tabs).
 *
 * The dataset is already on the device (dataset-cache.ts); each epoch uploads only a
 * seeded permutation of indices, and every batch is gathered on the device. Losses stay
 * on the device except when a throttled progress event or the epoch end reads them.
 * Cancellation (AbortSignal) and a lost WebGPU device are checked between batches.
 */
import * as tf from '@tensorflow/tfjs';
import { countMultiplyAdds, countParams, createRng, type Rng } from '../core/index';
import { currentBackendInfo, throwIfDeviceLost } from './backend';
import { buildModel, hasDropout, outputClasses, reseedDropout } from './build-model';
import { resolveTrainConfig } from './config';
import { stratifiedSubset } from '../data/splits';
import { type CachedDataset, type DeviceSplit, gatherBatch, requireSplit } from './dataset-cache';
import { crossEntropy, evaluateModel, measureLatency } from './evaluate';
import { failedToLearn, nextLearningRate } from './learning-rate';
import { estimateMemoryBytes } from './memory';
import type {
  EpochRecord,
  ProgressCallback,
  TrainConfig,
  TrainJob,
  TrainResult,
  TrainSuccess,
  TrainTooLarge,
} from './types';
import { modelFromWeights, serializeWeights } from './weights';

export interface TrainOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: ProgressCallback;
}

/**
 * The permutation training samples are drawn from when `trainSampleSize` is set: one
 * fixed order, so a sample of k images is the same for every candidate and contained in
 * every larger sample (progressive data grows the set instead of swapping it).
 */
const SAMPLE_SEED = 0x5eed;
/** Seeds drawn for TF.js initialisers and dropout stay exact integers below this. */
const SEED_RANGE = 2 ** 31;
/** Give the event loop a turn at least this often so cancel messages get through. */
const YIELD_EVERY_MS = 50;

export async function trainCandidate(
  job: TrainJob,
  dataset: CachedDataset,
  options: TrainOptions = {},
): Promise<TrainResult> {
  const startedAt = performance.now();
  const config = resolveTrainConfig(job.config);
  if (!Number.isSafeInteger(job.seed)) throw new Error(`Job ${job.id}: seed must be a safe integer, got ${job.seed}`);
  const classes = outputClasses(job.net);
  if (classes !== dataset.classes) {
    throw new Error(`Job ${job.id}: the net ends in SM(${classes}) but dataset "${dataset.id}" has ${dataset.classes} classes`);
  }
  const input = dataset.inputShape;
  const estimatedMemoryBytes = estimateMemoryBytes(job.net, input, config.batchSize);
  const multiplyAdds = countMultiplyAdds(job.net, input);
  const paramCount = countParams(job.net, input);
  const tooLarge = (reason: string): TrainTooLarge => ({
    status: 'too-large',
    jobId: job.id,
    reason,
    estimatedMemoryBytes,
    memoryBudgetBytes: config.memoryBudgetBytes,
    paramCount,
    multiplyAdds,
    backend: currentBackendInfo(),
  });
  if (estimatedMemoryBytes > config.memoryBudgetBytes) {
    return tooLarge(
      `estimated ${formatBytes(estimatedMemoryBytes)} at batch ${config.batchSize} exceeds the budget of ${formatBytes(config.memoryBudgetBytes)}`,
    );
  }
  const train = requireSplit(dataset, 'train');
  const validation = requireSplit(dataset, 'validation');
  const trainIndices = sampleIndices(train.count, job.trainSampleSize ?? null, job.id, train.hostLabels);
  try {
    return await runAttempts({
      job,
      dataset,
      config,
      classes,
      train,
      validation,
      trainIndices,
      options,
      startedAt,
      estimatedMemoryBytes,
      multiplyAdds,
    });
  } catch (error) {
    if (isOutOfMemory(error)) {
      return tooLarge(`out of memory during training: ${(error as Error).message}`);
    }
    throw error;
  }
}

/** Continues training saved weights (the final phase's longer schedule). */
export function fineTune(job: TrainJob, dataset: CachedDataset, options: TrainOptions = {}): Promise<TrainResult> {
  if (!job.initialWeights) throw new Error(`Job ${job.id}: fine-tuning needs initialWeights`);
  return trainCandidate(job, dataset, options);
}

interface RunContext {
  readonly job: TrainJob;
  readonly dataset: CachedDataset;
  readonly config: TrainConfig;
  readonly classes: number;
  readonly train: DeviceSplit;
  readonly validation: DeviceSplit;
  readonly trainIndices: Int32Array;
  readonly options: TrainOptions;
  readonly startedAt: number;
  readonly estimatedMemoryBytes: number;
  readonly multiplyAdds: number;
}

interface Clock {
  buildMs: number;
  firstBatchMs: number | null;
  trainMs: number;
  evaluateMs: number;
}

/** Attempt after attempt while the paper's restart rule says the net failed to learn. */
async function runAttempts(ctx: RunContext): Promise<TrainSuccess> {
  const { job, config, dataset } = ctx;
  const clock: Clock = { buildMs: 0, firstBatchMs: null, trainMs: 0, evaluateMs: 0 };
  const attempts = config.restartIfFailedToLearn ? config.maxLearningRates : 1;
  const learningRatesTried: number[] = [];
  let learningRate = config.learningRate;
  const seeds = createRng(job.seed);
  for (let attempt = 0; ; attempt++) {
    learningRatesTried.push(learningRate);
    // Each attempt (restart) gets fresh initial weights and its own shuffling.
    const buildSeed = seeds.int(SEED_RANGE);
    const trainRandom = createRng(seeds.int(SEED_RANGE));
    const buildStart = performance.now();
    const model = job.initialWeights
      ? modelFromWeights(job.net, dataset.inputShape, job.initialWeights)
      : buildModel(job.net, dataset.inputShape, buildSeed);
    clock.buildMs += performance.now() - buildStart;
    try {
      const { curve, failed } = await trainAttempt(model, ctx, { attempt, random: trainRandom, learningRate }, clock);
      if (failed && attempt + 1 < attempts) {
        learningRate *= config.restartLearningRateFactor;
        ctx.options.onProgress?.({ kind: 'restart', jobId: job.id, attempt: attempt + 1, learningRate });
        continue;
      }
      return await finish(model, ctx, { curve, failed, learningRatesTried, clock });
    } finally {
      model.dispose();
    }
  }
}

async function trainAttempt(
  model: tf.LayersModel,
  ctx: RunContext,
  attemptInfo: { attempt: number; random: Rng; learningRate: number },
  clock: Clock,
): Promise<{ curve: EpochRecord[]; failed: boolean }> {
  const { job, config, classes, train, validation, options } = ctx;
  const { attempt, random, learningRate: initialLearningRate } = attemptInfo;
  const optimizer = tf.train.adam(initialLearningRate);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const kernels = variables.filter((v) => v.name.includes('kernel'));
  const dropout = hasDropout(model);
  const batchesPerEpoch = Math.ceil(ctx.trainIndices.length / config.batchSize);
  let lastYield = performance.now();
  let lastProgress = -Infinity;

  const step = (order: Int32Array, onDevice: tf.Tensor1D, start: number, size: number): tf.Scalar =>
    tf.tidy(() => {
      const { xs, ys } = gatherBatch(train, order, onDevice, start, size);
      const cost = optimizer.minimize(
        () => {
          const probs = model.apply(xs, { training: true }) as tf.Tensor2D;
          const loss = crossEntropy(probs, ys, classes).mean() as tf.Scalar;
          if (config.weightDecay === 0 || kernels.length === 0) return loss;
          const l2 = tf.addN(kernels.map((k) => tf.sum(tf.square(k))));
          return loss.add(l2.mul(config.weightDecay / 2)) as tf.Scalar;
        },
        true,
        variables,
      );
      if (!cost) throw new Error('optimizer.minimize returned no cost');
      return cost;
    });

  /** One pass over the (sampled) training set; returns the mean batch loss. */
  const runEpoch = async (epoch: number): Promise<number> => {
    const order = shuffleInPlace(ctx.trainIndices.slice(), random);
    const orderTensor = tf.tensor1d(order, 'int32');
    let lossSum: tf.Tensor = tf.scalar(0);
    const epochStart = performance.now();
    let firstBatchMs = 0;
    try {
      for (let batch = 0; batch < batchesPerEpoch; batch++) {
        options.signal?.throwIfAborted();
        throwIfDeviceLost();
        if (dropout) reseedDropout(model, random.int(SEED_RANGE));
        const start = batch * config.batchSize;
        const size = Math.min(config.batchSize, order.length - start);
        const batchStart = performance.now();
        const cost = step(order, orderTensor, start, size);
        const nextSum = lossSum.add(cost);
        lossSum.dispose();
        lossSum = nextSum;
        try {
          if (clock.firstBatchMs === null) {
            // The first step of a new architecture compiles its shaders: time it apart.
            await cost.data();
            firstBatchMs = clock.firstBatchMs = performance.now() - batchStart;
          }
          const now = performance.now();
          if (options.onProgress && (now - lastProgress >= config.progressEveryMs || batch + 1 === batchesPerEpoch)) {
            lastProgress = now;
            const loss = (await cost.data())[0] ?? Number.NaN;
            const seconds = (performance.now() - epochStart) / 1000;
            options.onProgress({
              kind: 'batch',
              jobId: job.id,
              attempt,
              epoch,
              batch: batch + 1,
              batchesPerEpoch,
              loss,
              imagesPerSecond: seconds > 0 ? (start + size) / seconds : 0,
            });
          }
        } finally {
          cost.dispose();
        }
        if (performance.now() - lastYield >= YIELD_EVERY_MS) {
          await yieldToEventLoop();
          lastYield = performance.now();
        }
      }
      const mean = ((await lossSum.data())[0] ?? Number.NaN) / batchesPerEpoch;
      clock.trainMs += performance.now() - epochStart - firstBatchMs;
      return mean;
    } finally {
      lossSum.dispose();
      orderTensor.dispose();
    }
  };

  const curve: EpochRecord[] = [];
  let learningRate = initialLearningRate;
  let best = 0;
  try {
    for (let epoch = 1; epoch <= config.epochs; epoch++) {
      setLearningRate(optimizer, learningRate);
      const trainLoss = await runEpoch(epoch);
      const evaluateStart = performance.now();
      const val = await evaluateModel(model, validation, classes, config.evaluationBatchSize);
      clock.evaluateMs += performance.now() - evaluateStart;
      best = Math.max(best, val.accuracy);
      const record: EpochRecord = {
        epoch,
        validationAccuracy: val.accuracy,
        validationLoss: val.loss,
        trainLoss,
        learningRate,
      };
      curve.push(record);
      options.onProgress?.({ kind: 'epoch', jobId: job.id, attempt, epochs: config.epochs, record });
      if (
        config.restartIfFailedToLearn &&
        epoch === 1 &&
        failedToLearn(val.accuracy, classes, config.failedToLearnFactor)
      ) {
        return { curve, failed: true };
      }
      learningRate = nextLearningRate(
        { epoch, learningRate, bestValidationAccuracy: best, bestSoFar: job.bestSoFar ?? null },
        config,
      );
    }
  } finally {
    optimizer.dispose();
  }
  return { curve, failed: false };
}

/** Test accuracy, latency and weights of the final model, and the result record. */
async function finish(
  model: tf.LayersModel,
  ctx: RunContext,
  run: { curve: EpochRecord[]; failed: boolean; learningRatesTried: number[]; clock: Clock },
): Promise<TrainSuccess> {
  const { job, config, classes, dataset } = ctx;
  const { clock, curve } = run;
  const test = dataset.splits.get('test');
  const evaluateStart = performance.now();
  const testAccuracy = test ? (await evaluateModel(model, test, classes, config.evaluationBatchSize)).accuracy : null;
  clock.evaluateMs += performance.now() - evaluateStart;
  const latencyStart = performance.now();
  const latency =
    config.latencyBatchSize > 0
      ? await measureLatency(model, dataset.inputShape, config.latencyBatchSize, config.latencyRepeats)
      : null;
  const latencyMs = performance.now() - latencyStart;
  const weights = config.returnWeights ? await serializeWeights(model) : null;
  const bestValidationAccuracy = Math.max(...curve.map((r) => r.validationAccuracy));
  const finalValidationAccuracy = curve[curve.length - 1]?.validationAccuracy ?? 0;
  return {
    status: 'done',
    jobId: job.id,
    // Paper: a net that failed to learn at every learning rate is scored at chance.
    reward: run.failed ? 1 / classes : bestValidationAccuracy,
    curve,
    bestValidationAccuracy,
    finalValidationAccuracy,
    testAccuracy,
    failedToLearn: run.failed,
    learningRatesTried: run.learningRatesTried,
    trainImages: ctx.trainIndices.length,
    paramCount: model.countParams(),
    multiplyAdds: ctx.multiplyAdds,
    estimatedMemoryBytes: ctx.estimatedMemoryBytes,
    latency,
    timings: {
      buildMs: clock.buildMs,
      firstBatchMs: clock.firstBatchMs ?? 0,
      trainMs: clock.trainMs,
      evaluateMs: clock.evaluateMs,
      latencyMs,
      totalMs: performance.now() - ctx.startedAt,
    },
    backend: currentBackendInfo(),
    weights,
  };
}

/** All training indices, or the first `size` of one fixed permutation. */
/**
 * The training images a job uses: all, or (progressive data) a stratified sample of `size`,
 * the same for every job of that size, and nested: a smaller sample is part of a larger one.
 */
export function sampleIndices(count: number, size: number | null, jobId: string, labels?: Uint8Array): Int32Array {
  if (size === null || size >= count) return Int32Array.from({ length: count }, (_, i) => i);
  if (!Number.isInteger(size) || size < 1) {
    throw new Error(`Job ${jobId}: trainSampleSize must be a positive integer, got ${size}`);
  }
  if (labels) return Int32Array.from(stratifiedSubset(labels, size, SAMPLE_SEED));
  const all = Int32Array.from({ length: count }, (_, i) => i);
  return shuffleInPlace(all, createRng(SAMPLE_SEED)).slice(0, size);
}

/** Fisher-Yates, in place. */
export function shuffleInPlace(values: Int32Array, random: Rng): Int32Array {
  for (let i = values.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    const swap = values[i] as number;
    values[i] = values[j] as number;
    values[j] = swap;
  }
  return values;
}

/**
 * Adam reads its learning rate on every step; TF.js keeps the field protected but has
 * no setter, and a new optimizer would lose the moment estimates.
 */
function setLearningRate(optimizer: tf.AdamOptimizer, learningRate: number): void {
  (optimizer as unknown as { learningRate: number }).learningRate = learningRate;
}

/** Out-of-memory errors as the backends word them (WebGL, WebGPU, CPU, the JS heap). */
export function isOutOfMemory(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return /out of memory|\boom\b|allocation failed|failed to allocate|requested texture size|exceeds the max/i.test(
    error.message,
  );
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

function formatBytes(bytes: number): string {
  return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
}
