/**
 * Trains one candidate (spec section 3): checks the job against the dataset and the memory
 * budget, then runs attempt after attempt (epoch-loop.ts) while the paper's restart rule
 * says the net failed to learn, and assembles the result (train-result.ts). An out-of-memory
 * error on the way becomes a 'too-large' result.
 */
import { countMultiplyAdds, countParams, createRng } from '../core/index';
import { chooseKernels, currentBackendInfo } from './backend';
import { buildModel, outputClasses } from './build-model';
import { resolveTrainConfig } from './config';
import { type CachedDataset, requireSplit } from './dataset-cache';
import { trainAttempt } from './epoch-loop';
import { estimateMemoryBytes } from './memory';
import { sampleIndices } from './sample-indices';
import { finishRun } from './train-result';
import { SEED_RANGE, type Clock, type RunContext, type TrainOptions } from './train-run';
import type { TrainJob, TrainResult, TrainSuccess, TrainTooLarge } from './types';
import { modelFromWeights } from './weights';

export type { TrainOptions } from './train-run';

export async function trainCandidate(
  job: TrainJob,
  dataset: CachedDataset,
  options: TrainOptions = {},
): Promise<TrainResult> {
  const startedAt = performance.now();
  const config = resolveTrainConfig(job.config);
  chooseKernels(config.savings);
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
      const { curve, failed, stoppedAfterEpoch } = await trainAttempt(model, ctx, { attempt, random: trainRandom, learningRate }, clock);
      if (failed && attempt + 1 < attempts) {
        learningRate *= config.restartLearningRateFactor;
        ctx.options.onProgress?.({ kind: 'restart', jobId: job.id, attempt: attempt + 1, learningRate });
        continue;
      }
      return await finishRun(model, ctx, { curve, failed, stoppedAfterEpoch, learningRatesTried, clock });
    } finally {
      model.dispose();
    }
  }
}

/** Out-of-memory errors as the backends word them (WebGL, WebGPU, CPU, the JS heap). */
export function isOutOfMemory(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return /out of memory|\boom\b|allocation failed|failed to allocate|requested texture size|exceeds the max/i.test(
    error.message,
  );
}

function formatBytes(bytes: number): string {
  return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
}
