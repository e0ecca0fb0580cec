/**
 * Search archive limits (entry count, name length, declared sizes) and whole-archive checks
 * (nets parse and are legal, weights fit their nets, bounded record fields). Each archive
 * is refused with nothing written.
 */
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { strFromU8, strToU8, unzipSync, zipSync, type Zippable } from 'fflate';
import { craftZip } from '../data/crafted-zip';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseNetwork } from '../../../src/core';
import { parseSearchConfig, presetConfig, PRESET_IDS } from '../../../src/search/config';
import {
  createSeededSearch,
  importReplayCsv,
  ARCHIVE_MAX_ENTRIES,
  ARCHIVE_MAX_MANIFEST_BYTES,
  ARCHIVE_MAX_NAME_CHARS,
  ARCHIVE_MAX_UNPACKED_BYTES,
  expectedWeightShapes,
  exportSearchArchive,
  ImportLimitError,
  importSearchArchive,
  SearchArchiveError,
} from '../../../src/search/export';
import { SearchLeader } from '../../../src/search/leader';
import { openStore, type Store } from '../../../src/store';
import { fixtureText, MNIST, SVHN, trainedEntry } from './helpers';

let n = 0;
const newId = () => `s-${++n}`;

/** A tiny search with one trained net whose weights are saved (real shapes). */
async function trainedSearch(store: Store): Promise<string> {
  const config = { ...presetConfig('tiny', 'mnist', 3), schedule: [{ epsilon: 1, nets: 3 }] };
  const search = await store.createSearch({ name: 'run', config, seed: 3, datasetId: 'mnist', presetId: 'tiny' });
  await store.updateSearchStatus(search.id, 'running');
  const leader = await SearchLeader.open(store, search.id, { inputShape: MNIST, classes: 10 });
  await leader.step(1);
  const job = (await store.claimNextJob(search.id, 'tab-a'))!;
  await store.commitResult(search.id, job.id, trainedEntry(job.netString, { iterations: job.iterations, epsilon: job.epsilon }));
  const shapes = expectedWeightShapes(parseNetwork(job.netString), MNIST);
  const floats = shapes.reduce((sum, s) => sum + s.reduce((a, b) => a * b, 1), 0);
  await store.putWeights(search.id, job.netString, {
    buffers: [new ArrayBuffer(floats * 4)],
    specs: shapes.map((shape, i) => ({ name: `w${i}`, shape, dtype: 'float32' as const })),
  });
  await leader.incorporateResults();
  return search.id;
}

function rewrite(bytes: Uint8Array, change: (json: any, files: Zippable) => void): Uint8Array {
  const files: Zippable = unzipSync(bytes);
  const json = JSON.parse(strFromU8(files['search.json'] as Uint8Array));
  change(json, files);
  files['search.json'] = strToU8(JSON.stringify(json));
  return zipSync(files);
}

/** Overwrites the uncompressed size that the zip's central directory declares for `name`. */
function declareSize(zip: Uint8Array, name: string, size: number): Uint8Array {
  const out = zip.slice();
  const view = new DataView(out.buffer);
  for (let o = 0; o + 46 < out.length; o++) {
    if (view.getUint32(o, true) !== 0x02014b50) continue;
    const nameLength = view.getUint16(o + 28, true);
    if (strFromU8(out.subarray(o + 46, o + 46 + nameLength)) === name) {
      view.setUint32(o + 24, size, true);
      return out;
    }
  }
  throw new Error(`${name} is not in the zip`);
}

describe('search archive limits and whole-archive checks', () => {
  let store: Store;
  let id: string;
  let good: Uint8Array;
  beforeAll(async () => {
    store = await openStore('metaqnn', new IDBFactory(), { newId });
    id = await trainedSearch(store);
    good = await exportSearchArchive(store, id);
  });

  async function refused(bytes: Uint8Array): Promise<Error> {
    const error = await importSearchArchive(store, bytes).then(
      () => new Error('expected a refusal'),
      (e: Error) => e,
    );
    expect((await store.listSearches()).map((s) => s.id)).toEqual([id]);
    return error;
  }

  it('the bounded config schema accepts every preset, on shipped and imported datasets', () => {
    for (const preset of PRESET_IDS) {
      for (const dataset of ['mnist', 'fashion-mnist', 'import-0123456789ab']) {
        expect(parseSearchConfig(presetConfig(preset, dataset, 2 ** 32 - 1))).toMatchObject({ presetId: preset, datasetId: dataset });
      }
    }
  });

  it('imports the good archive (the checks accept what the app writes)', async () => {
    const other = await openStore('metaqnn', new IDBFactory(), { newId });
    const { searchId } = await importSearchArchive(other, good);
    expect((await other.readSearchSnapshot(searchId))!.weights).toHaveLength(1);
  });

  it('imports a search seeded from the authors\' replay file (1,843 nets) after an export', async () => {
    const from = await openStore('metaqnn', new IDBFactory(), { newId });
    const imported = importReplayCsv(fixtureText(), { inputShape: SVHN });
    const { search } = await createSeededSearch(from, {
      name: `SVHN · seeded from ${'a'.repeat(200)}.csv`,
      config: { ...presetConfig('paper', 'import-0123456789ab', 1) },
      dataset: { inputShape: SVHN, classes: 10 },
      entries: imported.entries,
      iterations: imported.iterations,
    });
    const to = await openStore('metaqnn', new IDBFactory(), { newId });
    const { searchId } = await importSearchArchive(to, await exportSearchArchive(from, search.id));
    expect((await to.listReplay(searchId)).length).toBe((await from.listReplay(search.id)).length);
  });

  it('refuses more zip entries than the limit before inflating any', async () => {
    const files: Zippable = unzipSync(good);
    for (let i = 0; i < ARCHIVE_MAX_ENTRIES; i++) files[`weights/x${i}.bin`] = new Uint8Array(0);
    const error = await refused(zipSync(files));
    expect(error).toBeInstanceOf(ImportLimitError);
    expect(error).toMatchObject({ what: 'its number of zip entries', limit: ARCHIVE_MAX_ENTRIES, found: ARCHIVE_MAX_ENTRIES + 1 });
  });

  it('refuses an entry name over the limit, without quoting all of it', async () => {
    const name = `weights/${'n'.repeat(60_000)}.bin`;
    const error = await refused(zipSync({ ...unzipSync(good), [name]: new Uint8Array(1) }));
    expect(error).toBeInstanceOf(ImportLimitError);
    expect(error).toMatchObject({ limit: ARCHIVE_MAX_NAME_CHARS, found: name.length });
    expect(error.message.length).toBeLessThan(300);
  });

  it('refuses a declared size past the limit before allocating it (a zip bomb)', async () => {
    const error = await refused(declareSize(good, 'weights/0.bin', ARCHIVE_MAX_UNPACKED_BYTES + 1));
    expect(error).toBeInstanceOf(ImportLimitError);
    expect(error).toMatchObject({ what: "weights/0.bin's unpacked size", limit: ARCHIVE_MAX_UNPACKED_BYTES, found: ARCHIVE_MAX_UNPACKED_BYTES + 1 });
    const manifest = await refused(declareSize(good, 'search.json', ARCHIVE_MAX_MANIFEST_BYTES + 1));
    expect(manifest).toMatchObject({ limit: ARCHIVE_MAX_MANIFEST_BYTES, found: ARCHIVE_MAX_MANIFEST_BYTES + 1 });
  });

  it('refuses declared sizes that add up past the limit', async () => {
    const half = Math.floor(ARCHIVE_MAX_UNPACKED_BYTES / 2) + 1;
    const files: Zippable = { ...unzipSync(good), 'weights/8.bin': new Uint8Array(1), 'weights/9.bin': new Uint8Array(1) };
    const bytes = declareSize(declareSize(zipSync(files), 'weights/8.bin', half), 'weights/9.bin', half);
    const error = await refused(bytes);
    expect(error).toMatchObject({ what: 'the unpacked size of its entries', limit: ARCHIVE_MAX_UNPACKED_BYTES });
  });

  it('refuses a stored entry whose data is larger than its declared size, before copying it', async () => {
    // fflate copies a stored entry's compressed size: 200 records declaring 1 byte each, all
    // pointing at one stored megabyte, once made a 1 MB zip hold 200 MB.
    const records = [{ name: 'search.json', entry: 0 }, ...Array.from({ length: 200 }, (_, i) => ({ name: `weights/${i}.bin`, entry: 1, originalSize: 1 }))];
    const zip = craftZip([{ name: 'search.json', data: unzipSync(good)['search.json']! }, { name: 'weights/0.bin', data: new Uint8Array(1 << 20) }], records);
    const error = await refused(zip);
    expect(error).toBeInstanceOf(SearchArchiveError);
    expect(error.message).toBe(
      "search archive: zip entry weights/0.bin is stored uncompressed as 1,048,576 bytes but declares 1 byte unpacked; a stored entry's two sizes must be equal",
    );
  });

  it('refuses entries that share their data (compressed sizes adding up past the file)', async () => {
    const records = [{ name: 'search.json', entry: 0 }, ...Array.from({ length: 200 }, (_, i) => ({ name: `weights/${i}.bin`, entry: 1 }))];
    const zip = craftZip([{ name: 'search.json', data: unzipSync(good)['search.json']! }, { name: 'weights/0.bin', data: new Uint8Array(1 << 20) }], records);
    const error = await refused(zip);
    expect(error).toBeInstanceOf(SearchArchiveError);
    expect(error.message).toMatch(
      new RegExp(`^search archive: zip entry weights/1\\.bin shares its data with another entry: the entries' compressed sizes add up to [\\d,]+ bytes in a ${zip.length.toLocaleString('en-US')}-byte file$`),
    );
  });

  it('refuses an entry that unpacks to other than its declared size', async () => {
    const bytes = declareSize(good, 'search.json', unzipSync(good)['search.json']!.length + 100);
    const error = await refused(bytes);
    expect(error).toBeInstanceOf(SearchArchiveError);
    expect(error.message).toMatch(/^search archive: search\.json unpacks to \d+ bytes, but the zip declares \d+$/);
  });

  const cases: [string, (json: any, files: Zippable) => void, RegExp][] = [
    [
      'a replay net that does not parse, in an archive without agent state',
      (json) => {
        json.agent = null;
        json.jobs = [];
        json.weights = [];
        json.replay[0].netString = '[C(4,3,1), QQ(9)]';
      },
      /^search archive: search\.json: replay\[0\]\.netString: \[C\(4,3,1\), QQ\(9\)\] does not parse: /,
    ],
    [
      'nets in an archive without agent state',
      (json) => {
        json.agent = null;
        json.jobs = [];
        json.weights = [];
      },
      /^search archive: search\.json: replay\[0\]\.netString: .*: the archive has no agent state, so it can hold no nets$/,
    ],
    [
      'weights whose tensors do not match the net',
      (json) => (json.weights[0].specs[0].shape = [3, 3, 1, json.weights[0].specs[0].shape.at(-1) + 1]),
      /^search archive: search\.json: weights\[0\]\.specs: tensor shapes .* do not match the net's layers, which need /,
    ],
    [
      'weights of a dtype the app never writes',
      (json) => (json.weights[0].specs[0].dtype = 'int32'),
      /^search archive: search\.json: weights\[0\]\.specs: w0 is int32; the app saves float32 weights$/,
    ],
    [
      'final results naming a net outside the replay memory',
      (json) => (json.search.final = { bestNetString: '[SM(10)]', bestTestAccuracy: 0.5, ensembleNetStrings: [], ensembleTestAccuracy: 0.5, finishedAt: 1 }),
      /^search archive: search\.json: search\.final\.bestNetString: \[SM\(10\)\] is not in the archive's replay memory$/,
    ],
    ['a datasetId that is a path', (json) => (json.search.datasetId = '../../etc'), /^search archive: search\.json: search\.datasetId: expected an id /],
    [
      'a config datasetId that is a path',
      (json) => (json.search.config.datasetId = '../../etc'),
      /^search archive: search\.json: search\.config is invalid:\n {2}datasetId: expected a dataset id/,
    ],
    [
      'a search space of 100,000 filters',
      (json) => (json.search.config.space.convFilters = [100000]),
      /^search archive: search\.json: search\.config is invalid:\n {2}space\.convFilters\.0: Invalid value: Expected <=4096 but received 100000/,
    ],
    ['a date of 1e300', (json) => (json.replay[0].finishedAt = 1e300), /^search archive: search\.json: replay\[0\]\.finishedAt: Invalid value: Expected <=10000000000000 /],
    ['a search created at 1e300', (json) => (json.search.createdAt = 1e300), /^search archive: search\.json: search\.createdAt: Invalid value/],
    [
      'a 1 MB status text, quoted only in part',
      (json) => (json.search.status = 'x'.repeat(1_000_000)),
      /^search archive: search\.json: search\.status: Invalid type: .*… \(\d[\d,]* more characters\)$/s,
    ],
    [
      'a net string over its length limit',
      (json) => (json.replay[0].netString = `[${'FC(8), '.repeat(400)}SM(10)]`),
      /^search archive: search\.json: replay\[0\]\.netString: Invalid length: Expected <=2048 but received 2808$/,
    ],
  ];
  for (const [name, change, message] of cases) {
    it(`refuses ${name}`, async () => {
      const error = await refused(rewrite(good, change));
      expect(error).toBeInstanceOf(SearchArchiveError);
      expect(error.message).toMatch(message);
      expect(error.message.length).toBeLessThan(2200);
    });
  }
});
