import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng, parseNetwork } from '../../../src/core';
import { presetConfig } from '../../../src/search/config';
import { exportSearchArchive, importSearchArchive, SearchArchiveError } from '../../../src/search/export';
import { expectedWeightShapes } from '../../../src/search/export/archive-checks';
import { SearchLeader } from '../../../src/search/leader';
import { openStore, type Store } from '../../../src/store';
import { MNIST, trainedEntry } from './helpers';

const shape = { inputShape: MNIST, classes: 10 };

function ids(prefix: string): () => string {
  let n = 0;
  return () => `${prefix}-${++n}`;
}

function randomBuffer(bytes: number, seed: number): ArrayBuffer {
  const rng = createRng(seed);
  return Uint8Array.from({ length: bytes }, () => rng.int(256)).buffer;
}

/**
 * A search in the middle of its run: one result incorporated, one job claimed by a tab,
 * others queued, weights stored for the trained net.
 */
async function searchInProgress(store: Store): Promise<string> {
  const config = { ...presetConfig('tiny', 'mnist', 9), schedule: [{ epsilon: 1, nets: 6 }, { epsilon: 0.5, nets: 3 }] };
  const search = await store.createSearch({ name: 'tiny run', config, seed: 9, datasetId: 'mnist', presetId: 'tiny' });
  await store.updateSearchStatus(search.id, 'running');
  const leader = await SearchLeader.open(store, search.id, shape);
  await leader.step(3);
  const first = (await store.claimNextJob(search.id, 'tab-a'))!;
  await store.commitResult(
    search.id,
    first.id,
    trainedEntry(first.netString, { iterations: first.iterations, epsilon: first.epsilon, trainedBy: 'tab-a' }),
  );
  // Weights with the tensors the net's layers have (an import checks them), split in two buffers.
  const shapes = expectedWeightShapes(parseNetwork(first.netString), MNIST);
  const floats = shapes.reduce((sum, s) => sum + s.reduce((a, b) => a * b, 1), 0);
  await store.putWeights(search.id, first.netString, {
    buffers: [randomBuffer(40, 1), randomBuffer(floats * 4 - 40, 2)],
    specs: shapes.map((shape, i) => ({ name: `l${i}/w`, shape, dtype: 'float32' as const })),
  });
  await store.claimNextJob(search.id, 'tab-b');
  await leader.incorporateResults();
  await leader.step(3);
  return search.id;
}

function rewrite(bytes: Uint8Array, change: (files: Record<string, Uint8Array>, json: any) => void): Uint8Array {
  const files = unzipSync(bytes);
  const json = JSON.parse(strFromU8(files['search.json']!));
  change(files, json);
  if (files['search.json'] !== undefined) files['search.json'] = strToU8(JSON.stringify(json));
  return zipSync(files);
}

describe('search archive', () => {
  it('round-trips a whole search into another browser under a new id', async () => {
    const source = await openStore('metaqnn', new IDBFactory(), { newId: ids('here') });
    const id = await searchInProgress(source);
    const bytes = await exportSearchArchive(source, id);

    const target = await openStore('metaqnn', new IDBFactory(), { newId: ids('there') });
    const { searchId } = await importSearchArchive(target, bytes);
    expect(searchId).toBe('there-1');

    const [before, after] = [(await source.readSearchSnapshot(id))!, (await target.readSearchSnapshot(searchId))!];
    const { id: _a, updatedAt: _b, status, ...searchBefore } = before.search;
    expect(status).toBe('running');
    expect(after.search).toMatchObject({ ...searchBefore, id: searchId, status: 'paused' });
    const strip = <T extends { searchId: string }>({ searchId: _, ...rest }: T) => rest;
    expect(after.replay.map(strip)).toEqual(before.replay.map(strip));
    expect(after.agent?.state).toEqual(before.agent?.state);
    expect(after.agent?.revision).toBe(1);

    expect(after.weights).toHaveLength(1);
    const [w0, w1] = [before.weights[0]!, after.weights[0]!];
    expect(w1.netString).toBe(w0.netString);
    expect(w1.specs).toEqual(w0.specs);
    expect(w1.buffers.map((b) => [...new Uint8Array(b)])).toEqual(w0.buffers.map((b) => [...new Uint8Array(b)]));

    // Every net the agent has in flight keeps its job; the claimed one is queued again.
    const inFlight = new Set((before.agent!.state as { inFlight: { net: string }[] }).inFlight.map((j) => j.net));
    expect(inFlight.size).toBeGreaterThan(1);
    expect(new Set(after.jobs.map((j) => j.netString))).toEqual(inFlight);
    const claimedBefore = before.jobs.find((j) => j.status === 'claimed')!;
    expect(after.jobs.find((j) => j.netString === claimedBefore.netString)).toMatchObject({
      status: 'queued',
      claimedBy: null,
      iterations: claimedBefore.iterations,
      attempts: 1,
    });

    // The imported search runs on: a leader opens it where the original was.
    await target.updateSearchStatus(searchId, 'running');
    const leader = await SearchLeader.open(target, searchId, shape);
    const original = await SearchLeader.open(source, id, shape);
    expect(leader.progress).toEqual(original.progress);
    const job = (await target.claimNextJob(searchId, 'tab-c'))!;
    await target.commitResult(searchId, job.id, trainedEntry(job.netString, { iterations: job.iterations, epsilon: job.epsilon }));
    expect(await leader.incorporateResults()).toBe(1);
  });

  it('never overwrites: importing twice gives two new searches, the original untouched', async () => {
    const store = await openStore('metaqnn', new IDBFactory(), { newId: ids('s') });
    const id = await searchInProgress(store);
    const before = await store.readSearchSnapshot(id);
    const bytes = await exportSearchArchive(store, id);
    const a = await importSearchArchive(store, bytes);
    const b = await importSearchArchive(store, bytes);
    expect(new Set([id, a.searchId, b.searchId]).size).toBe(3);
    expect(await store.readSearchSnapshot(id)).toEqual(before);
    expect(await store.listSearches()).toHaveLength(3);
  });

  it('exports a search that never started (no agent state, no jobs)', async () => {
    const store = await openStore('metaqnn', new IDBFactory(), { newId: ids('s') });
    const search = await store.createSearch({ name: 'fresh', config: presetConfig('quick', 'mnist', 1), seed: 1, datasetId: 'mnist', presetId: 'quick' });
    const { searchId } = await importSearchArchive(store, await exportSearchArchive(store, search.id));
    const copy = (await store.readSearchSnapshot(searchId))!;
    expect(copy).toMatchObject({ agent: undefined, replay: [], jobs: [], weights: [] });
    expect(copy.search).toMatchObject({ name: 'fresh', status: 'ready', createdAt: search.createdAt });
    await expect(exportSearchArchive(store, 'nope')).rejects.toThrow('cannot export search "nope": there is no such search');
  });

  describe('rejects a malformed archive with a clear error and writes nothing', () => {
    let store: Store;
    let id: string;
    let good: Uint8Array;
    beforeAll(async () => {
      store = await openStore('metaqnn', new IDBFactory(), { newId: ids('s') });
      id = await searchInProgress(store);
      good = await exportSearchArchive(store, id);
    });

    const cases: [string, () => Uint8Array, string | RegExp][] = [
      ['a truncated zip', () => good.slice(0, good.length - 40), /^search archive: not a readable zip file \(.+\); it may be truncated/],
      ['not a zip at all', () => strToU8('net,accuracy_best_val\n'), /^search archive: not a readable zip file/],
      ['no search.json', () => zipSync({ 'notes.txt': strToU8('hi') }), 'search archive: search.json is missing (the zip holds notes.txt)'],
      ['search.json not JSON', () => zipSync({ 'search.json': strToU8('{"format":') }), /^search archive: search.json is not JSON: /],
      ['another format', () => rewrite(good, (_, json) => (json.format = 'something-else')), /^search archive: search.json: format: Invalid type: Expected "metaqnn-search-archive"/],
      ['a newer version', () => rewrite(good, (_, json) => (json.version = 2)), 'search archive: search.json: version 2 is not supported; this app reads version 1'],
      [
        'a corrupt agent state',
        () => rewrite(good, (_, json) => (json.agent.state.strategy.qTable.values['start|d0|b8'] = { 'C(4,3,1)': 'high' })),
        /^search archive: search\.json: agent\.state\.strategy\.qTable\.values\["start\|d0\|b8"\]\["C\(4,3,1\)"\]: expected a finite number/,
      ],
      ['an agent without its rng', () => rewrite(good, (_, json) => delete json.agent.state.rng), /^search archive: search\.json: agent\.state\.rng: /],
      [
        'a percentage in the replay',
        () => rewrite(good, (_, json) => (json.replay[0].bestValAccuracy = 61)),
        'search archive: search.json: replay[0].bestValAccuracy: Invalid value: Expected <=1 but received 61',
      ],
      [
        'a net twice in the replay',
        () => rewrite(good, (_, json) => json.replay.push(json.replay[0])),
        /^search archive: search\.json: replay\[1\]\.netString: \[.*\] appears twice$/,
      ],
      ['a bad config', () => rewrite(good, (_, json) => (json.search.config.training.epochs = 0)), /^search archive: search\.json: search\.config is invalid:\n {2}training\.epochs: /],
      ['jobs missing', () => rewrite(good, (_, json) => (json.jobs = [])), /^search archive: search\.json: jobs: the agent has \[.*\] in flight but the archive has no job for it$/],
      [
        'a weights file missing',
        () => rewrite(good, (files) => delete files['weights/0.bin']),
        'search archive: search.json: weights[0].file: weights/0.bin is missing from the zip',
      ],
      [
        'weights of the wrong size',
        () => rewrite(good, (_, json) => (json.weights[0].bufferByteLengths = [40, 20])),
        /^search archive: search\.json: weights\[0\]\.bufferByteLengths: add up to 60 bytes but weights\/0\.bin holds \d+$/,
      ],
    ];
    for (const [name, make, message] of cases) {
      it(name, async () => {
        const error = await importSearchArchive(store, make()).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(SearchArchiveError);
        if (typeof message === 'string') expect((error as Error).message).toBe(message);
        else expect((error as Error).message).toMatch(message);
        expect((await store.listSearches()).map((s) => s.id)).toEqual([id]);
      });
    }
  });
});
