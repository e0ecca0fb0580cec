/**
 * Owns the dataset import worker (workers/import.worker.ts): starts it lazily, runs one
 * import at a time, reports progress, and cancels by terminating the worker (a running
 * comlink call cannot be interrupted from outside; the next import starts a fresh worker).
 */
import { proxy, wrap, type Remote } from 'comlink';
import type { ImageDataset, ImportFileInput, ImportProgress } from '../data';
import type { ImportWorkerApi, WorkerImportOptions } from '../../workers/import.worker';

export type ImportState = 'idle' | 'running' | 'cancelled' | 'failed' | 'done';

/** A dataset import was cancelled by the person. */
export class ImportCancelled extends Error {
  override readonly name = 'AbortError';
  constructor() {
    super('the import was cancelled');
  }
}

/** File objects from an <input type=file> (with `webkitRelativePath` for a chosen folder). */
export function fileInputs(files: Iterable<File>): ImportFileInput[] {
  return [...files].map((file) => ({ name: file.name, path: file.webkitRelativePath || file.name, file }));
}

export class DatasetImporter {
  state: ImportState = $state('idle');
  progress: ImportProgress | null = $state.raw(null);
  /** The importer's message: names the file and what was wrong. */
  error: string | null = $state(null);
  /** What is being imported, for the progress line. */
  label = $state('');

  #worker: Worker | null = null;
  #remote: Remote<ImportWorkerApi> | null = null;
  #cancel: (() => void) | null = null;
  #jobs = 0;

  #start(): Remote<ImportWorkerApi> {
    if (!this.#remote) {
      this.#worker = new Worker(new URL('../../workers/import.worker.ts', import.meta.url), { type: 'module', name: 'dataset-import' });
      this.#remote = wrap<ImportWorkerApi>(this.#worker);
    }
    return this.#remote;
  }

  /** Imports `files`; resolves with the dataset, or null when it failed (see `error`) or was cancelled. */
  async import(files: readonly ImportFileInput[], options: WorkerImportOptions = {}): Promise<ImageDataset | null> {
    if (this.state === 'running') this.cancel();
    if (files.length === 0) {
      this.state = 'failed';
      this.error = 'No files were chosen.';
      return null;
    }
    const jobId = `import-${++this.#jobs}`;
    this.state = 'running';
    this.error = null;
    this.progress = null;
    this.label = files.length === 1 ? files[0]!.path : `${files.length} files`;
    const remote = this.#start();
    const cancelled = new Promise<never>((_, reject) => {
      this.#cancel = () => reject(new ImportCancelled());
    });
    try {
      const dataset = await Promise.race([
        remote.importFiles([...files], options, proxy((p: ImportProgress) => (this.progress = p)), jobId),
        cancelled,
      ]);
      this.state = 'done';
      return dataset;
    } catch (error) {
      if (error instanceof ImportCancelled) {
        this.state = 'cancelled';
      } else {
        this.state = 'failed';
        this.error = (error as Error).message || String(error);
      }
      return null;
    } finally {
      this.#cancel = null;
      this.progress = null;
    }
  }

  /** Stops the running import now: the worker is terminated and restarted on the next import. */
  cancel(): void {
    const cancel = this.#cancel;
    this.#terminate();
    cancel?.();
  }

  /** The worker is not needed any more (the page goes away). */
  dispose(): void {
    this.cancel();
  }

  #terminate(): void {
    this.#worker?.terminate();
    this.#worker = null;
    this.#remote = null;
  }
}
