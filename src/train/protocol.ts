/**
 * The trainer worker's wire contract, apart from its behaviour (trainer-api.ts), as
 * comlink does with its own protocol. Every argument and result is plain data or a
 * transferable; progress comes back through a `Comlink.proxy` callback.
 */
import type {
  BackendInfo,
  BackendName,
  BackendPreference,
  BackendSpeed,
  ContinueCallback,
  DatasetPayload,
  EnsembleRequest,
  EnsembleResult,
  ExportedModel,
  ExportRequest,
  MemoryReport,
  ProgressCallback,
  TrainJob,
  TrainResult,
} from './types';

export interface TrainerProtocol {
  /**
   * Picks the backend (WebGPU, then WebGL, then CPU) and reports what it got. With
   * `livenessLock`, the worker first takes that Web Lock and holds it for its life, so the
   * page learns the moment it ends (TrainerPool's WorkerWatch).
   */
  init(preferred: BackendPreference, livenessLock?: string): Promise<BackendInfo>;
  /** Uploads a dataset's splits to the device once; later jobs naming `id` reuse them. */
  loadDataset(id: string, payload: DatasetPayload): Promise<void>;
  unloadDataset(id: string): Promise<void>;
  /** Trains one candidate; rejects with an AbortError after `cancel(job.id)`. */
  train(job: TrainJob, onProgress?: ProgressCallback, continueAfterEpoch?: ContinueCallback): Promise<TrainResult>;
  /** `train` starting from `job.initialWeights`. */
  fineTune(job: TrainJob, onProgress?: ProgressCallback): Promise<TrainResult>;
  /** Asks a running job to stop at its next batch; false if no such job runs. */
  cancel(jobId: string): Promise<boolean>;
  evaluateEnsemble(request: EnsembleRequest): Promise<EnsembleResult>;
  exportModel(request: ExportRequest): Promise<ExportedModel>;
  memory(): Promise<MemoryReport>;
  /** Times a small net on each backend in turn (auto's measurement); leaves TF.js on the last one. */
  calibrate(backends: readonly BackendName[]): Promise<BackendSpeed[]>;
}
