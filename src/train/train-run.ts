/** What one training run carries between its parts (trainer.ts, epoch-loop.ts, train-result.ts). */
import type { DeviceSplit, CachedDataset } from './dataset-cache';
import type { ContinueCallback, ProgressCallback, TrainConfig, TrainJob } from './types';

export interface TrainOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: ProgressCallback;
  readonly continueAfterEpoch?: ContinueCallback;
}

/** Everything about a job that stays fixed across its attempts. */
export interface RunContext {
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

/** Milliseconds spent per phase, summed over attempts (the result's `timings`). */
export interface Clock {
  buildMs: number;
  firstBatchMs: number | null;
  trainMs: number;
  evaluateMs: number;
}

/** Seeds drawn for TF.js initialisers and dropout stay exact integers below this. */
export const SEED_RANGE = 2 ** 31;
