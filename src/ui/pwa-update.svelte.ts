/**
 * The service worker's news (vite-plugin-pwa, registerType 'prompt'): a new version is ready
 * (the page reloads into it only when the person says so, so a running search is never cut
 * off by an update), or the app now works offline. That second one is said only when it is
 * true: the app shell is precached and the default dataset's files are in the cache.
 */
import { registerSW } from 'virtual:pwa-register';
import { DEFAULT_DATASET_ID } from '../search/catalog';
import { offlineDatasets, type OfflineDatasets } from './offline.svelte';

export class PwaUpdate {
  /** A new service worker is installed and waiting. */
  needRefresh = $state(false);
  /** The app shell and the default dataset are cached: the app works offline (shown once). */
  offlineReady = $state(false);
  /** Registration failed (e.g. served without HTTPS): the app still works, online only. */
  error: string | null = $state(null);

  readonly offline: OfflineDatasets;
  #update: ((reload?: boolean) => Promise<void>) | null = null;

  constructor(offline: OfflineDatasets = offlineDatasets) {
    this.offline = offline;
  }

  register(): void {
    if (typeof navigator === 'undefined' || !('serviceWorker' in navigator)) return;
    this.#update = registerSW({
      onNeedRefresh: () => (this.needRefresh = true),
      // Fired once, when a first install has precached the shell.
      onOfflineReady: () => void this.#defaultDatasetOffline().then((ok) => (this.offlineReady = ok)),
      onRegisterError: (error: unknown) => (this.error = error instanceof Error ? error.message : String(error)),
    });
    // Every visit: once a worker is active, keep the default dataset offline too (a first
    // visit's own fetches ran before the worker existed, so the worker never cached them).
    void navigator.serviceWorker.ready.then(() => this.#defaultDatasetOffline());
  }

  #defaultDatasetOffline(): Promise<boolean> {
    return this.offline.ensure(DEFAULT_DATASET_ID);
  }

  /** Activates the waiting service worker and reloads the page into the new version. */
  async reload(): Promise<void> {
    await this.#update?.(true);
  }

  dismiss(): void {
    this.needRefresh = false;
    this.offlineReady = false;
  }
}
