import { describe, expect, it } from 'vitest';
import { AlreadyExistsError, NotFoundError } from '../../../src/store/index.js';
import { freshStore, NET_A, NET_B, replayEntry, storeWithSearch, T0 } from './helpers.js';
import { MAX_TICK_GAP_MS } from '../../../src/store/index.js';

describe('a search clock (time budgets)', () => {
  it('counts the time it runs, stops while paused, and skips a gap when nobody worked', async () => {
    let now = T0;
    const { store } = await freshStore({ now: () => now });
    await store.createSearch({ id: 's', name: 'n', config: {}, seed: 1, datasetId: 'd', presetId: 'p' });
    now = T0 + 1000;
    await store.updateSearchStatus('s', 'running');
    now += 5000;
    expect((await store.tickSearchClock('s', now)).clock).toEqual({ usedMs: 5000, tickAt: now, addedMs: 0 });
    now += 2000;
    await store.updateSearchStatus('s', 'paused'); // counts the 2 s, then stops
    now += 600_000; // ten minutes paused: not counted
    expect((await store.tickSearchClock('s', now)).clock).toEqual({ usedMs: 7000, tickAt: null, addedMs: 0 });
    await store.updateSearchStatus('s', 'running');
    now += 1000;
    await store.tickSearchClock('s', now);
    now += MAX_TICK_GAP_MS + 1; // every tab closed: the gap is not counted, the clock goes on from here
    expect((await store.tickSearchClock('s', now)).clock).toEqual({ usedMs: 8000, tickAt: now, addedMs: 0 });
    now += 500;
    await store.updateSearchStatus('s', 'final'); // the final phase's time counts too
    now += 500;
    expect((await store.updateSearchStatus('s', 'done')).clock).toEqual({ usedMs: 9000, tickAt: null, addedMs: 0 });
  });
});

describe('searches', () => {
  it('creates a search in status ready and reads it back', async () => {
    const { store } = await freshStore();
    const created = await store.createSearch({
      name: 'Fashion',
      config: { epochs: 20, schedule: [[1, 1500]] },
      seed: 7,
      datasetId: 'fashion-mnist',
      presetId: 'paper',
    });
    expect(created).toMatchObject({ id: 'id-1', status: 'ready', createdAt: T0, updatedAt: T0, seed: 7 });
    expect(await store.getSearch('id-1')).toEqual(created);
    expect(await store.getSearch('nope')).toBeUndefined();
  });

  it('refuses a second search with the same id and leaves the first untouched', async () => {
    const { store } = await storeWithSearch('s1');
    const input = { id: 's1', name: 'other', config: {}, seed: 1, datasetId: 'x', presetId: 'y' };
    await expect(store.createSearch(input)).rejects.toThrow(AlreadyExistsError);
    expect((await store.getSearch('s1'))?.name).toBe('MNIST quick');
  });

  it('rejects a config that is not a JSON object, naming the field', async () => {
    const { store } = await freshStore();
    const input = { id: 's', name: 'n', config: [1, 2] as unknown as Record<string, unknown>, seed: 1, datasetId: 'd', presetId: 'p' };
    await expect(store.createSearch(input)).rejects.toThrow(/store "searches" at key "s": field "config": expected a JSON object/);
    expect(await store.listSearches()).toEqual([]);
  });

  it('lists searches newest first', async () => {
    const { store } = await freshStore();
    for (const name of ['first', 'second', 'third']) {
      await store.createSearch({ name, config: {}, seed: 1, datasetId: 'mnist', presetId: 'quick' });
    }
    expect((await store.listSearches()).map((s) => s.name)).toEqual(['third', 'second', 'first']);
  });

  it('updates the status and keeps an error only while failed', async () => {
    const { store } = await storeWithSearch('s1');
    const failed = await store.updateSearchStatus('s1', 'failed', 'device lost');
    expect(failed).toMatchObject({ status: 'failed', error: 'device lost' });
    expect(failed.updatedAt).toBeGreaterThan(failed.createdAt);
    const running = await store.updateSearchStatus('s1', 'running');
    expect(running.status).toBe('running');
    expect(running).not.toHaveProperty('error');
    expect(await store.getSearch('s1')).toEqual(running);
    await expect(store.updateSearchStatus('missing', 'running')).rejects.toThrow(NotFoundError);
  });

  it('stores the final-phase results', async () => {
    const { store } = await storeWithSearch('s1');
    const final = {
      bestNetString: NET_A,
      bestTestAccuracy: 0.991,
      ensembleNetStrings: [NET_A, NET_B],
      ensembleTestAccuracy: 0.993,
      finishedAt: T0 + 99,
    };
    await store.setSearchFinal('s1', final);
    expect((await store.getSearch('s1'))?.final).toEqual(final);
    await expect(store.setSearchFinal('s1', { ...final, ensembleTestAccuracy: 99.3 })).rejects.toThrow(
      /field "final.ensembleTestAccuracy"/,
    );
  });

  it('deletes a search with its replay, jobs, weights and agent state, and nothing of other searches', async () => {
    const { store } = await storeWithSearch('s1');
    await store.createSearch({ id: 's2', name: 'keep', config: {}, seed: 2, datasetId: 'mnist', presetId: 'quick' });
    for (const searchId of ['s1', 's2']) {
      const job = await store.enqueueJob({ searchId, netString: NET_A, iterations: [1], epsilon: 1 });
      await store.commitResult(searchId, job.id, replayEntry(NET_A), { state: { q: searchId } });
      await store.enqueueJob({ searchId, netString: NET_B, iterations: [2], epsilon: 1 });
      await store.putWeights(searchId, NET_A, { buffers: [new ArrayBuffer(8)], specs: [] });
    }

    expect(await store.deleteSearch('s1')).toBe(true);

    expect(await store.getSearch('s1')).toBeUndefined();
    expect(await store.listReplay('s1')).toEqual([]);
    expect(await store.listJobs('s1')).toEqual([]);
    expect(await store.listWeightNets('s1')).toEqual([]);
    expect(await store.getAgentState('s1')).toBeUndefined();
    expect(await store.listReplay('s2')).toHaveLength(1);
    expect(await store.listJobs('s2')).toHaveLength(2);
    expect(await store.listWeightNets('s2')).toEqual([NET_A]);
    expect((await store.getAgentState('s2'))?.state).toEqual({ q: 's2' });
    expect(await store.deleteSearch('s1')).toBe(false);
  });

  it('does not delete searches whose id starts with the deleted id', async () => {
    const { store } = await storeWithSearch('s');
    await store.createSearch({ id: 's1', name: 'keep', config: {}, seed: 2, datasetId: 'mnist', presetId: 'quick' });
    await store.putWeights('s1', NET_A, { buffers: [new ArrayBuffer(4)], specs: [] });
    await store.deleteSearch('s');
    expect(await store.listWeightNets('s1')).toEqual([NET_A]);
  });
});
