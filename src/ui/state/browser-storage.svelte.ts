/** The IndexedDB store this page opened (the source of truth), the space it uses, and whether the browser keeps it. */
import { estimateStorage, openStore, requestPersistence, type Store } from '../../store';

export class BrowserStorage {
  /** null until opened, and for good when IndexedDB is not available. */
  store: Store | null = $state.raw(null);
  usage: { usage: number; quota: number } | null = $state.raw(null);
  /** The answer to `navigator.storage.persist()`, once asked. */
  persisted: string | null = $state(null);

  /** Opens the store; throws with the browser's reason when IndexedDB is not available. */
  async open(): Promise<void> {
    this.store = await openStore();
    void requestPersistence().then((r) => (this.persisted = r));
  }

  async refreshUsage(): Promise<void> {
    const estimate = await estimateStorage().catch(() => null);
    if (estimate) this.usage = { usage: estimate.usage ?? 0, quota: estimate.quota ?? 0 };
  }

  /** The store, or an error saying what cannot be done without it. */
  require(what: string): Store {
    if (!this.store) throw new Error(`IndexedDB is not available: ${what}`);
    return this.store;
  }
}
