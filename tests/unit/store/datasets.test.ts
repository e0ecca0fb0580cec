import { afterEach, describe, expect, it } from 'vitest';
import { QuotaError, RecordValidationError, type DatasetInput } from '../../../src/store/index.js';
import { freshStore, T0 } from './helpers.js';

function dataset(id: string, trainCount = 4): DatasetInput {
  return {
    id,
    meta: { name: `Dataset ${id}`, classes: 10, shape: [2, 2, 1] },
    trainImages: new Uint8Array(trainCount * 4).fill(7).buffer,
    trainLabels: new Uint8Array(trainCount).fill(3).buffer,
    testImages: new Uint8Array(8).buffer,
    testLabels: new Uint8Array(2).buffer,
  };
}

describe('datasets', () => {
  const restore: (() => void)[] = [];
  afterEach(() => {
    for (const undo of restore.splice(0)) undo();
  });

  it('stores a dataset and returns its pixels and labels', async () => {
    const { store } = await freshStore();
    const summary = await store.putDataset(dataset('cifar'));
    expect(summary).toEqual({
      id: 'cifar',
      meta: { name: 'Dataset cifar', classes: 10, shape: [2, 2, 1] },
      partBytes: { trainImages: 16, trainLabels: 4, testImages: 8, testLabels: 2 },
      byteLength: 30,
      importedAt: T0,
    });
    const stored = await store.getDataset('cifar');
    expect(stored?.meta).toEqual(summary.meta);
    expect([...new Uint8Array(stored?.data.trainImages ?? new ArrayBuffer(0))]).toEqual(Array(16).fill(7));
    expect([...new Uint8Array(stored?.data.trainLabels ?? new ArrayBuffer(0))]).toEqual([3, 3, 3, 3]);
    expect(await store.getDataset('svhn')).toBeUndefined();
  });

  it('lists summaries without reading pixel data', async () => {
    const { store } = await freshStore();
    await store.putDataset(dataset('a'));
    await store.putDataset(dataset('b'));
    // Wreck the pixel data: a list that read it would fail.
    await store.database.put('datasetData', { datasetId: 'a', junk: true } as never);
    expect((await store.listDatasets()).map((d) => d.id)).toEqual(['a', 'b']);
    await expect(store.getDataset('a')).rejects.toThrow(/store "datasetData" at key "a": field "trainImages"/);
  });

  it('replaces a dataset with the same id', async () => {
    const { store } = await freshStore();
    await store.putDataset(dataset('a', 4));
    await store.putDataset(dataset('a', 1));
    const stored = await store.getDataset('a');
    expect(stored?.data.trainLabels.byteLength).toBe(1);
    expect(await store.listDatasets()).toHaveLength(1);
  });

  it('writes all or nothing: a quota error on the summary leaves no pixel data behind', async () => {
    const { store } = await freshStore();
    const proto = IDBObjectStore.prototype;
    const originalPut = proto.put;
    // The pixel data is written first; fail on the summary that follows it.
    proto.put = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
      if (this.name === 'datasets') throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      return originalPut.apply(this, args);
    };
    restore.push(() => (proto.put = originalPut));
    await expect(store.putDataset(dataset('big'))).rejects.toThrow(QuotaError);
    restore.splice(0).forEach((undo) => undo());
    expect(await store.database.count('datasetData')).toBe(0);
    expect(await store.listDatasets()).toEqual([]);
  });

  it('deletes summary and data together', async () => {
    const { store } = await freshStore();
    await store.putDataset(dataset('a'));
    expect(await store.deleteDataset('a')).toBe(true);
    expect(await store.getDataset('a')).toBeUndefined();
    expect(await store.database.count('datasetData')).toBe(0);
    expect(await store.deleteDataset('a')).toBe(false);
  });

  it('reports pixel data that disagrees with the summary', async () => {
    const { store } = await freshStore();
    await store.putDataset(dataset('a', 4));
    const data = await store.database.get('datasetData', 'a');
    await store.database.put('datasetData', { ...data!, trainLabels: new ArrayBuffer(3) });
    const read = store.getDataset('a');
    await expect(read).rejects.toThrow(RecordValidationError);
    await expect(read).rejects.toThrow(/field "trainLabels": holds 3 bytes, the summary says 4/);
  });

  it('refuses a part that is not an ArrayBuffer', async () => {
    const { store } = await freshStore();
    const bad = { ...dataset('a'), testLabels: new Uint8Array(2) as unknown as ArrayBuffer };
    await expect(store.putDataset(bad)).rejects.toThrow(/to write to store "datasetData" at key "a": field "testLabels"/);
  });
});
