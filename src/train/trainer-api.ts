/**
 * What the trainer worker exposes, as a factory so it runs (and is tested) outside a
 * worker too. Holds the worker's dataset cache and the abort controllers of running jobs.
 * Results go back with their weight buffers transferred, not copied.
 */
import { releaseProxy, transfer } from 'comlink';
import { initBackend, memoryReport } from './backend';
import { DatasetCache } from './dataset-cache';
import { measureBackends } from './calibrate';
import { evaluateEnsemble } from './ensemble';
import type { TrainerProtocol } from './protocol';
import { fineTune, trainCandidate, type TrainOptions } from './trainer';
import type { ContinueCallback, ProgressCallback, TrainJob, TrainProgress, TrainResult } from './types';
import { exportLayersModel, modelFromWeights } from './weights';

type Runner = (job: TrainJob, dataset: ReturnType<DatasetCache['get']>, options: TrainOptions) => Promise<TrainResult>;

export function createTrainerApi(cache: DatasetCache = new DatasetCache()) {
  const running = new Map<string, AbortController>();

  const run = async (
    runner: Runner,
    job: TrainJob,
    onProgress?: ProgressCallback,
    continueAfterEpoch?: ContinueCallback,
  ): Promise<TrainResult> => {
    if (running.has(job.id)) throw new Error(`Job ${job.id} is already running in this trainer`);
    const controller = new AbortController();
    running.set(job.id, controller);
    try {
      const options: TrainOptions = {
        signal: controller.signal,
        // Across comlink the callback returns a promise; a closed page must not fail the job.
        ...(onProgress ? { onProgress: (p: TrainProgress) => void Promise.resolve(onProgress(p)).catch(() => undefined) } : {}),
        ...(continueAfterEpoch ? { continueAfterEpoch } : {}),
      };
      const result = await runner(job, cache.get(job.datasetId), options);
      const buffers = result.status === 'done' && result.weights ? [result.weights.data] : [];
      return transfer(result, buffers);
    } finally {
      running.delete(job.id);
      // A comlink proxy holds a MessagePort open until released.
      for (const callback of [onProgress, continueAfterEpoch]) (callback as { [releaseProxy]?: () => void } | undefined)?.[releaseProxy]?.();
    }
  };

  const api = {
    async init(preferred, livenessLock) {
      if (livenessLock !== undefined) await holdForLife(livenessLock);
      return initBackend(preferred);
    },
    async loadDataset(id, payload) {
      cache.load(id, payload);
    },
    async unloadDataset(id) {
      cache.unload(id);
    },
    async train(job, onProgress, continueAfterEpoch) {
      return run(trainCandidate, job, onProgress, continueAfterEpoch);
    },
    async fineTune(job, onProgress) {
      return run(fineTune, job, onProgress);
    },
    async cancel(jobId) {
      const controller = running.get(jobId);
      controller?.abort();
      return controller !== undefined;
    },
    async evaluateEnsemble(request) {
      return evaluateEnsemble(request, cache);
    },
    async exportModel(request) {
      const model = modelFromWeights(request.net, request.inputShape, request.weights);
      try {
        const exported = await exportLayersModel(model, request.fileStem);
        return transfer(exported, [exported.weightsBin]);
      } finally {
        model.dispose();
      }
    },
    async memory() {
      return memoryReport(cache.ids(), cache.bytes());
    },
    async calibrate(backends) {
      return measureBackends(backends);
    },
  } satisfies TrainerProtocol;
  return api;
}

/**
 * Resolves once the lock is held; it stays held until this worker ends. Rejects if the lock
 * cannot be taken: the page would otherwise read the free lock as a dead worker.
 */
function holdForLife(name: string): Promise<void> {
  return new Promise((held, failed) => {
    navigator.locks
      .request(name, () => {
        held();
        return new Promise<never>(() => undefined);
      })
      .catch((error: unknown) => failed(new Error(`the trainer could not take its liveness lock: ${(error as Error).message}`)));
  });
}
