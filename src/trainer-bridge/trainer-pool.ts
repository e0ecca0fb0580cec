/**
 * The main thread's owner of trainer workers (squoosh's worker-bridge pattern): starts
 * each worker lazily, queues calls until a worker is free, uploads datasets to a worker
 * the first time a job there needs them, and cancels by asking the worker to stop and,
 * if the call has not ended within a grace period, terminating it (a running comlink
 * call cannot be interrupted). A terminated or recycled worker is restarted lazily by
 * the next call. Workers are recycled when their GPU memory beyond their datasets passes
 * a budget (the WebGPU backend pools buffers per size and keeps growing across
 * architectures; a dataset stays for the worker's life) and when the WebGPU device is lost.
 */
import { proxy, type Remote, wrap } from 'comlink';
import type { TrainerProtocol } from '../train/protocol';
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
} from '../train/types';
import { emptySlot, retireSlot, webLockWatch, workerLockName, type Slot, type WorkerLike, type WorkerWatch } from './worker-slot';

export { webLockWatch, type WorkerLike, type WorkerWatch } from './worker-slot';

export interface TrainerPoolOptions {
  /** Workers running side by side. */
  readonly size?: number;
  readonly backend?: BackendPreference;
  /** Recycle a worker after a call once its backend holds more GPU bytes than this beyond its datasets. */
  readonly gpuMemoryBudgetBytes?: number;
  /** How long a cancelled call may take to stop by itself before its worker is terminated. */
  readonly cancelGraceMs?: number;
  readonly createWorker?: () => WorkerLike;
  /**
   * Tells the pool when a worker went away by itself (closed, crashed) instead of waiting for
   * an answer that will never come. Default: a Web Lock the worker holds for its life, where the
   * browser has Web Locks; null turns it off (Node tests pass a stand-in).
   */
  readonly watchWorker?: WorkerWatch | null;
}

/** Said by calls that were running when their worker ended by itself. */
export const WORKER_GONE_MESSAGE = 'the trainer worker stopped unexpectedly; a new one takes the next job';

export interface CallOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: ProgressCallback;
  /** Asked after each epoch but the last; false stops the net there (see ContinueCallback). */
  readonly continueAfterEpoch?: ContinueCallback;
}

const DEFAULTS = {
  size: 1,
  backend: 'auto' as BackendPreference,
  gpuMemoryBudgetBytes: 2 * 1024 ** 3,
  cancelGraceMs: 1000,
};

function createTrainerWorker(): WorkerLike {
  // This exact form lets Vite find and bundle the worker.
  return new Worker(new URL('../../workers/trainer.worker.ts', import.meta.url), { type: 'module' });
}

interface Task {
  readonly datasetId: string | null;
  readonly jobId: string | null;
  readonly signal: AbortSignal | undefined;
  readonly call: (remote: Remote<TrainerProtocol>) => Promise<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (reason: unknown) => void;
  settled: boolean;
}

export class TrainerPool {
  readonly #options: typeof DEFAULTS & { createWorker: () => WorkerLike; watchWorker: WorkerWatch | null };
  readonly #slots: Slot[];
  readonly #queue: Task[] = [];
  readonly #datasets = new Map<string, DatasetPayload>();
  #backend: BackendInfo | null = null;
  #closed = false;

  constructor(options: TrainerPoolOptions = {}) {
    this.#options = {
      size: options.size ?? DEFAULTS.size,
      backend: options.backend ?? DEFAULTS.backend,
      gpuMemoryBudgetBytes: options.gpuMemoryBudgetBytes ?? DEFAULTS.gpuMemoryBudgetBytes,
      cancelGraceMs: options.cancelGraceMs ?? DEFAULTS.cancelGraceMs,
      createWorker: options.createWorker ?? createTrainerWorker,
      watchWorker:
        options.watchWorker !== undefined ? options.watchWorker : typeof navigator !== 'undefined' && navigator.locks ? webLockWatch : null,
    };
    if (!Number.isInteger(this.#options.size) || this.#options.size < 1) {
      throw new Error(`TrainerPool: size must be a positive integer, got ${this.#options.size}`);
    }
    this.#slots = Array.from({ length: this.#options.size }, emptySlot);
  }

  /** Number of workers this pool runs side by side. */
  get size(): number {
    return this.#slots.length;
  }

  /**
   * Starts the first worker now (instead of at the first call) and reports the backend
   * it got, so the page can name it before any search starts.
   */
  async init(): Promise<BackendInfo> {
    if (this.#closed) throw new Error('TrainerPool terminated');
    await this.#start(this.#slots[0] as Slot);
    if (!this.#backend) throw new Error('TrainerPool: the worker reported no backend');
    return this.#backend;
  }

  /** What the most recently started worker runs on (null before any has started). */
  get backend(): BackendInfo | null {
    return this.#backend;
  }

  /** Workers currently alive (started and not terminated). */
  get liveWorkers(): number {
    return this.#slots.filter((s) => s.worker !== null).length;
  }

  /** Registers a dataset; each worker uploads it when a call there first needs it. */
  setDataset(id: string, payload: DatasetPayload): void {
    this.#datasets.set(id, payload);
    for (const slot of this.#slots) slot.datasets.delete(id);
  }

  train(job: TrainJob, options: CallOptions = {}): Promise<TrainResult> {
    const { onProgress, continueAfterEpoch } = options;
    return this.#enqueue<TrainResult>(job.datasetId, job.id, options.signal, (remote) =>
      remote.train(job, onProgress ? proxy(onProgress) : undefined, continueAfterEpoch ? proxy(continueAfterEpoch) : undefined),
    );
  }

  fineTune(job: TrainJob, options: CallOptions = {}): Promise<TrainResult> {
    const onProgress = options.onProgress;
    return this.#enqueue<TrainResult>(job.datasetId, job.id, options.signal, (remote) =>
      remote.fineTune(job, onProgress ? proxy(onProgress) : undefined),
    );
  }

  evaluateEnsemble(request: EnsembleRequest, options: { signal?: AbortSignal } = {}): Promise<EnsembleResult> {
    return this.#enqueue(request.datasetId, null, options.signal, (remote) => remote.evaluateEnsemble(request));
  }

  exportModel(request: ExportRequest, options: { signal?: AbortSignal } = {}): Promise<ExportedModel> {
    return this.#enqueue(null, null, options.signal, (remote) => remote.exportModel(request));
  }

  /** Times the calibration net on each backend (a worker's backend changes: terminate the pool after). */
  calibrate(backends: readonly BackendName[]): Promise<BackendSpeed[]> {
    return this.#enqueue(null, null, undefined, (remote) => remote.calibrate(backends));
  }

  /** Memory of every live worker. */
  async memory(): Promise<MemoryReport[]> {
    const live = this.#slots.filter((s): s is Slot & { remote: Remote<TrainerProtocol> } => s.remote !== null);
    return Promise.all(live.map((s) => s.remote.memory()));
  }

  /** Terminates every worker and rejects every queued or running call. */
  terminate(): void {
    this.#closed = true;
    for (const task of this.#queue.splice(0)) settle(task, 'reject', new Error('TrainerPool terminated'));
    for (const slot of this.#slots) this.#terminateSlot(slot);
  }

  #enqueue<T>(
    datasetId: string | null,
    jobId: string | null,
    signal: AbortSignal | undefined,
    call: (remote: Remote<TrainerProtocol>) => Promise<T>,
  ): Promise<T> {
    if (this.#closed) return Promise.reject(new Error('TrainerPool terminated'));
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (datasetId !== null && !this.#datasets.has(datasetId)) {
      return Promise.reject(new Error(`TrainerPool: dataset "${datasetId}" was not registered with setDataset`));
    }
    return new Promise<T>((resolve, reject) => {
      const task: Task = {
        datasetId,
        jobId,
        signal,
        call,
        resolve: resolve as (value: unknown) => void,
        reject,
        settled: false,
      };
      signal?.addEventListener('abort', () => this.#abortQueued(task), { once: true });
      this.#queue.push(task);
      this.#pump();
    });
  }

  #abortQueued(task: Task): void {
    const index = this.#queue.indexOf(task);
    if (index >= 0) this.#queue.splice(index, 1);
    settle(task, 'reject', task.signal?.reason);
  }

  #pump(): void {
    for (const slot of this.#slots) {
      if (slot.busy) continue;
      const task = this.#queue.shift();
      if (!task) return;
      void this.#execute(slot, task);
    }
  }

  async #execute(slot: Slot, task: Task): Promise<void> {
    slot.busy = true;
    const generation = slot.generation;
    let onAbort: (() => void) | null = null;
    try {
      const remote = await this.#start(slot);
      if (task.datasetId !== null && !slot.datasets.has(task.datasetId)) {
        const payload = this.#datasets.get(task.datasetId);
        if (!payload) throw new Error(`TrainerPool: dataset "${task.datasetId}" is no longer registered`);
        await remote.loadDataset(task.datasetId, payload);
        slot.datasets.add(task.datasetId);
      }
      if (task.settled) return; // cancelled while the worker started
      const call = task.call(remote);
      const stopped = call.then(
        () => true,
        () => true,
      );
      onAbort = () => {
        // The caller already has its rejection; now get the worker free again.
        if (task.jobId !== null) remote.cancel(task.jobId).catch(() => undefined);
        const timer = setTimeout(() => {
          if (slot.generation === generation) this.#terminateSlot(slot);
        }, this.#options.cancelGraceMs);
        void stopped.then(() => clearTimeout(timer));
      };
      task.signal?.addEventListener('abort', onAbort, { once: true });
      // A terminated worker never answers: stop waiting once this slot moves on.
      const value = await Promise.race([call, slot.gone]);
      settle(task, 'resolve', value);
      await this.#recycleIfNeeded(slot, remote, generation);
    } catch (error) {
      settle(task, 'reject', error);
      if (slot.generation === generation && isDeviceLost(error)) this.#terminateSlot(slot);
    } finally {
      if (onAbort) task.signal?.removeEventListener('abort', onAbort);
      if (slot.generation === generation) slot.busy = false;
      this.#pump();
    }
  }

  async #start(slot: Slot): Promise<Remote<TrainerProtocol>> {
    const generation = slot.generation;
    if (!slot.remote || !slot.ready) {
      const worker = this.#options.createWorker();
      const remote = wrap<TrainerProtocol>(worker);
      slot.worker = worker;
      slot.remote = remote;
      slot.datasets = new Set();
      // A worker whose script fails to load never answers `init`: its error event is all we get.
      let started = false;
      worker.addEventListener('error', (event) => {
        if (slot.generation !== generation || started) return;
        const detail = (event as ErrorEvent).message;
        this.#terminateSlot(slot, new Error(`the trainer worker failed to start${detail ? `: ${detail}` : ''}`));
      });
      const watch = this.#options.watchWorker;
      const lockName = watch ? workerLockName() : undefined;
      slot.ready = remote.init(this.#options.backend, lockName).then((info) => {
        this.#backend = info;
        started = true;
        if (watch && lockName && slot.generation === generation) {
          slot.unwatch = watch(lockName, () => {
            if (slot.generation === generation) this.#terminateSlot(slot, new Error(WORKER_GONE_MESSAGE));
          });
        }
      });
    }
    const remote = slot.remote;
    try {
      await Promise.race([slot.ready, slot.gone]);
    } catch (error) {
      if (slot.generation === generation) this.#terminateSlot(slot);
      throw error;
    }
    return remote;
  }

  async #recycleIfNeeded(slot: Slot, remote: Remote<TrainerProtocol>, generation: number): Promise<void> {
    try {
      const memory = await Promise.race([remote.memory(), slot.gone]);
      // The datasets stay for the worker's life: recycling cannot free them, only re-upload them.
      const over =
        memory.gpuBytesAllocated !== null && memory.gpuBytesAllocated - (memory.datasetBytes ?? 0) > this.#options.gpuMemoryBudgetBytes;
      if (over && slot.generation === generation) {
        this.#terminateSlot(slot);
      }
    } catch {
      // The worker went away meanwhile; nothing to recycle.
    }
  }

  #terminateSlot(slot: Slot, reason?: Error): void {
    retireSlot(slot, reason);
    if (!this.#closed) this.#pump();
  }
}

function settle(task: Task, how: 'resolve' | 'reject', value: unknown): void {
  if (task.settled) return;
  task.settled = true;
  if (how === 'resolve') task.resolve(value);
  else task.reject(value);
}

function isDeviceLost(error: unknown): boolean {
  return error instanceof Error && error.name === 'DeviceLostError';
}
