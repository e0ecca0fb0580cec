/**
 * The one IndexedDB schema of the app and its migrations. Versions only grow; each
 * `if (oldVersion < N)` block turns a version N-1 database into version N, so a database of
 * any age reaches the current version by running the blocks in order.
 *
 * Version history:
 * 1. searches, agent, replay, jobs, weights, datasets (pixel data inline in `datasets`).
 * 2. replay entries gain `source` ('trained' for every entry written by version 1, which had
 *    no importer); dataset pixel data moves to `datasetData`, so listing datasets no
 *    longer reads every pixel of every dataset.
 */
import type { DBSchema, IDBPDatabase, IDBPTransaction, StoreNames } from 'idb';
import * as v from 'valibot';
import {
  JsonObjectSchema,
  type AgentRecord,
  type DatasetDataRecord,
  type DatasetRecord,
  type JobRecord,
  type JobStatus,
  type ReplayRecord,
  type SearchRecord,
  type WeightsRecord,
} from './records.js';

export const DB_NAME = 'metaqnn';
export const DB_VERSION = 2;

export interface MetaqnnDB extends DBSchema {
  searches: { key: string; value: SearchRecord };
  agent: { key: string; value: AgentRecord };
  /** Key [searchId, netString]: a net is trained once per search. */
  replay: { key: [string, string]; value: ReplayRecord };
  jobs: {
    key: number;
    value: JobRecord;
    indexes: { bySearchStatus: [string, JobStatus]; bySearchNet: [string, string] };
  };
  weights: { key: [string, string]; value: WeightsRecord };
  datasets: { key: string; value: DatasetRecord };
  datasetData: { key: string; value: DatasetDataRecord };
}

export type MetaqnnDatabase = IDBPDatabase<MetaqnnDB>;
export type StoreName = StoreNames<MetaqnnDB>;
export type UpgradeTransaction = IDBPTransaction<MetaqnnDB, StoreName[], 'versionchange'>;

/**
 * Runs every migration from `oldVersion` to `DB_VERSION` inside the versionchange
 * transaction. Schema changes of a block run before its first `await`; data is migrated with
 * requests chained on the same transaction, so it commits (or aborts) with the schema change.
 */
export async function upgradeDatabase(
  db: MetaqnnDatabase,
  oldVersion: number,
  tx: UpgradeTransaction,
): Promise<void> {
  if (oldVersion < 1) {
    db.createObjectStore('searches', { keyPath: 'id' });
    db.createObjectStore('agent', { keyPath: 'searchId' });
    db.createObjectStore('replay', { keyPath: ['searchId', 'netString'] });
    const jobs = db.createObjectStore('jobs', { keyPath: 'id', autoIncrement: true });
    jobs.createIndex('bySearchStatus', ['searchId', 'status']);
    jobs.createIndex('bySearchNet', ['searchId', 'netString']);
    db.createObjectStore('weights', { keyPath: ['searchId', 'netString'] });
    db.createObjectStore('datasets', { keyPath: 'id' });
  }
  if (oldVersion < 2) {
    db.createObjectStore('datasetData', { keyPath: 'datasetId' });
    await migrateReplayToV2(tx);
    await migrateDatasetsToV2(tx);
  }
}

async function migrateReplayToV2(tx: UpgradeTransaction): Promise<void> {
  for (let cursor = await tx.objectStore('replay').openCursor(); cursor; cursor = await cursor.continue()) {
    const old: unknown = cursor.value;
    // Anything that is not an object is left for the read-time check to report.
    if (typeof old === 'object' && old !== null && !('source' in old)) {
      await cursor.update({ ...old, source: 'trained' } as ReplayRecord);
    }
  }
}

/** Version 1 dataset record: pixel data inline. */
const DatasetV1Schema = v.object({
  id: v.string(),
  meta: JsonObjectSchema,
  trainImages: v.instance(ArrayBuffer),
  trainLabels: v.instance(ArrayBuffer),
  testImages: v.instance(ArrayBuffer),
  testLabels: v.instance(ArrayBuffer),
  byteLength: v.number(),
  importedAt: v.number(),
});

async function migrateDatasetsToV2(tx: UpgradeTransaction): Promise<void> {
  const data = tx.objectStore('datasetData');
  for (let cursor = await tx.objectStore('datasets').openCursor(); cursor; cursor = await cursor.continue()) {
    const parsed = v.safeParse(DatasetV1Schema, cursor.value);
    // A malformed version 1 record stays as it is: reading it later fails with an error that
    // names the record, and deleteDataset can still remove it. Aborting here would leave the
    // whole app unable to open its database.
    if (!parsed.success) continue;
    const old = parsed.output;
    await data.put({
      datasetId: old.id,
      trainImages: old.trainImages,
      trainLabels: old.trainLabels,
      testImages: old.testImages,
      testLabels: old.testLabels,
    });
    await cursor.update({
      id: old.id,
      meta: old.meta,
      partBytes: {
        trainImages: old.trainImages.byteLength,
        trainLabels: old.trainLabels.byteLength,
        testImages: old.testImages.byteLength,
        testLabels: old.testLabels.byteLength,
      },
      // Recomputed rather than trusted: version 1 never checked it.
      byteLength:
        old.trainImages.byteLength +
        old.trainLabels.byteLength +
        old.testImages.byteLength +
        old.testLabels.byteLength,
      importedAt: old.importedAt,
    });
  }
}
