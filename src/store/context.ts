import type { MetaqnnDatabase } from './schema.js';

/** What every repository function needs: the open database and the injected clock and ids. */
export interface StoreContext {
  readonly db: MetaqnnDatabase;
  /** Milliseconds since the epoch; injected so tests control timestamps. */
  readonly now: () => number;
  /** Fresh unique id for a search created without one. */
  readonly newId: () => string;
}

/** Every key [searchId, *] of a store keyed [searchId, netString]: arrays sort after strings, so [id, []] is above every [id, net]. */
export function searchKeyRange(searchId: string): IDBKeyRange {
  return IDBKeyRange.bound([searchId], [searchId, []]);
}
