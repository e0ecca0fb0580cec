/**
 * Dataset import off the main thread. The page wraps it:
 *   const importer = wrap<ImportWorkerApi>(new Worker(new URL('../../workers/import.worker.ts', import.meta.url), { type: 'module' }));
 *   const dataset = await importer.importFiles(files, { side: 32 }, proxy(onProgress), jobId);
 *   importer.cancel(jobId); // or terminate the worker
 * The dataset comes back with its pixel and label buffers transferred, not copied.
 */
import { expose, transfer } from 'comlink';
import { createCanvasImageDecoder } from '../src/data/canvas-image-decoder';
import { importDatasetFromFiles, type ImportOptions } from '../src/data/import-dataset';
import type { ImportFileInput } from '../src/data/files';
import type { ImportProgress } from '../src/data/progress';
import type { ImageDataset } from '../src/data/types';

/** What the page may set; signal, progress and decoder are the worker's own. */
export type WorkerImportOptions = Omit<ImportOptions, 'signal' | 'onProgress' | 'decodeImage'>;

const running = new Map<string, AbortController>();
/** Cancels that arrived before their import started (messages may cross). */
const cancelledEarly = new Set<string>();
const decodeImage = createCanvasImageDecoder();

function transferables(dataset: ImageDataset): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const set of [dataset.train, dataset.test]) {
    for (const array of [set.images, set.labels]) if (array.buffer instanceof ArrayBuffer) buffers.add(array.buffer);
  }
  return [...buffers];
}

const api = {
  /**
   * Imports `files` (File objects from a picker or drop, with `path` from webkitRelativePath)
   * and resolves with the whole dataset, or rejects with a DatasetImportError (its message
   * names the file and byte offset) or an AbortError after `cancel(jobId)`.
   */
  async importFiles(
    files: ImportFileInput[],
    options: WorkerImportOptions = {},
    onProgress?: (progress: ImportProgress) => void,
    jobId?: string,
  ): Promise<ImageDataset> {
    const controller = new AbortController();
    if (jobId !== undefined) {
      if (cancelledEarly.delete(jobId)) controller.abort();
      running.set(jobId, controller);
    }
    try {
      const dataset = await importDatasetFromFiles(files, {
        ...options,
        decodeImage,
        signal: controller.signal,
        // Fire and forget: a progress message must not hold the import up.
        onProgress: onProgress === undefined ? undefined : (progress) => void onProgress(progress),
      });
      return transfer(dataset, transferables(dataset));
    } finally {
      if (jobId !== undefined) running.delete(jobId);
    }
  },

  /** Stops the import `jobId` at its next checkpoint (between chunks or images). */
  cancel(jobId: string): void {
    const controller = running.get(jobId);
    if (controller !== undefined) controller.abort();
    else cancelledEarly.add(jobId);
  },
};

export type ImportWorkerApi = typeof api;

expose(api);
