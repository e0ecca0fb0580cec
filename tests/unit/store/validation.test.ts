import { describe, expect, it } from 'vitest';
import { RecordValidationError } from '../../../src/store/index.js';
import { MAX_TIMESTAMP_MS, NET_STRING_MAX_CHARS, SHORT_TEXT_MAX_CHARS } from '../../../src/store/records.js';
import { freshStore, NET_A, replayEntry, storeWithSearch } from './helpers.js';

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

describe('records are bounded: values the app would never write are refused', () => {
  it('refuses a datasetId that is a path, a date of 1e300 and a net string past its limit, writing nothing', async () => {
    const { store } = await freshStore();
    const base = { name: 'n', config: {}, seed: 1, datasetId: 'mnist', presetId: 'tiny' };
    await expect(store.createSearch({ ...base, datasetId: '../../etc' })).rejects.toMatchObject({ store: 'searches', field: 'datasetId' });
    await expect(store.createSearch({ ...base, presetId: 'x'.repeat(129) })).rejects.toMatchObject({ field: 'presetId' });
    expect(await store.listSearches()).toEqual([]);

    await store.createSearch({ ...base, id: 's1' });
    await expect(store.importReplay('s1', [replayEntry(NET_A, { finishedAt: 1e300 })])).rejects.toMatchObject({ store: 'replay', field: 'finishedAt' });
    const long = `[${'FC(8), '.repeat(Math.ceil(NET_STRING_MAX_CHARS / 7))}SM(10)]`;
    await expect(store.importReplay('s1', [replayEntry(long)])).rejects.toMatchObject({ field: 'netString' });
    await expect(store.importReplay('s1', [replayEntry(NET_A, { trainedBy: 'x'.repeat(SHORT_TEXT_MAX_CHARS + 1) })])).rejects.toMatchObject({
      field: 'trainedBy',
    });
    expect(await store.listReplay('s1')).toEqual([]);
  });

  it('accepts what the app writes: UUIDs, import ids, dates up to the limit, nets at the limit', async () => {
    const { store } = await freshStore();
    const ids = [crypto.randomUUID(), 'import-0123456789ab', 'fashion-mnist', 'id-1'];
    for (const id of ids) await store.createSearch({ id, name: 'n', config: {}, seed: 1, datasetId: 'import-0123456789ab', presetId: 'custom' });
    expect((await store.listSearches()).map((s) => s.id).sort()).toEqual([...ids].sort());
    const atLimit = `[${'FC(8), '.repeat(Math.floor((NET_STRING_MAX_CHARS - 8) / 7))}SM(10)]`;
    expect(atLimit.length).toBeLessThanOrEqual(NET_STRING_MAX_CHARS);
    await store.importReplay(ids[0]!, [replayEntry(atLimit, { finishedAt: MAX_TIMESTAMP_MS })]);
    expect(await store.listReplay(ids[0]!)).toHaveLength(1);
    expect(new Date(MAX_TIMESTAMP_MS).getUTCFullYear()).toBe(2286);
  });
});
