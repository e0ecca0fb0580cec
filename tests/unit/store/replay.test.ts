import { describe, expect, it } from 'vitest';
import { DuplicateNetError, NotFoundError, type Store } from '../../../src/store/index.js';
import { NET_A, NET_B, NET_C, replayEntry, storeWithSearch } from './helpers.js';

async function train(store: Store, netString: string, iteration: number): Promise<void> {
  const job = await store.enqueueJob({ searchId: 's1', netString, iterations: [iteration], epsilon: 1 });
  await store.commitResult('s1', job.id, replayEntry(netString, { iterations: [iteration] }));
}

describe('replay memory', () => {
  it('lists entries in the order the agent first sampled them, imported ones without iterations last', async () => {
    const { store } = await storeWithSearch();
    await store.importReplay('s1', [replayEntry('[SM(10)]', { iterations: [], source: 'imported' })]);
    await train(store, NET_C, 3);
    await train(store, NET_A, 1);
    await train(store, NET_B, 2);
    expect((await store.listReplay('s1')).map((e) => e.netString)).toEqual([NET_A, NET_B, NET_C, '[SM(10)]']);
    expect(await store.getReplayEntry('s1', NET_B)).toMatchObject({ iterations: [2], searchId: 's1' });
    expect(await store.getReplayEntry('s1', '[FC(128), SM(10)]')).toBeUndefined();
  });

  it('keeps a net with no test accuracy, latency or timings (an imported row)', async () => {
    const { store } = await storeWithSearch();
    const imported = replayEntry(NET_A, {
      testAccuracy: null,
      latency: null,
      timings: null,
      trainedBy: null,
      backend: null,
      adapter: null,
      source: 'imported',
      status: 'failed-to-learn',
    });
    expect(await store.importReplay('s1', [imported])).toEqual({ added: 1, merged: 0 });
    expect(await store.getReplayEntry('s1', NET_A)).toEqual({ searchId: 's1', ...imported });
  });

  it('merges an import of the same result and refuses a different one, all or nothing', async () => {
    const { store } = await storeWithSearch();
    await store.importReplay('s1', [replayEntry(NET_A, { iterations: [1] })]);
    const outcome = await store.importReplay('s1', [
      replayEntry(NET_A, { iterations: [5] }),
      replayEntry(NET_B, { iterations: [6] }),
    ]);
    expect(outcome).toEqual({ added: 1, merged: 1 });
    expect((await store.getReplayEntry('s1', NET_A))?.iterations).toEqual([1, 5]);

    const conflicting = store.importReplay('s1', [
      replayEntry(NET_C, { iterations: [7] }),
      replayEntry(NET_A, { bestValAccuracy: 0.1 }),
    ]);
    await expect(conflicting).rejects.toThrow(DuplicateNetError);
    await expect(conflicting).rejects.toThrow(/entry 1 of the import/);
    expect(await store.getReplayEntry('s1', NET_C)).toBeUndefined();
  });

  it('refuses an import into a search that does not exist', async () => {
    const { store } = await storeWithSearch();
    await expect(store.importReplay('gone', [replayEntry(NET_A)])).rejects.toThrow(NotFoundError);
  });
});
