/**
 * One training attempt: the epoch loop of our own (not `model.fit`, which yields through
 * requestAnimationFrame, and that stops in hidden tabs). Each epoch uploads a seeded
 * permutation of indices and gathers every batch on the device; losses stay there except
 * when a throttled progress event or the epoch end reads them. Cancellation (AbortSignal) and
 * a lost WebGPU device are checked between batches; validation runs after every epoch.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../core/index';
import { throwIfDeviceLost } from './backend';
import { hasDropout, reseedDropout } from './build-model';
import { gatherBatch } from './dataset-cache';
import { crossEntropy, evaluateModel } from './evaluate';
import { failedToLearn, nextLearningRate } from './learning-rate';
import { shuffleInPlace } from './sample-indices';
import { SEED_RANGE, type Clock, type RunContext, type TrainOptions } from './train-run';
import type { EpochRecord } from './types';

/** Give the event loop a turn at least this often so cancel messages get through. */
const YIELD_EVERY_MS = 50;

/**
 * Trains `model` for the configured epochs (or until the paper's restart rule says it failed
 * to learn after epoch 1), adding its time to `clock`; returns the validation curve.
 */
export async function trainAttempt(
  model: tf.LayersModel,
  ctx: RunContext,
  attemptInfo: { attempt: number; random: Rng; learningRate: number },
  clock: Clock,
): Promise<{ curve: EpochRecord[]; failed: boolean; stoppedAfterEpoch: number | null }> {
  const { job, config, classes, train, validation, options } = ctx;
  const { attempt, random, learningRate: initialLearningRate } = attemptInfo;
  const optimizer = tf.train.adam(initialLearningRate);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const kernels = variables.filter((v) => v.name.includes('kernel'));
  const dropout = hasDropout(model);
  const batchesPerEpoch = Math.ceil(ctx.trainIndices.length / config.batchSize);
  let lastYield = performance.now();
  let lastProgress = -Infinity;

  const loss = ({ xs, ys }: { xs: tf.Tensor4D; ys: tf.Tensor1D }): tf.Scalar => {
    const probs = model.apply(xs, { training: true }) as tf.Tensor2D;
    const mean = crossEntropy(probs, ys, classes).mean() as tf.Scalar;
    if (config.weightDecay === 0 || kernels.length === 0) return mean;
    const l2 = tf.addN(kernels.map((k) => tf.sum(tf.square(k))));
    return mean.add(l2.mul(config.weightDecay / 2)) as tf.Scalar;
  };

  const step = (order: Int32Array, onDevice: tf.Tensor1D, start: number, size: number): tf.Scalar =>
    tf.tidy(() => {
      const batch = gatherBatch(train, order, onDevice, start, size);
      const cost = optimizer.minimize(() => loss(batch), true, variables);
      if (!cost) throw new Error('optimizer.minimize returned no cost');
      return cost;
    });

  /** One pass over the (sampled) training set; returns the mean batch loss. */
  const runEpoch = async (epoch: number): Promise<number> => {
    const shuffled = shuffleInPlace(ctx.trainIndices.slice(), random);
    // Every batch full: a short last batch is a new shape, and a new shape compiles a new set of shaders.
    const order = config.savings ? fillLastBatch(shuffled, config.batchSize) : shuffled;
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
        if (clock.firstBatchMs === null && config.savings) await compileAhead(() => loss(gatherBatch(train, order, orderTensor, start, size)));
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
      const val = await evaluateModel(model, validation, classes, config.evaluationBatchSize, config.savings);
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
        return { curve, failed: true, stoppedAfterEpoch: null };
      }
      if (epoch < config.epochs && options.continueAfterEpoch && !(await askToContinue(options.continueAfterEpoch, curve))) {
        return { curve, failed: false, stoppedAfterEpoch: epoch };
      }
      learningRate = nextLearningRate(
        { epoch, learningRate, bestValidationAccuracy: best, bestSoFar: job.bestSoFar ?? null },
        config,
      );
    }
  } finally {
    optimizer.dispose();
  }
  return { curve, failed: false, stoppedAfterEpoch: null };
}

/** A question that cannot be answered (the page went away) means go on: stopping must be decided. */
async function askToContinue(ask: NonNullable<TrainOptions['continueAfterEpoch']>, curve: readonly EpochRecord[]): Promise<boolean> {
  try {
    return (await ask([...curve])) !== false;
  } catch {
    return true;
  }
}

/**
 * Adam reads its learning rate on every step; TF.js keeps the field protected but has
 * no setter, and a new optimizer would lose the moment estimates.
 */
function setLearningRate(optimizer: tf.AdamOptimizer, learningRate: number): void {
  (optimizer as unknown as { learningRate: number }).learningRate = learningRate;
}

/**
 * `order` grown to whole batches with images from its start: each epoch still sees every image,
 * a few of them twice, and every step has the same shape.
 */
export function fillLastBatch(order: Int32Array, batchSize: number): Int32Array {
  const short = (batchSize - (order.length % batchSize)) % batchSize;
  if (short === 0 || order.length === 0) return order;
  const filled = new Int32Array(order.length + short);
  filled.set(order);
  for (let i = 0; i < short; i++) filled[order.length + i] = order[i % order.length] as number;
  return filled;
}

/**
 * On WebGPU, compiles the shaders one step of `lossOf` needs (forward and gradients) in parallel
 * before it runs: TF.js's compile-only mode records the programs without running them, and the
 * backend awaits their asynchronous pipelines together. Nothing is assigned (gradients are
 * computed, not applied), and what the pass allocated is freed. Elsewhere a no-op.
 */
async function compileAhead(lossOf: () => tf.Scalar): Promise<void> {
  if (tf.getBackend() !== 'webgpu') return;
  const backend = tf.backend() as unknown as { checkCompileCompletionAsync?: () => Promise<void> };
  if (typeof backend.checkCompileCompletionAsync !== 'function') return;
  tf.env().set('WEBGPU_ENGINE_COMPILE_ONLY', true);
  try {
    tf.tidy(() => {
      tf.variableGrads(lossOf);
    });
  } finally {
    tf.env().set('WEBGPU_ENGINE_COMPILE_ONLY', false);
  }
  await backend.checkCompileCompletionAsync();
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
