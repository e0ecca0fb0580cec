import type { StoreContext } from './context.js';
import { isQuotaExceeded, QuotaError, RecordValidationError } from './errors.js';
import {
  DATASET_PARTS,
  DatasetDataRecordSchema,
  DatasetRecordSchema,
  type DatasetDataRecord,
  type DatasetRecord,
} from './records.js';
import { inTransaction } from './transaction.js';
import { checkRecord } from './validate.js';

export interface DatasetInput {
  readonly id: string;
  /** Owned by src/data: name, classes, image shape, counts... */
  readonly meta: object;
  readonly trainImages: ArrayBuffer;
  readonly trainLabels: ArrayBuffer;
  readonly testImages: ArrayBuffer;
  readonly testLabels: ArrayBuffer;
}

/** A dataset's summary with its pixel data. */
export interface StoredDataset extends DatasetRecord {
  readonly data: Omit<DatasetDataRecord, 'datasetId'>;
}

function readSummary(value: unknown, id: unknown): DatasetRecord {
  return checkRecord(DatasetRecordSchema, value, { store: 'datasets', key: id, direction: 'read' });
}

/**
 * Stores an imported dataset, whole or not at all (summary and pixel data in one
 * transaction). Replaces a dataset with the same id. Lack of space gives a `QuotaError`.
 */
export async function putDataset(ctx: StoreContext, input: DatasetInput): Promise<DatasetRecord> {
  const data = checkRecord(
    DatasetDataRecordSchema,
    {
      datasetId: input.id,
      trainImages: input.trainImages,
      trainLabels: input.trainLabels,
      testImages: input.testImages,
      testLabels: input.testLabels,
    },
    { store: 'datasetData', key: input.id, direction: 'write' },
  );
  const partBytes = {
    trainImages: data.trainImages.byteLength,
    trainLabels: data.trainLabels.byteLength,
    testImages: data.testImages.byteLength,
    testLabels: data.testLabels.byteLength,
  };
  const byteLength = DATASET_PARTS.reduce((total, part) => total + partBytes[part], 0);
  const summary = checkRecord(
    DatasetRecordSchema,
    { id: input.id, meta: input.meta, partBytes, byteLength, importedAt: ctx.now() },
    { store: 'datasets', key: input.id, direction: 'write' },
  );
  try {
    const tx = ctx.db.transaction(['datasets', 'datasetData'], 'readwrite');
    await inTransaction(tx, async () => {
      await tx.objectStore('datasetData').put(data);
      await tx.objectStore('datasets').put(summary);
    });
  } catch (error) {
    if (isQuotaExceeded(error)) throw new QuotaError('datasets', input.id, byteLength, { cause: error });
    throw error;
  }
  return summary;
}

/** Every stored dataset's summary, oldest import first; no pixel data is read. */
export async function listDatasets(ctx: StoreContext): Promise<DatasetRecord[]> {
  const tx = ctx.db.transaction('datasets', 'readonly');
  const summaries: DatasetRecord[] = [];
  for await (const cursor of tx.store) summaries.push(readSummary(cursor.value, cursor.primaryKey));
  await tx.done;
  return summaries.sort((a, b) => a.importedAt - b.importedAt || a.id.localeCompare(b.id));
}

export async function getDataset(ctx: StoreContext, id: string): Promise<StoredDataset | undefined> {
  const tx = ctx.db.transaction(['datasets', 'datasetData'], 'readonly');
  const [summaryValue, dataValue] = await Promise.all([
    tx.objectStore('datasets').get(id),
    tx.objectStore('datasetData').get(id),
  ]);
  await tx.done;
  if (summaryValue === undefined) return undefined;
  const summary = readSummary(summaryValue, id);
  if (dataValue === undefined) {
    throw new RecordValidationError('datasetData', id, '', 'missing: the dataset has a summary but no pixel data', 'read');
  }
  const { datasetId: _datasetId, ...data } = checkRecord(DatasetDataRecordSchema, dataValue, {
    store: 'datasetData',
    key: id,
    direction: 'read',
  });
  for (const part of DATASET_PARTS) {
    if (data[part].byteLength !== summary.partBytes[part]) {
      throw new RecordValidationError(
        'datasetData',
        id,
        part,
        `holds ${data[part].byteLength} bytes, the summary says ${summary.partBytes[part]}`,
        'read',
      );
    }
  }
  return { ...summary, data };
}

/** Deletes a dataset's summary and pixel data; returns whether it existed. */
export async function deleteDataset(ctx: StoreContext, id: string): Promise<boolean> {
  const tx = ctx.db.transaction(['datasets', 'datasetData'], 'readwrite');
  return inTransaction(tx, async () => {
    const [summaryKey, dataKey] = await Promise.all([
      tx.objectStore('datasets').getKey(id),
      tx.objectStore('datasetData').getKey(id),
    ]);
    await Promise.all([tx.objectStore('datasets').delete(id), tx.objectStore('datasetData').delete(id)]);
    return summaryKey !== undefined || dataKey !== undefined;
  });
}
