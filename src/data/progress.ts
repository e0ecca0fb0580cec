/** Progress reporting and cancellation shared by the importers. */

export type ImportPhase = 'reading' | 'decompressing' | 'parsing' | 'decoding' | 'hashing';

export interface ImportProgress {
  phase: ImportPhase;
  /** The file being worked on (path as given), or the dataset for whole-set phases. */
  file: string;
  /** Units done and total in this phase for this file (bytes, records or images). */
  done: number;
  total: number;
}

export interface TaskControl {
  /** Aborting rejects the import with `signal.reason`; nothing is returned half-built. */
  signal?: AbortSignal | undefined;
  onProgress?: ((progress: ImportProgress) => void) | undefined;
}

/** Lets queued messages (a worker's `cancel`) run between chunks of synchronous work. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Report, yield, then stop here if the task was aborted meanwhile. */
export async function checkpoint(control: TaskControl, progress: ImportProgress): Promise<void> {
  control.signal?.throwIfAborted();
  control.onProgress?.(progress);
  await yieldToEventLoop();
  control.signal?.throwIfAborted();
}
