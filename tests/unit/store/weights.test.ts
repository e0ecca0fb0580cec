import { afterEach, describe, expect, it } from 'vitest';
import { NotFoundError, QuotaError, WEIGHTS_KEEP_TOP } from '../../../src/store/index.js';
import { NET_A, NET_B, NET_C, storeWithSearch } from './helpers.js';

const specs = [
  { name: 'conv2d_1/kernel', shape: [3, 3, 1, 64], dtype: 'float32' as const },
  { name: 'conv2d_1/bias', shape: [64], dtype: 'float32' as const },
];

function floats(...values: number[]): ArrayBuffer {
  return new Float32Array(values).buffer;
}

describe('weights', () => {
  const restore: (() => void)[] = [];
  afterEach(() => {
    for (const undo of restore.splice(0)) undo();
  });

  it('stores and returns the buffers, specs and total size', async () => {
    const { store } = await storeWithSearch();
    const written = await store.putWeights('s1', NET_A, { buffers: [floats(1, 2, 3), floats(4)], specs });
    expect(written.byteLength).toBe(16);
    const read = await store.getWeights('s1', NET_A);
    expect(read?.specs).toEqual(specs);
    expect(read?.buffers.map((b) => [...new Float32Array(b)])).toEqual([[1, 2, 3], [4]]);
    expect(await store.getWeights('s1', NET_B)).toBeUndefined();
  });

  it('lists nets with weights and prunes all but the ones to keep', async () => {
    const { store } = await storeWithSearch();
    for (const net of [NET_A, NET_B, NET_C]) await store.putWeights('s1', net, { buffers: [floats(1)], specs });
    expect((await store.listWeightNets('s1')).sort()).toEqual([NET_A, NET_B, NET_C].sort());
    const deleted = await store.pruneWeights('s1', [NET_B]);
    expect(deleted.sort()).toEqual([NET_A, NET_C].sort());
    expect(await store.listWeightNets('s1')).toEqual([NET_B]);
    expect(WEIGHTS_KEEP_TOP).toBe(10);
  });

  it('deletes one net’s weights', async () => {
    const { store } = await storeWithSearch();
    await store.putWeights('s1', NET_A, { buffers: [floats(1)], specs });
    expect(await store.deleteWeights('s1', NET_A)).toBe(true);
    expect(await store.getWeights('s1', NET_A)).toBeUndefined();
    expect(await store.deleteWeights('s1', NET_A)).toBe(false);
  });

  it('refuses weights for a search that does not exist', async () => {
    const { store } = await storeWithSearch();
    await expect(store.putWeights('gone', NET_A, { buffers: [floats(1)], specs })).rejects.toThrow(NotFoundError);
  });

  it('turns a QuotaExceededError into a QuotaError and stores nothing', async () => {
    const { store } = await storeWithSearch();
    const proto = IDBObjectStore.prototype;
    const originalPut = proto.put;
    proto.put = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
      if (this.name === 'weights') throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      return originalPut.apply(this, args);
    };
    restore.push(() => (proto.put = originalPut));

    const attempt = store.putWeights('s1', NET_A, { buffers: [floats(1, 2)], specs });
    await expect(attempt).rejects.toThrow(QuotaError);
    await expect(attempt).rejects.toThrow(/8 bytes to store "weights"/);
    expect(await store.listWeightNets('s1')).toEqual([]);
  });

  it('reports a stored record whose size does not match its buffers', async () => {
    const { store } = await storeWithSearch();
    await store.database.put('weights', {
      searchId: 's1',
      netString: NET_A,
      buffers: [floats(1)],
      specs,
      byteLength: 400,
      createdAt: 1,
    });
    await expect(store.getWeights('s1', NET_A)).rejects.toThrow(
      /read from store "weights" at key \["s1","\[C\(64,3,1\), P\(2,2\), SM\(10\)\]"\]: field "byteLength": does not match/,
    );
  });
});
