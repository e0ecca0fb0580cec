/** What the page can learn about its storage budget (StorageManager, where the browser has one). */

/** The part of `StorageManager` used here, so tests can pass a fake. */
export interface StorageManagerLike {
  estimate?(): Promise<StorageEstimate>;
  persist?(): Promise<boolean>;
  persisted?(): Promise<boolean>;
}

export interface StorageUsage {
  /** Bytes used by this origin. */
  readonly usage: number;
  /** Bytes this origin may use. */
  readonly quota: number;
}

export type PersistenceResult = 'granted' | 'denied' | 'unsupported';

function defaultStorageManager(): StorageManagerLike | undefined {
  // `navigator` is missing in Node, `navigator.storage` in insecure contexts.
  return typeof navigator === 'undefined' ? undefined : (navigator.storage as StorageManagerLike | undefined);
}

/** Usage and quota, or undefined where the browser does not tell. */
export async function estimateStorage(
  storage: StorageManagerLike | undefined = defaultStorageManager(),
): Promise<StorageUsage | undefined> {
  if (storage?.estimate === undefined) return undefined;
  const { usage, quota } = await storage.estimate();
  if (usage === undefined || quota === undefined) return undefined;
  return { usage, quota };
}

/**
 * Asks the browser not to evict this origin's data under storage pressure (a long search
 * should survive it). Browsers may deny without asking the user.
 */
export async function requestPersistence(
  storage: StorageManagerLike | undefined = defaultStorageManager(),
): Promise<PersistenceResult> {
  if (storage?.persist === undefined) return 'unsupported';
  if (storage.persisted !== undefined && (await storage.persisted())) return 'granted';
  return (await storage.persist()) ? 'granted' : 'denied';
}
