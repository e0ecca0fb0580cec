/**
 * Imported datasets through a real hub process's HTTP endpoint (issue 17): the browser's own
 * upload and download code (src/hub/dataset-transfer.ts) against the hub's (scripts/lib/hub-datasets.ts).
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { concatBytes } from '../../../src/data/bytes';
import { datasetUrl, downloadDataset, uploadDataset } from '../../../src/hub/dataset-transfer';
import { encodeDatasetPackage } from '../../../src/search/dataset-package';
import { hubDatasets } from '../../../scripts/lib/hub-datasets';
import { startHub, type Hub } from '../../../scripts/lib/hub-server';
import { tinyDataset } from '../tiny-dataset';

const TOKEN = 'tok_0123456789abcdefghijkl';
const OTHER = 'tok_zyxwvutsrqponmlkjihgfe';
const dirs: string[] = [];
const closers: (() => Promise<void>)[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'metaqnn-hub-datasets-'));
  dirs.push(dir);
  return dir;
}

async function hub(): Promise<{ hub: Hub; data: string }> {
  const app = tempDir();
  writeFileSync(join(app, 'index.html'), '<!doctype html>');
  const data = tempDir();
  const h = await startHub({ staticDir: app, dataDir: data, port: 0 });
  closers.push(() => h.close());
  return { hub: h, data };
}

/** Only the datasets endpoint, with small limits. */
async function limited(maxTotalBytes: number, maxBytes: number): Promise<string> {
  const datasets = hubDatasets(tempDir(), maxTotalBytes, maxBytes);
  const server: Server = createServer((request, response) => void datasets.handle(request.url!.slice(1), request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  const address = server.address() as { port: number };
  return `http://127.0.0.1:${address.port}/`;
}

afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('the hub keeps an imported dataset for a shared search', () => {
  it('takes the upload, gives it back checked, keeps the first one, and refuses another', async () => {
    const { hub: h, data } = await hub();
    const url = datasetUrl(h.url, TOKEN);
    expect((await fetch(url)).status).toBe(404);
    const dataset = await tinyDataset();
    const shared = await uploadDataset(url, dataset);
    expect(shared).toEqual({ name: 'tiny', bytes: concatBytes(encodeDatasetPackage(dataset)).length, checksum: dataset.meta.checksum });
    expect(readdirSync(join(data, 'datasets'))).toEqual([`${TOKEN}.bin`]);

    const progress: number[] = [];
    const back = await downloadDataset(url, dataset.meta.id, shared, (n) => progress.push(n));
    expect(back.meta).toEqual(dataset.meta);
    expect([...back.train.images]).toEqual([...dataset.train.images]);
    expect(progress.at(-1)).toBe(shared.bytes);
    const response = await fetch(url);
    expect(response.headers.get('content-disposition')).toContain('attachment');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');

    // The same dataset again is fine; another one for this search is refused and the first stays.
    await expect(uploadDataset(url, dataset)).resolves.toEqual(shared);
    const other = await tinyDataset(12, 1);
    await expect(uploadDataset(url, other)).rejects.toThrow('the hub did not keep dataset "tiny" (409: another dataset is already kept for this search)');
    expect((await downloadDataset(url, dataset.meta.id, shared)).meta.checksum).toBe(dataset.meta.checksum);
    // Another search's token has its own.
    await uploadDataset(datasetUrl(h.url, OTHER), other);
    expect(readdirSync(join(data, 'datasets')).sort()).toEqual([`${TOKEN}.bin`, `${OTHER}.bin`].sort());
  });

  it('refuses a damaged upload by its checksum and a file that is not a package, keeping nothing', async () => {
    const { hub: h, data } = await hub();
    const url = datasetUrl(h.url, TOKEN);
    const bytes = concatBytes(encodeDatasetPackage(await tinyDataset()));
    bytes[bytes.length - 5]! ^= 0xff;
    const damaged = await fetch(url, { method: 'PUT', body: bytes });
    expect(damaged.status).toBe(422);
    expect(await damaged.text()).toMatch(/content checksum [0-9a-f]{64} does not match its description's/);
    const html = await fetch(url, { method: 'PUT', body: '<script>alert(1)</script>' });
    expect(html.status).toBe(422);
    expect(await html.text()).toContain('not a MetaQNN dataset package');
    expect(readdirSync(join(data, 'datasets'))).toEqual([]);
    expect((await fetch(url)).status).toBe(404);
    // Only the token's own path: a malformed token is not an endpoint.
    expect((await fetch(datasetUrl(h.url, 'short'), { method: 'PUT', body: bytes })).status).toBe(405);
  });

  it('a download that is not what the shared search states is refused', async () => {
    const { hub: h } = await hub();
    const url = datasetUrl(h.url, TOKEN);
    const dataset = await tinyDataset();
    const shared = await uploadDataset(url, dataset);
    await expect(downloadDataset(url, dataset.meta.id, { ...shared, bytes: shared.bytes + 1 })).rejects.toThrow(`the hub offers ${shared.bytes} bytes, the shared search says ${shared.bytes + 1}`);
    await expect(downloadDataset(url, dataset.meta.id, { ...shared, checksum: 'a'.repeat(64) })).rejects.toThrow(`the shared search names it ${dataset.meta.id}, not the id of an imported dataset with its checksum (import-aaaaaaaaaaaa)`);
    // A shipped dataset's id is never taken by a download: it would replace MNIST in this browser.
    await expect(downloadDataset(url, 'mnist', shared)).rejects.toThrow('the shared search names it mnist, not the id of an imported dataset');
    // The package must be the one the document describes.
    await expect(downloadDataset(url, 'import-aaaaaaaaaaaa', { ...shared, checksum: 'a'.repeat(64) })).rejects.toThrow(`it is dataset ${dataset.meta.id}, the search trains on import-aaaaaaaaaaaa`);
    await expect(downloadDataset(url, dataset.meta.id, { ...shared, bytes: 2 * 1024 ** 3 })).rejects.toThrow(/says it is 2147483648 bytes/);
    await expect(downloadDataset(datasetUrl(h.url, OTHER), dataset.meta.id, shared)).rejects.toThrow('the hub answered 404: no dataset is kept for this search');
  });

  it('an upload over the size limit, or past the hub\'s total, is refused', async () => {
    const dataset = await tinyDataset();
    const size = concatBytes(encodeDatasetPackage(dataset)).length;
    const small = await limited(10 * size, size - 1);
    await expect(uploadDataset(`${small}${TOKEN}`, dataset)).rejects.toThrow(`413: the dataset is ${size} bytes, over the hub's limit of ${size - 1}`);
    const full = await limited(size + 10, 10 * size);
    await uploadDataset(`${full}${TOKEN}`, dataset);
    await expect(uploadDataset(`${full}${OTHER}`, await tinyDataset(12, 1))).rejects.toThrow(/507: the hub keeps at most/);
    await expect(downloadDataset(`${full}${OTHER}`, dataset.meta.id, { name: 'x', bytes: size, checksum: dataset.meta.checksum })).rejects.toThrow(/404/);
  });
});
