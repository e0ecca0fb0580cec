// idb checks `instanceof IDBRequest` (and friends) against globals: install fake-indexeddb's.
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { openStore, type ReplayEntry, type Store, type StoreOptions } from '../../../src/store/index.js';
import { trainedEntry } from '../replay-record';

export const T0 = 1_700_000_000_000;

/** A clock that advances 1 ms per reading, so every timestamp is distinct and predictable. */
export function fakeClock(start = T0): () => number {
  let t = start;
  return () => t++;
}

export function sequentialIds(prefix = 'id'): () => string {
  let n = 0;
  return () => `${prefix}-${++n}`;
}

/** A fresh in-memory IndexedDB and a store opened on it. */
export async function freshStore(options: StoreOptions = {}): Promise<{ store: Store; factory: IDBFactory }> {
  const factory = new IDBFactory();
  const store = await openStore('metaqnn', factory, { now: fakeClock(), newId: sequentialIds(), ...options });
  return { store, factory };
}

/** A second tab: another connection to the same database. */
export async function secondTab(factory: IDBFactory): Promise<Store> {
  return openStore('metaqnn', factory, { now: fakeClock(T0 + 1_000_000) });
}

export const NET_A = '[C(64,3,1), P(2,2), SM(10)]';
export const NET_B = '[C(128,5,1), GAP(10), SM(10)]';
export const NET_C = '[FC(512), SM(10)]';

/** The shared trained entry, with a two-epoch curve and a time on this file's clock. */
export function replayEntry(netString: string, overrides: Partial<ReplayEntry> = {}): ReplayEntry {
  return trainedEntry(netString, {
    valCurve: [
      { accuracy: 0.4, loss: 1.7 },
      { accuracy: 0.61, loss: 1.1 },
    ],
    finishedAt: T0 + 500,
    ...overrides,
  });
}

export async function storeWithSearch(id = 's1'): Promise<{ store: Store; factory: IDBFactory }> {
  const opened = await freshStore();
  await opened.store.createSearch({
    id,
    name: 'MNIST quick',
    config: { epochs: 1 },
    seed: 42,
    datasetId: 'mnist',
    presetId: 'quick',
  });
  return opened;
}

/** Resolves an IDBRequest (raw IndexedDB, for tests that bypass the store). */
export function requestResult<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}
