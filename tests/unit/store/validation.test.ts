import { describe, expect, it } from 'vitest';
import { RecordValidationError } from '../../../src/store/index.js';
import { NET_A, replayEntry, storeWithSearch } from './helpers.js';

describe('records read back are validated', () => {
  it('names the store, key and field of a malformed replay entry', async () => {
    const { store } = await storeWithSearch();
    await store.database.put('replay', {
      searchId: 's1',
      ...replayEntry(NET_A),
      latency: { batch1Ms: 'fast', batchNPerImageMs: 1, batchSize: 8 },
    } as never);
    const read = store.listReplay('s1');
    await expect(read).rejects.toThrow(RecordValidationError);
    await expect(read).rejects.toMatchObject({
      store: 'replay',
      key: ['s1', NET_A],
      field: 'latency.batch1Ms',
      direction: 'read',
    });
    await expect(store.getReplayEntry('s1', NET_A)).rejects.toThrow(
      /Malformed record read from store "replay" at key \["s1","\[C\(64,3,1\), P\(2,2\), SM\(10\)\]"\]: field "latency.batch1Ms": Invalid type: Expected number but received "fast"/,
    );
  });

  it('reports a missing field and a wrong enum value', async () => {
    const { store } = await storeWithSearch();
    const search = await store.database.get('searches', 's1');
    await store.database.put('searches', { ...search!, status: 'sleeping' } as never);
    await expect(store.getSearch('s1')).rejects.toMatchObject({ store: 'searches', key: 's1', field: 'status' });

    const { seed: _seed, ...noSeed } = search!;
    await store.database.put('searches', noSeed as never);
    await expect(store.listSearches()).rejects.toMatchObject({ field: 'seed' });
  });

  it('reports a malformed job when claiming, and leaves it queued', async () => {
    const { store } = await storeWithSearch();
    const job = await store.enqueueJob({ searchId: 's1', netString: NET_A, iterations: [1], epsilon: 1 });
    await store.database.put('jobs', { ...job, attempts: -1 });
    await expect(store.claimNextJob('s1', 'tab')).rejects.toMatchObject({ store: 'jobs', key: job.id, field: 'attempts' });
    expect((await store.database.get('jobs', job.id))?.status).toBe('queued');
  });

  it('reports agent state that is not a JSON object', async () => {
    const { store } = await storeWithSearch();
    await store.database.put('agent', { searchId: 's1', revision: 1, state: [1], updatedAt: 0 } as never);
    await expect(store.getAgentState('s1')).rejects.toMatchObject({ store: 'agent', key: 's1', field: 'state' });
  });
});
