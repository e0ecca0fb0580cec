import { describe, expect, it } from 'vitest';
import { IDBFactory } from 'fake-indexeddb';
import { DatabaseOpenError, DB_VERSION, openStore } from '../../../src/store/index.js';
import { NET_A, NET_B, replayEntry, requestResult, T0 } from './helpers.js';

/** Version 1 of the schema, written with raw IndexedDB calls (not the code under test). */
async function createVersion1(factory: IDBFactory, fill: (tx: IDBTransaction) => void): Promise<void> {
  const request = factory.open('metaqnn', 1);
  request.onupgradeneeded = () => {
    const db = request.result;
    db.createObjectStore('searches', { keyPath: 'id' });
    db.createObjectStore('agent', { keyPath: 'searchId' });
    db.createObjectStore('replay', { keyPath: ['searchId', 'netString'] });
    const jobs = db.createObjectStore('jobs', { keyPath: 'id', autoIncrement: true });
    jobs.createIndex('bySearchStatus', ['searchId', 'status']);
    jobs.createIndex('bySearchNet', ['searchId', 'netString']);
    db.createObjectStore('weights', { keyPath: ['searchId', 'netString'] });
    db.createObjectStore('datasets', { keyPath: 'id' });
  };
  const db = await requestResult(request);
  const tx = db.transaction(Array.from(db.objectStoreNames), 'readwrite');
  fill(tx);
  await new Promise<void>((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
  });
  db.close();
}

const search = {
  id: 's1',
  name: 'from v1',
  config: { epochs: 20 },
  seed: 3,
  status: 'paused',
  createdAt: T0,
  updatedAt: T0,
  datasetId: 'cifar',
  presetId: 'paper',
};

function v1ReplayEntry(netString: string, iteration: number): Record<string, unknown> {
  const { source: _source, ...withoutSource } = replayEntry(netString, { iterations: [iteration] });
  return { searchId: 's1', ...withoutSource };
}

const v1Dataset = {
  id: 'cifar',
  meta: { name: 'CIFAR-10' },
  trainImages: new Uint8Array([1, 2, 3, 4, 5, 6]).buffer,
  trainLabels: new Uint8Array([0, 1]).buffer,
  testImages: new Uint8Array([7, 8, 9]).buffer,
  testLabels: new Uint8Array([2]).buffer,
  byteLength: 999, // version 1 did not check it
  importedAt: T0 + 5,
};

describe('migrations', () => {
  it('is at version 2', () => {
    expect(DB_VERSION).toBe(2);
  });

  it('reads a version 1 database back migrated', async () => {
    const factory = new IDBFactory();
    await createVersion1(factory, (tx) => {
      tx.objectStore('searches').put(search);
      tx.objectStore('replay').put(v1ReplayEntry(NET_B, 2));
      tx.objectStore('replay').put(v1ReplayEntry(NET_A, 1));
      tx.objectStore('datasets').put(v1Dataset);
    });

    const store = await openStore('metaqnn', factory);

    expect(store.database.version).toBe(2);
    expect(await store.getSearch('s1')).toEqual(search);
    const replay = await store.listReplay('s1');
    expect(replay.map((e) => [e.netString, e.source])).toEqual([
      [NET_A, 'trained'],
      [NET_B, 'trained'],
    ]);
    expect(await store.listDatasets()).toEqual([
      {
        id: 'cifar',
        meta: { name: 'CIFAR-10' },
        partBytes: { trainImages: 6, trainLabels: 2, testImages: 3, testLabels: 1 },
        byteLength: 12,
        importedAt: T0 + 5,
      },
    ]);
    const dataset = await store.getDataset('cifar');
    expect([...new Uint8Array(dataset!.data.trainImages)]).toEqual([1, 2, 3, 4, 5, 6]);
    expect([...new Uint8Array(dataset!.data.testLabels)]).toEqual([2]);
    // The summary no longer carries the pixels.
    expect(await store.database.get('datasets', 'cifar')).not.toHaveProperty('trainImages');

    // The migrated database works like a new one.
    const job = await store.enqueueJob({ searchId: 's1', netString: '[SM(10)]', iterations: [3], epsilon: 0.9 });
    expect(await store.claimNextJob('s1', 'tab')).toMatchObject({ id: job.id });
    store.close();
  });

  it('leaves a malformed version 1 record in place, reported on read and deletable', async () => {
    const factory = new IDBFactory();
    await createVersion1(factory, (tx) => {
      tx.objectStore('datasets').put({ id: 'broken', meta: { name: 'x' }, trainImages: 'not bytes' });
      tx.objectStore('datasets').put(v1Dataset);
    });
    const store = await openStore('metaqnn', factory);
    await expect(store.listDatasets()).rejects.toMatchObject({ store: 'datasets', key: 'broken', field: 'partBytes' });
    expect(await store.deleteDataset('broken')).toBe(true);
    expect((await store.listDatasets()).map((d) => d.id)).toEqual(['cifar']);
  });

  it('reopening a current database runs no migration and keeps the data', async () => {
    const factory = new IDBFactory();
    const first = await openStore('metaqnn', factory);
    await first.createSearch({ id: 'k', name: 'n', config: {}, seed: 1, datasetId: 'd', presetId: 'p' });
    first.close();
    const second = await openStore('metaqnn', factory);
    expect((await second.getSearch('k'))?.name).toBe('n');
  });

  it('refuses a database written by a newer app with a message saying so', async () => {
    const factory = new IDBFactory();
    const newer = await requestResult(factory.open('metaqnn', DB_VERSION + 1));
    newer.close();
    const opening = openStore('metaqnn', factory);
    await expect(opening).rejects.toThrow(DatabaseOpenError);
    await expect(opening).rejects.toThrow(/newer version of this app/);
  });

  it('closes itself when another tab upgrades, so the upgrade is not blocked', async () => {
    const factory = new IDBFactory();
    let notified = 0;
    await openStore('metaqnn', factory, { onVersionChange: () => notified++ });
    const upgrade = factory.open('metaqnn', DB_VERSION + 1);
    let blocked = false;
    upgrade.onblocked = () => (blocked = true);
    const db = await requestResult(upgrade);
    expect(db.version).toBe(DB_VERSION + 1);
    expect(blocked).toBe(false);
    expect(notified).toBe(1);
    db.close();
  });

  it('reports an open that fails because IndexedDB is missing', async () => {
    const saved = globalThis.indexedDB;
    // @ts-expect-error: simulating a context without IndexedDB
    delete globalThis.indexedDB;
    try {
      await expect(openStore()).rejects.toThrow(/IndexedDB is not available/);
    } finally {
      globalThis.indexedDB = saved;
    }
  });
});
