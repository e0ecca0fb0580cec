/**
 * Which shipped datasets work offline, and making one do so on purpose. The dataset list
 * reads `available`; PwaUpdate waits on `ensure(DEFAULT_DATASET_ID)` before it says the
 * app works offline. Imported datasets live in IndexedDB and need nothing here.
 */
import { loadShippedManifest, type ShippedManifest } from '../data';
import { hasOfflineCopy, saveOfflineCopy, type CopyProgress, type OfflineCopyDeps } from './offline-copy';

export class OfflineDatasets {
  /** Whether this browser can keep offline copies at all (a service worker and the Cache API). */
  readonly supported: boolean;
  /** Shipped dataset id → whether all its files are in the cache; absent = not checked yet. */
  available: Readonly<Record<string, boolean>> = $state.raw({});
  /** The copy under way (one at a time). */
  saving: ({ id: string } & CopyProgress) | null = $state.raw(null);
  /** The last failed copy, by dataset id. */
  errors: Readonly<Record<string, string>> = $state.raw({});

  #deps: OfflineCopyDeps | null;
  #manifests = new Map<string, Promise<ShippedManifest>>();
  #queue: Promise<unknown> = Promise.resolve();

  constructor(deps?: OfflineCopyDeps) {
    const browser = typeof navigator !== 'undefined' && 'serviceWorker' in navigator && typeof caches !== 'undefined';
    this.#deps = deps ?? (browser ? { caches, fetch: (input, init) => fetch(input, init) } : null);
    this.supported = this.#deps !== null;
  }

  #manifest(id: string): Promise<ShippedManifest> {
    let manifest = this.#manifests.get(id);
    if (!manifest) {
      manifest = loadShippedManifest(id, { fetch: this.#deps?.fetch });
      manifest.catch(() => this.#manifests.delete(id));
      this.#manifests.set(id, manifest);
    }
    return manifest;
  }

  /** Checks the cache for each of these shipped datasets. */
  async refresh(ids: readonly string[]): Promise<void> {
    const deps = this.#deps;
    if (!deps) return;
    const found: Record<string, boolean> = {};
    for (const id of ids) {
      try {
        found[id] = await hasOfflineCopy(await this.#manifest(id), deps);
      } catch {
        found[id] = false; // no manifest (offline, never cached): certainly not offline
      }
    }
    this.available = { ...this.available, ...found };
  }

  /** Copies the dataset into the cache unless it is there; resolves to whether it is now offline. */
  ensure(id: string): Promise<boolean> {
    // One copy at a time: two would download the same files twice.
    const run = this.#queue.then(() => this.#ensure(id));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #ensure(id: string): Promise<boolean> {
    const deps = this.#deps;
    if (!deps) return false;
    const { [id]: _, ...otherErrors } = this.errors;
    this.errors = otherErrors;
    try {
      const manifest = await this.#manifest(id);
      if (await hasOfflineCopy(manifest, deps)) {
        this.available = { ...this.available, [id]: true };
        return true;
      }
      this.saving = { id, loadedBytes: 0, totalBytes: 0 };
      await saveOfflineCopy(manifest, deps, (p) => (this.saving = { id, ...p }));
      this.available = { ...this.available, [id]: true };
      return true;
    } catch (error) {
      this.errors = { ...this.errors, [id]: error instanceof Error ? error.message : String(error) };
      this.available = { ...this.available, [id]: false };
      return false;
    } finally {
      this.saving = null;
    }
  }
}

/** The page's one instance: the dataset list and the offline banner read the same state. */
export const offlineDatasets = new OfflineDatasets();
