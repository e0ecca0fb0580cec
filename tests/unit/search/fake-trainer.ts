/**
 * A stand-in trainer whose reward is a fixed function of the architecture (the issue asks for
 * a deterministic reward here; the real trainer is tested in tests/unit/train and the e2e
 * tests). It honours AbortSignal like the real one and can be told to fail on given nets.
 */
import { countMultiplyAdds, countParams, formatNetwork, stripDropout, type Net } from '../../../src/core';
import type { CandidateTrainer } from '../../../src/search/search-session';
import type { CallOptions } from '../../../src/trainer-bridge/trainer-pool';
import type { DatasetPayload, EnsembleRequest, EnsembleResult, EpochRecord, TrainJob, TrainResult } from '../../../src/train/types';

export function syntheticAccuracy(net: Net): number {
  const layers = stripDropout(net);
  const convs = layers.filter((l) => l.kind === 'conv').length;
  const pools = layers.filter((l) => l.kind === 'pool').length;
  const fcs = layers.filter((l) => l.kind === 'fc').length;
  const key = formatNetwork(layers);
  let h = 2166136261;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 16777619);
  const noise = ((h >>> 0) % 1000) / 1000 - 0.5;
  return Math.min(0.99, Math.max(0.1, 0.3 + 0.12 * Math.min(convs, 3) + 0.05 * Math.min(pools, 1) - 0.04 * fcs + 0.05 * noise));
}

export class FakeTrainer implements CandidateTrainer {
  trained: string[] = [];
  fineTuned: string[] = [];
  ensembles: number[] = [];
  payloads = new Map<string, DatasetPayload>();
  /** Nets (dropout-free strings) whose training throws. */
  failOn = new Set<string>();
  /** Milliseconds each training takes (a timer, so aborts can land mid-job). */
  delayMs = 1;
  /** More ms per training image per epoch, reported as the training time (a budget's calibration reads it). */
  msPerImage = 0;
  /** Training images each trained net got, in order. */
  trainImages: number[] = [];
  /** Nets whose training never ends by itself (a lost GPU device), until aborted. */
  hangOn = new Set<string>();
  /** Nets whose fine-tuning throws this many more times (a trainer worker lost mid-call). */
  fineTuneFailures = new Map<string, number>();
  /** Nets trained from scratch for the final phase (no saved weights), in order. */
  retrainedForFinal: string[] = [];
  /** Epochs trained by `train`, over all nets, and the nets stopped early. */
  epochsTrained = 0;
  stoppedEarly: string[] = [];

  /** Each job's time × (1 + contention × other jobs running): above 1, two at once finish later than one after the other. */
  contention = 0;
  /** Jobs training now, and the most there ever were at once. */
  running = 0;
  mostAtOnce = 0;

  setDataset(id: string, payload: DatasetPayload): void {
    this.payloads.set(id, payload);
  }

  async train(job: TrainJob, options: CallOptions = {}): Promise<TrainResult> {
    const payload = this.payloads.get(job.datasetId);
    if (!payload) throw new Error(`dataset ${job.datasetId} not set`);
    const key = formatNetwork(stripDropout(job.net));
    const images = job.trainSampleSize ?? payload.train.count;
    const trainMs = this.msPerImage * images * (job.config?.epochs ?? 1);
    // Trainers that share one device: each job takes longer the more run at once.
    this.running++;
    this.mostAtOnce = Math.max(this.mostAtOnce, this.running);
    const shared = this.contention > 0 ? 1 + this.contention * (this.running - 1) : 1;
    try {
      await delay(this.hangOn.has(key) ? 1e9 : (this.delayMs + trainMs) * shared, options.signal);
    } finally {
      this.running--;
    }
    if (this.failOn.has(key)) throw new Error(`trainer crashed on ${key}`);
    if (job.id.includes(':final:')) this.retrainedForFinal.push(key);
    else {
      this.trained.push(key);
      this.trainImages.push(images);
    }
    options.onProgress?.({ kind: 'batch', jobId: job.id, attempt: 1, epoch: 1, batch: 1, batchesPerEpoch: 1, loss: 1, imagesPerSecond: 100 });
    const accuracy = syntheticAccuracy(job.net);
    // A curve that rises to the net's accuracy at its last epoch (one epoch: just that value).
    const epochs = job.config?.epochs ?? 1;
    const shape = (t: number) => (1 - Math.exp(-t / 1.5)) / (1 - Math.exp(-epochs / 1.5));
    const curve: EpochRecord[] = [];
    for (let t = 1; t <= epochs; t++) {
      const value = 0.1 + (accuracy - 0.1) * shape(t);
      curve.push({ epoch: t, validationAccuracy: value, validationLoss: 1 - value, trainLoss: 1, learningRate: 0.001 });
      this.epochsTrained++;
      if (t < epochs && options.continueAfterEpoch && !(await options.continueAfterEpoch([...curve]))) {
        this.stoppedEarly.push(key);
        return result(job, payload, value, curve, t, trainMs);
      }
    }
    return result(job, payload, accuracy, curve, null, trainMs);
  }

  async fineTune(job: TrainJob, options: CallOptions = {}): Promise<TrainResult> {
    const payload = this.payloads.get(job.datasetId)!;
    // As the real trainer: fine-tuning continues from weights, it cannot start without them.
    if (!job.initialWeights) throw new Error(`Job ${job.id}: fine-tuning needs initialWeights`);
    await delay(this.delayMs, options.signal);
    const key = formatNetwork(stripDropout(job.net));
    const failures = this.fineTuneFailures.get(key) ?? 0;
    if (failures > 0) {
      this.fineTuneFailures.set(key, failures - 1);
      throw new Error('the trainer worker stopped unexpectedly; a new one takes the next job');
    }
    this.fineTuned.push(key);
    return result(job, payload, Math.min(1, syntheticAccuracy(job.net) + 0.02));
  }

  async evaluateEnsemble(request: EnsembleRequest): Promise<EnsembleResult> {
    this.ensembles.push(request.members.length);
    const accs = request.members.map((m) => syntheticAccuracy(m.net));
    return { accuracy: Math.min(1, Math.max(...accs) + 0.01), memberAccuracies: accs, count: 100 };
  }
}

function result(
  job: TrainJob,
  payload: DatasetPayload,
  accuracy: number,
  curve: readonly EpochRecord[] = [{ epoch: 1, validationAccuracy: accuracy, validationLoss: 1 - accuracy, trainLoss: 1, learningRate: 0.001 }],
  stoppedAfterEpoch: number | null = null,
  trainMs = 1,
): TrainResult {
  const shape = payload.inputShape;
  return {
    status: 'done',
    jobId: job.id,
    reward: accuracy,
    curve,
    stoppedAfterEpoch,
    bestValidationAccuracy: Math.max(...curve.map((r) => r.validationAccuracy)),
    finalValidationAccuracy: curve[curve.length - 1]!.validationAccuracy,
    testAccuracy: stoppedAfterEpoch === null ? accuracy - 0.01 : null,
    failedToLearn: false,
    learningRatesTried: [0.001],
    trainImages: job.trainSampleSize ?? payload.train.count,
    paramCount: countParams(job.net, shape),
    multiplyAdds: countMultiplyAdds(job.net, shape),
    estimatedMemoryBytes: 1000,
    latency: { batch1MsPerImage: 1, largeBatchMsPerImage: 0.1, largeBatchSize: 64 },
    timings: { buildMs: 1, firstBatchMs: 1, trainMs: Math.max(1, trainMs), evaluateMs: 1, latencyMs: 1, totalMs: 4 + Math.max(1, trainMs) },
    backend: { backend: 'fake', adapter: null },
    weights: { specs: [{ name: 'w', shape: [2], dtype: 'float32' }], data: new Float32Array([accuracy, 1]).buffer },
  };
}

function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new Error('aborted'));
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(new Error('aborted'));
    }, { once: true });
  });
}
