/**
 * The owner class against in-process "workers": comlink over a MessageChannel, either the
 * real trainer API (TF.js on cpu) or a scripted fake to exercise queueing, cancellation,
 * termination and recycling.
 */
import { expose } from 'comlink';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DatasetCache } from '../../../src/train/dataset-cache';
import type { TrainerProtocol } from '../../../src/train/protocol';
import { createTrainerApi } from '../../../src/train/trainer-api';
import { TrainerPool, WORKER_GONE_MESSAGE, type WorkerLike } from '../../../src/trainer-bridge/trainer-pool';
import type { MemoryReport, TrainJob, TrainProgress, TrainResult } from '../../../src/train/types';
import { LEARNER, quadrantDataset, useCpu } from '../train/synthetic';

interface FakeWorkers {
  create: () => WorkerLike;
  started: number;
  terminated: number;
  calls: string[];
}

/** Each created worker exposes `makeApi()` on one end of a fresh MessageChannel. */
function inProcessWorkers(makeApi: () => object): FakeWorkers {
  const workers: FakeWorkers = {
    started: 0,
    terminated: 0,
    calls: [],
    create: () => {
      workers.started++;
      const { port1, port2 } = new MessageChannel();
      const api = makeApi() as Record<string, (...args: unknown[]) => unknown>;
      const logged = Object.fromEntries(
        Object.entries(api).map(([name, fn]) => [name, (...args: unknown[]) => (workers.calls.push(name), fn(...args))]),
      );
      expose(logged, port2);
      return Object.assign(port1, {
        terminate: () => {
          workers.terminated++;
          port1.close();
          port2.close();
        },
      }) as unknown as WorkerLike;
    },
  };
  return workers;
}

const job = (id: string, overrides: Partial<TrainJob> = {}): TrainJob => ({
  id,
  net: LEARNER,
  datasetId: 'quadrants',
  seed: 3,
  config: { batchSize: 32, epochs: 2, latencyBatchSize: 0, progressEveryMs: 0 },
  ...overrides,
});

const fakeResult = (jobId: string): TrainResult => ({
  status: 'too-large',
  jobId,
  reason: 'fake',
  estimatedMemoryBytes: 0,
  memoryBudgetBytes: 0,
  paramCount: 0,
  multiplyAdds: 0,
  backend: { backend: 'fake', adapter: null },
});

const memory = (gpuBytesAllocated: number | null, datasetBytes = 0): MemoryReport => ({
  numTensors: 0,
  numBytes: 0,
  gpuBytesAllocated,
  backend: 'fake',
  datasets: [],
  datasetBytes,
});

/** A scripted trainer: `train` waits until the test releases it; `cancel` can be ignored. */
function scriptedApi(options: { gpuBytes?: number; datasetBytes?: number; honourCancel?: boolean; failWith?: Error } = {}) {
  const pending = new Map<string, { resolve: (r: TrainResult) => void; reject: (e: unknown) => void }>();
  const api: Pick<TrainerProtocol, 'init' | 'loadDataset' | 'train' | 'cancel' | 'memory'> = {
    init: async () => ({ backend: 'fake', adapter: null }),
    loadDataset: async () => undefined,
    train: (j) =>
      options.failWith
        ? Promise.reject(options.failWith)
        : new Promise<TrainResult>((resolve, reject) => pending.set(j.id, { resolve, reject })),
    cancel: async (jobId) => {
      if (options.honourCancel) pending.get(jobId)?.reject(new DOMException('stopped', 'AbortError'));
      return pending.has(jobId);
    },
    memory: async () => memory(options.gpuBytes ?? null, options.datasetBytes ?? 0),
  };
  return { api, release: (id: string) => pending.get(id)?.resolve(fakeResult(id)), pending };
}

const until = async (condition: () => boolean, ms = 5000): Promise<void> => {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > ms) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 5));
  }
};

let pool: TrainerPool | null = null;
afterEach(() => pool?.terminate());

describe('TrainerPool with the real trainer API', () => {
  beforeAll(useCpu);

  it('trains through comlink: lazy start, one dataset upload, progress, transferred weights', async () => {
    const workers = inProcessWorkers(() => createTrainerApi(new DatasetCache()));
    pool = new TrainerPool({ backend: 'cpu', createWorker: workers.create });
    pool.setDataset('quadrants', quadrantDataset());
    expect(workers.started).toBe(0);
    expect(pool.size).toBe(1);
    expect(await pool.init()).toEqual({ backend: 'cpu', adapter: null, largestTensorBytes: 1024 ** 3 });
    expect(workers.started).toBe(1);
    const events: TrainProgress[] = [];
    const result = await pool.train(job('a'), { onProgress: (e) => events.push(e) });
    expect(result.status).toBe('done');
    if (result.status !== 'done') return;
    expect(result.weights?.data).toBeInstanceOf(ArrayBuffer);
    expect(result.weights?.data.byteLength).toBe(4 * result.paramCount);
    expect(pool.backend?.backend).toBe('cpu');
    await until(() => events.filter((e) => e.kind === 'epoch').length === 2);
    await pool.train(job('b'));
    expect(workers.started).toBe(1);
    expect(workers.calls.filter((c) => c === 'loadDataset')).toHaveLength(1);
    const [report] = await pool.memory();
    expect(report?.datasets).toEqual(['quadrants']);
    // quadrantDataset(): 192 + 64 + 64 images of 8×8×1 as float32, and their int32 labels.
    expect(report?.datasetBytes).toBe((192 + 64 + 64) * 64 * 4 + (192 + 64 + 64) * 4);
  });

  it('asks the page after each epoch across comlink and stops where it says so', async () => {
    const workers = inProcessWorkers(() => createTrainerApi(new DatasetCache()));
    pool = new TrainerPool({ backend: 'cpu', createWorker: workers.create });
    pool.setDataset('quadrants', quadrantDataset());
    const asked: number[] = [];
    const result = await pool.train(job('early', { config: { batchSize: 32, epochs: 3, latencyBatchSize: 0, progressEveryMs: 0 } }), {
      continueAfterEpoch: (curve) => {
        asked.push(curve.length);
        return false;
      },
    });
    expect(result.status).toBe('done');
    if (result.status !== 'done') return;
    expect(asked).toEqual([1]);
    expect(result.stoppedAfterEpoch).toBe(1);
    expect(result.curve).toHaveLength(1);
  });

  it('cancels a running job inside the worker and keeps the worker for the next job', async () => {
    const workers = inProcessWorkers(() => createTrainerApi(new DatasetCache()));
    pool = new TrainerPool({ backend: 'cpu', createWorker: workers.create, cancelGraceMs: 5000 });
    pool.setDataset('quadrants', quadrantDataset());
    const controller = new AbortController();
    const run = pool.train(job('slow', { config: { batchSize: 8, epochs: 50, latencyBatchSize: 0, progressEveryMs: 0 } }), {
      signal: controller.signal,
      onProgress: (e) => {
        if (e.kind === 'batch') controller.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    await until(() => workers.calls.includes('cancel'));
    const next = await pool.train(job('after'));
    expect(next.status).toBe('done');
    expect(workers.terminated).toBe(0);
    expect(workers.started).toBe(1);
  });
});

describe('TrainerPool scheduling', () => {
  it('queues calls until the worker is free, in order', async () => {
    const script = scriptedApi();
    const workers = inProcessWorkers(() => script.api);
    pool = new TrainerPool({ createWorker: workers.create });
    pool.setDataset('quadrants', quadrantDataset(4, 4, 4));
    const finished: string[] = [];
    const first = pool.train(job('1')).then(() => finished.push('1'));
    const second = pool.train(job('2')).then(() => finished.push('2'));
    await until(() => script.pending.has('1'));
    await new Promise((r) => setTimeout(r, 30));
    expect(script.pending.has('2')).toBe(false);
    script.release('1');
    await until(() => script.pending.has('2'));
    script.release('2');
    await Promise.all([first, second]);
    expect(finished).toEqual(['1', '2']);
  });

  it('drops a queued call on abort without sending it to a worker', async () => {
    const script = scriptedApi();
    const workers = inProcessWorkers(() => script.api);
    pool = new TrainerPool({ createWorker: workers.create });
    pool.setDataset('quadrants', quadrantDataset(4, 4, 4));
    const first = pool.train(job('1'));
    const controller = new AbortController();
    const queued = pool.train(job('2'), { signal: controller.signal });
    controller.abort();
    await expect(queued).rejects.toMatchObject({ name: 'AbortError' });
    await until(() => script.pending.has('1'));
    script.release('1');
    await first;
    expect(workers.calls.filter((c) => c === 'train')).toHaveLength(1);
  });

  it('terminates a worker that ignores cancel after the grace period, then starts a fresh one', async () => {
    const script = scriptedApi({ honourCancel: false });
    const workers = inProcessWorkers(() => script.api);
    pool = new TrainerPool({ createWorker: workers.create, cancelGraceMs: 50 });
    pool.setDataset('quadrants', quadrantDataset(4, 4, 4));
    const controller = new AbortController();
    const stuck = pool.train(job('stuck'), { signal: controller.signal });
    await until(() => script.pending.has('stuck'));
    const abortedAt = Date.now();
    controller.abort();
    await expect(stuck).rejects.toMatchObject({ name: 'AbortError' });
    expect(Date.now() - abortedAt).toBeLessThan(40); // the caller does not wait for the grace period
    await until(() => workers.terminated === 1);
    expect(pool.liveWorkers).toBe(0);
    const next = pool.train(job('next'));
    await until(() => script.pending.has('next'));
    script.release('next');
    await next;
    expect(workers.started).toBe(2);
    expect(workers.calls.filter((c) => c === 'loadDataset')).toHaveLength(2); // the new worker gets the data too
  });

  it('recycles a worker whose GPU memory passed the budget', async () => {
    const script = scriptedApi({ gpuBytes: 2000 });
    const workers = inProcessWorkers(() => script.api);
    pool = new TrainerPool({ createWorker: workers.create, gpuMemoryBudgetBytes: 1000 });
    pool.setDataset('quadrants', quadrantDataset(4, 4, 4));
    const run = pool.train(job('1'));
    await until(() => script.pending.has('1'));
    script.release('1');
    await run;
    await until(() => workers.terminated === 1);
    expect(pool.liveWorkers).toBe(0);
  });

  it('does not hold the datasets against the budget: recycling could only upload them again', async () => {
    const script = scriptedApi({ gpuBytes: 2000, datasetBytes: 1500 });
    const workers = inProcessWorkers(() => script.api);
    pool = new TrainerPool({ createWorker: workers.create, gpuMemoryBudgetBytes: 1000 });
    pool.setDataset('quadrants', quadrantDataset(4, 4, 4));
    for (const id of ['1', '2']) {
      const run = pool.train(job(id));
      await until(() => script.pending.has(id));
      script.release(id);
      await run;
    }
    // Both jobs' memory checks have answered, and neither recycled the worker.
    await until(() => workers.calls.filter((c) => c === 'memory').length === 2);
    await new Promise((r) => setTimeout(r, 20));
    expect(workers.terminated).toBe(0);
    expect(workers.started).toBe(1);
  });

  it('replaces the worker after a lost WebGPU device and passes the error on', async () => {
    const lost = Object.assign(new Error('WebGPU device lost: destroyed'), { name: 'DeviceLostError' });
    const workers = inProcessWorkers(() => scriptedApi({ failWith: lost }).api);
    pool = new TrainerPool({ createWorker: workers.create });
    pool.setDataset('quadrants', quadrantDataset(4, 4, 4));
    await expect(pool.train(job('1'))).rejects.toMatchObject({ name: 'DeviceLostError' });
    expect(workers.terminated).toBe(1);
  });

  it('notices at once a worker that ended by itself mid-job, fails its call and starts a fresh worker', async () => {
    const script = scriptedApi();
    const workers = inProcessWorkers(() => script.api);
    // A stand-in for the Web Lock the worker holds for its life: the test says when it is released.
    const watched = new Map<string, () => void>();
    let unwatched = 0;
    const watchWorker = (name: string, onGone: () => void) => {
      watched.set(name, onGone);
      return () => void unwatched++;
    };
    pool = new TrainerPool({ createWorker: workers.create, watchWorker });
    pool.setDataset('quadrants', quadrantDataset(4, 4, 4));
    const running = pool.train(job('1'));
    await until(() => script.pending.has('1'));
    expect(workers.calls.filter((c) => c === 'init')).toHaveLength(1);
    const [lockName, workerEnded] = [...watched][0]!;
    expect(lockName).toMatch(/^metaqnn:trainer:[0-9a-f]{12}$/);
    workerEnded!();
    await expect(running).rejects.toThrow(WORKER_GONE_MESSAGE);
    expect(workers.terminated).toBe(1);
    const next = pool.train(job('2'));
    await until(() => script.pending.has('2'));
    script.release('2');
    await next;
    expect(workers.started).toBe(2);
    expect(watched.size).toBe(2); // the new worker holds a lock of its own
    // A worker the pool terminates itself is unwatched first, so its ending is not reported as a death.
    pool.terminate();
    expect(unwatched).toBe(2);
  });

  it('refuses a job for a dataset it was never given', async () => {
    pool = new TrainerPool({ createWorker: inProcessWorkers(() => scriptedApi().api).create });
    await expect(pool.train(job('1', { datasetId: 'cifar' }))).rejects.toThrow(/dataset "cifar" was not registered/);
    expect(() => new TrainerPool({ size: 0 })).toThrow(/size must be a positive integer/);
  });
});
