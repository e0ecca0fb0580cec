/**
 * Plain-data contracts of the trainer: what a job asks for, what a result holds, what
 * progress looks like. Everything here crosses the worker boundary, so no tensors, no
 * classes, no functions; weights travel as ArrayBuffers (transferable).
 */
import type { InputShape, Net } from '../core/types';
import type { ImageSet } from '../data/types';

/** uint8 NHWC images + labels from the data layer; normalised to pixel/255 on upload. */
export type { ImageSet };

export type Subset = 'train' | 'validation' | 'test';

/** A dataset as handed to `loadDataset`: splits already made by the data layer. */
export interface DatasetPayload {
  readonly inputShape: InputShape;
  readonly classes: number;
  readonly train: ImageSet;
  readonly validation: ImageSet;
  /** Optional: without it results carry `testAccuracy: null`. */
  readonly test?: ImageSet;
}

/**
 * How learning rate changes every `decayEveryEpochs` epochs (spec section 3).
 * - 'seed': ×0.8, only while the candidate beats the best net before it.
 * - 'paper': ×0.2, unconditionally.
 * - 'constant': never.
 */
export type LearningRateRule = 'seed' | 'paper' | 'constant';

/** Every training knob; defaults in `DEFAULT_TRAIN_CONFIG` (seed article, spec section 3). */
export interface TrainConfig {
  readonly learningRate: number;
  readonly batchSize: number;
  readonly epochs: number;
  readonly learningRateRule: LearningRateRule;
  readonly decayEveryEpochs: number;
  /** Multiplier at each decay step; null means the rule's own (seed 0.8, paper 0.2). */
  readonly decayFactor: number | null;
  /** The paper's "failed to learn" restart (off by default: not in the seed article). */
  readonly restartIfFailedToLearn: boolean;
  /** Restart when epoch-1 validation accuracy is not above this × chance (paper: 1.5). */
  readonly failedToLearnFactor: number;
  /** Learning rate multiplier for each restart (paper: 0.4). */
  readonly restartLearningRateFactor: number;
  /** Learning rates tried at most, the first included (paper: 5). */
  readonly maxLearningRates: number;
  /** L2 weight decay on kernels, as Caffe's: adds decay/2·Σ‖W‖² to the loss (paper: 5e-4). */
  readonly weightDecay: number;
  /** Estimated training memory above this → status 'too-large' without training. */
  readonly memoryBudgetBytes: number;
  readonly evaluationBatchSize: number;
  /** Batch progress events at most this often. */
  readonly progressEveryMs: number;
  /** Forward latency is measured at batch 1 and at this batch size; 0 skips measuring. */
  readonly latencyBatchSize: number;
  /** Timed forward passes per batch size (after one warm-up pass). */
  readonly latencyRepeats: number;
  /** Whether the result carries the final weights. */
  readonly returnWeights: boolean;
  /**
   * The per-candidate savings (issue 15): every batch at the training batch size (the last one
   * filled from the epoch's start, the last evaluation window overlapping the one before), new
   * shaders compiled in parallel before the first step on WebGPU, and the im2col convolution on
   * a software adapter. Off only to measure what they save.
   */
  readonly savings: boolean;
}

/** One candidate to train. */
export interface TrainJob {
  readonly id: string;
  readonly net: Net;
  readonly datasetId: string;
  /** Seeds weight initialisation, shuffling and dropout masks. */
  readonly seed: number;
  /** Best validation accuracy of the nets trained before this one (for the 'seed' rule). */
  readonly bestSoFar?: number | null;
  readonly config?: Partial<TrainConfig>;
  /** Train on this many training images (a seeded sample) instead of all (progressive data). */
  readonly trainSampleSize?: number | null;
  /** Start from these weights instead of a fresh initialisation (fine-tuning). */
  readonly initialWeights?: SerializedWeights | null;
  /**
   * Measure test accuracy only when the best validation accuracy reaches this (the nets that
   * can be shown among the best); null or absent: always.
   */
  readonly testIfValidationAtLeast?: number | null;
}

/** Weights of one model: one buffer, float32 tensors back to back, in `specs` order. */
export interface SerializedWeights {
  readonly specs: readonly WeightSpec[];
  readonly data: ArrayBuffer;
}

export interface WeightSpec {
  /** The layer variable's name, e.g. `l0_conv/kernel`; stable across builds of one net. */
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: 'float32';
}

export interface EpochRecord {
  /** 1-based. */
  readonly epoch: number;
  readonly validationAccuracy: number;
  readonly validationLoss: number;
  /** Mean training loss over the epoch's batches. */
  readonly trainLoss: number;
  /** The learning rate used during this epoch. */
  readonly learningRate: number;
}

export interface AdapterInfo {
  readonly vendor: string;
  readonly architecture: string;
  readonly description: string;
  /** A software adapter (the browser's fallback, e.g. SwiftShader): the CPU drawing as a GPU. */
  readonly software?: boolean;
}

export type BackendName = 'webgpu' | 'webgl' | 'cpu';

/** One backend's training speed on the calibration net (src/train/calibrate.ts); null when it could not start or run. */
export interface BackendSpeed {
  readonly backend: BackendName;
  readonly imagesPerSecond: number | null;
  readonly adapter: AdapterInfo | null;
  readonly error?: string;
}
export type BackendPreference = BackendName | 'auto';

export interface BackendInfo {
  /** What TF.js actually runs on (read back, never assumed). */
  readonly backend: string;
  readonly adapter: AdapterInfo | null;
  /** Why the preferred backend is not the one in use. */
  readonly fallbackReason?: string;
  /** The largest tensor the backend holds in one piece (`largestTensorBytes`); bigger dataset splits are chunked. */
  readonly largestTensorBytes?: number;
}

export interface LatencyReport {
  /** Milliseconds per image for one image at a time. */
  readonly batch1MsPerImage: number;
  /** Milliseconds per image at `largeBatchSize`. */
  readonly largeBatchMsPerImage: number;
  readonly largeBatchSize: number;
}

export interface TrainTimings {
  /** Building (and initialising or loading) models, all attempts. */
  readonly buildMs: number;
  /** The very first training step, read back: mostly shader compilation on a GPU. */
  readonly firstBatchMs: number;
  /** Every other training step. */
  readonly trainMs: number;
  /** Validation after each epoch plus the final test evaluation. */
  readonly evaluateMs: number;
  readonly latencyMs: number;
  readonly totalMs: number;
}

export interface TrainSuccess {
  readonly status: 'done';
  readonly jobId: string;
  /** Best per-epoch validation accuracy; chance accuracy if every restart failed to learn. */
  readonly reward: number;
  readonly curve: readonly EpochRecord[];
  readonly bestValidationAccuracy: number;
  readonly finalValidationAccuracy: number;
  /** Of the final weights, measured once at the end; never used for the reward. Null for a net stopped early (nobody ranks it by test). */
  readonly testAccuracy: number | null;
  readonly failedToLearn: boolean;
  /** The epoch after which `continueAfterEpoch` stopped the net (early stopping); null if it trained to the end. */
  readonly stoppedAfterEpoch: number | null;
  /** The initial learning rate of each attempt (more than one only with restarts). */
  readonly learningRatesTried: readonly number[];
  readonly trainImages: number;
  readonly paramCount: number;
  readonly multiplyAdds: number;
  readonly estimatedMemoryBytes: number;
  readonly latency: LatencyReport | null;
  readonly timings: TrainTimings;
  readonly backend: BackendInfo;
  readonly weights: SerializedWeights | null;
}

/** The paper's net_too_large: by estimate before training, or an out-of-memory error during it. */
export interface TrainTooLarge {
  readonly status: 'too-large';
  readonly jobId: string;
  readonly reason: string;
  readonly estimatedMemoryBytes: number;
  readonly memoryBudgetBytes: number;
  readonly paramCount: number;
  readonly multiplyAdds: number;
  readonly backend: BackendInfo;
}

export type TrainResult = TrainSuccess | TrainTooLarge;

export type TrainProgress =
  | {
      readonly kind: 'batch';
      readonly jobId: string;
      readonly attempt: number;
      readonly epoch: number;
      /** 1-based, within the epoch. */
      readonly batch: number;
      readonly batchesPerEpoch: number;
      readonly loss: number;
      readonly imagesPerSecond: number;
    }
  | {
      readonly kind: 'epoch';
      readonly jobId: string;
      readonly attempt: number;
      readonly epochs: number;
      readonly record: EpochRecord;
    }
  | {
      /** The paper's restart: epoch-1 accuracy too low, starting over at a lower rate. */
      readonly kind: 'restart';
      readonly jobId: string;
      readonly attempt: number;
      readonly learningRate: number;
    };

export type ProgressCallback = (progress: TrainProgress) => void;

/**
 * Asked after every epoch but the last, with the validation curve so far: false stops the net
 * there (early stopping by learning-curve prediction). Across comlink it answers a promise.
 */
export type ContinueCallback = (curve: readonly EpochRecord[]) => boolean | Promise<boolean>;

/** One member of an ensemble: a net and its trained weights. */
export interface EnsembleMember {
  readonly net: Net;
  readonly weights: SerializedWeights;
}

export interface EnsembleRequest {
  readonly datasetId: string;
  readonly subset: Subset;
  readonly members: readonly EnsembleMember[];
  readonly batchSize?: number;
}

export interface EnsembleResult {
  /** Accuracy of the averaged softmax outputs. */
  readonly accuracy: number;
  readonly memberAccuracies: readonly number[];
  readonly count: number;
}

export interface ExportRequest {
  readonly net: Net;
  readonly inputShape: InputShape;
  readonly weights: SerializedWeights;
  /** File names' stem: `<stem>.json` and `<stem>.weights.bin` (default `model`). */
  readonly fileStem?: string;
}

/** A TF.js Layers model as files: the JSON text (which names the weights file) and the weights. */
export interface ExportedModel {
  readonly modelJson: string;
  readonly modelFileName: string;
  readonly weightsBin: ArrayBuffer;
  readonly weightsFileName: string;
}

export interface MemoryReport {
  readonly numTensors: number;
  readonly numBytes: number;
  /**
   * GPU bytes the backend holds, free pool included (webgpu `numBytesAllocatedInGPU`,
   * webgl `numBytesInGPUAllocated`); null on cpu. Recycle the worker past a budget.
   */
  readonly gpuBytesAllocated: number | null;
  readonly backend: string;
  readonly datasets: readonly string[];
  /** Bytes of those datasets' tensors (images and labels): kept for the worker's life, so not held against the budget. */
  readonly datasetBytes: number;
}
