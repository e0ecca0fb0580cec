/**
 * Offline copies of shipped datasets in the Cache API's `datasets` cache: the cache the
 * service worker's CacheFirst route for /datasets/ reads (vite.config.ts). The page writes
 * them itself, so a first visit, whose fetches the new service worker never saw, can still
 * be complete offline, and so a failure (a full disk) is reported to the person who asked.
 */
import { DatasetLoadError } from '../data';
import { shippedDatasetFiles } from '../data/load-shipped';
import type { ShippedManifest } from '../data';

/** Must match the cacheName of the /datasets/ route in vite.config.ts. */
export const DATASETS_CACHE = 'datasets';
/**
 * Sent with the page's own copy requests: the service worker's /datasets/ route skips them
 * (vite.config.ts), so only this code writes them to the cache and sees its errors.
 */
export const OFFLINE_COPY_HEADER = 'x-metaqnn-offline-copy';

export interface CopyProgress {
  loadedBytes: number;
  totalBytes: number;
}

export interface OfflineCopyDeps {
  caches: Pick<CacheStorage, 'open'>;
  fetch: typeof fetch;
  baseUrl?: string | undefined;
}

/** Whether every binary file of the dataset is in the cache (the manifest itself is precached). */
export async function hasOfflineCopy(manifest: ShippedManifest, deps: OfflineCopyDeps): Promise<boolean> {
  const cache = await deps.caches.open(DATASETS_CACHE);
  for (const file of shippedDatasetFiles(manifest, { baseUrl: deps.baseUrl })) {
    if (!(await cache.match(file.url))) return false;
  }
  return true;
}

/** A failed copy, with a message that names the dataset, the file and the cause. */
export class OfflineCopyError extends Error {
  override name = 'OfflineCopyError';
}

/**
 * Puts every missing file of the dataset into the cache, with byte progress. Each file is
 * checked against the manifest's size. All or nothing: on failure the files this call
 * added are deleted again, so a half copy never looks like an offline one.
 */
export async function saveOfflineCopy(
  manifest: ShippedManifest,
  deps: OfflineCopyDeps,
  onProgress: (progress: CopyProgress) => void = () => {},
): Promise<void> {
  const cache = await deps.caches.open(DATASETS_CACHE);
  const files = shippedDatasetFiles(manifest, { baseUrl: deps.baseUrl });
  const totalBytes = files.reduce((sum, f) => sum + f.bytes, 0);
  let loadedBytes = 0;
  const added: string[] = [];
  let current = files[0]?.url ?? '';
  let failure: DatasetLoadError | null = null;
  try {
    for (const file of files) {
      current = file.url;
      if (await cache.match(file.url)) {
        loadedBytes += file.bytes;
        onProgress({ loadedBytes, totalBytes });
        continue;
      }
      const response = await deps.fetch(file.url, { headers: { [OFFLINE_COPY_HEADER]: '1' } });
      if (!response.ok) throw new DatasetLoadError(file.url, `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`);
      if (!response.body) throw new DatasetLoadError(file.url, 'the response has no body');
      let received = 0;
      // cache.put rejects with its own TypeError when the stream errors: keep ours.
      const fail = (problem: string) => {
        failure = new DatasetLoadError(file.url, problem);
        return failure;
      };
      const counted = response.body.pipeThrough(
        new TransformStream<Uint8Array, Uint8Array>({
          transform(chunk, controller) {
            received += chunk.length;
            if (received > file.bytes) throw fail(`is longer than the ${file.bytes} bytes the manifest says`);
            loadedBytes += chunk.length;
            onProgress({ loadedBytes, totalBytes });
            controller.enqueue(chunk);
          },
          flush() {
            if (received !== file.bytes) throw fail(`has ${received} bytes, but the manifest says ${file.bytes}`);
          },
        }),
      );
      await cache.put(
        file.url,
        new Response(counted, { headers: { 'content-type': 'application/octet-stream', 'content-length': String(file.bytes) } }),
      );
      added.push(file.url);
    }
  } catch (error) {
    for (const url of added) await cache.delete(url).catch(() => false);
    const cause = failure ?? error;
    throw new OfflineCopyError(offlineCopyFailure(manifest, current, cause), { cause });
  }
}

/** "Fashion-MNIST could not be made available offline: …", naming a full disk as such. */
export function offlineCopyFailure(manifest: Pick<ShippedManifest, 'name'>, file: string, error: unknown): string {
  const name = typeof error === 'object' && error !== null && 'name' in error ? String(error.name) : '';
  const message = error instanceof Error ? error.message : String(error);
  if (name === 'QuotaExceededError') {
    return `${manifest.name} could not be made available offline: the browser's storage for this site is full (${file}: ${message}). Free space (delete searches or imported datasets) and try again.`;
  }
  return `${manifest.name} could not be made available offline: ${message.startsWith(file) ? message : `${file}: ${message}`}`;
}
