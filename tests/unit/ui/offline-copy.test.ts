/**
 * Offline copies of shipped datasets (src/ui/offline-copy.ts) against an in-memory Cache
 * API and a fake server: all files or none, sizes checked, a full disk named as such.
 */
import { describe, expect, it } from 'vitest';
import type { ShippedManifest } from '../../../src/data';
import { DATASETS_CACHE, hasOfflineCopy, OFFLINE_COPY_HEADER, OfflineCopyError, saveOfflineCopy } from '../../../src/ui/offline-copy';

const hash = 'a'.repeat(64);
const manifest = {
  format: 'metaqnn-dataset',
  formatVersion: 1,
  id: 'tiny',
  name: 'Tiny',
  source: 'test',
  licence: 'MIT',
  shape: { height: 2, width: 2, channels: 1 },
  classNames: ['a', 'b'],
  counts: { train: 3, test: 2 },
  perClass: { train: [2, 1], test: [1, 1] },
  normalization: { kind: 'scale', divisor: 255 },
  split: { method: 'given', description: 'given' },
  files: {
    trainImages: { path: 'train-images.bin', bytes: 12, sha256: hash },
    trainLabels: { path: 'train-labels.bin', bytes: 3, sha256: hash },
    testImages: { path: 'test-images.bin', bytes: 8, sha256: hash },
    testLabels: { path: 'test-labels.bin', bytes: 2, sha256: hash },
  },
  checksum: hash,
} as ShippedManifest;
const BASE = 'http://app.test/datasets/';
const url = (file: string) => `${BASE}tiny/${file}`;

/** An in-memory CacheStorage; `quotaAfter` bytes stored makes put() fail as a full disk does. */
function memoryCaches(quotaAfter = Infinity) {
  const stores = new Map<string, Map<string, Uint8Array>>();
  let used = 0;
  const caches = {
    async open(name: string) {
      const store = stores.get(name) ?? new Map<string, Uint8Array>();
      stores.set(name, store);
      return {
        async match(key: string) {
          const bytes = store.get(key);
          return bytes ? new Response(bytes.slice()) : undefined;
        },
        async put(key: string, response: Response) {
          const bytes = new Uint8Array(await response.arrayBuffer());
          if (used + bytes.length > quotaAfter) throw new DOMException('Quota exceeded.', 'QuotaExceededError');
          used += bytes.length;
          store.set(key, bytes);
        },
        async delete(key: string) {
          return store.delete(key);
        },
      } as unknown as Cache;
    },
  };
  return { caches, keys: () => [...(stores.get(DATASETS_CACHE)?.keys() ?? [])].sort() };
}

/** Serves each file with the manifest's size (or `sizes` overrides), recording the requests. */
function fakeServer(sizes: Record<string, number> = {}) {
  const requests: { url: string; header: string | null }[] = [];
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const key = String(input);
    requests.push({ url: key, header: new Headers(init?.headers).get(OFFLINE_COPY_HEADER) });
    const entry = Object.values(manifest.files).find((f) => url(f.path) === key);
    if (!entry) return new Response('missing', { status: 404, statusText: 'Not Found' });
    return new Response(new Uint8Array(sizes[entry.path] ?? entry.bytes).fill(7));
  }) as typeof globalThis.fetch;
  return { fetch, requests };
}

describe('offline copies of shipped datasets', () => {
  it('copies every file, marked as the page’s own request, with byte progress; then the copy is complete', async () => {
    const { caches, keys } = memoryCaches();
    const server = fakeServer();
    const deps = { caches, fetch: server.fetch, baseUrl: BASE };
    expect(await hasOfflineCopy(manifest, deps)).toBe(false);
    const progress: number[] = [];
    await saveOfflineCopy(manifest, deps, (p) => {
      expect(p.totalBytes).toBe(25);
      progress.push(p.loadedBytes);
    });
    expect(progress.at(-1)).toBe(25);
    expect(keys()).toEqual([url('test-images.bin'), url('test-labels.bin'), url('train-images.bin'), url('train-labels.bin')]);
    expect(server.requests.every((r) => r.header === '1')).toBe(true);
    expect(await hasOfflineCopy(manifest, deps)).toBe(true);
    // A second copy downloads nothing.
    await saveOfflineCopy(manifest, deps);
    expect(server.requests).toHaveLength(4);
  });

  it('keeps nothing when a file is shorter than the manifest says, and names that file', async () => {
    const { caches, keys } = memoryCaches();
    const deps = { caches, fetch: fakeServer({ 'test-images.bin': 5 }).fetch, baseUrl: BASE };
    const error = await saveOfflineCopy(manifest, deps).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OfflineCopyError);
    expect((error as Error).message).toBe(`Tiny could not be made available offline: ${url('test-images.bin')}: has 5 bytes, but the manifest says 8`);
    expect(keys()).toEqual([]);
    expect(await hasOfflineCopy(manifest, deps)).toBe(false);
  });

  it('names a full disk as such, keeps nothing, and an HTTP error names the file', async () => {
    const { caches, keys } = memoryCaches(20);
    const error = await saveOfflineCopy(manifest, { caches, fetch: fakeServer().fetch, baseUrl: BASE }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/^Tiny could not be made available offline: the browser's storage for this site is full \(.*test-images\.bin: Quota exceeded\.\)/);
    expect(keys()).toEqual([]);

    const missing = { ...manifest, id: 'gone' } as ShippedManifest;
    const notFound = await saveOfflineCopy(missing, { caches, fetch: fakeServer().fetch, baseUrl: BASE }).catch((e: unknown) => e);
    expect((notFound as Error).message).toBe(`Tiny could not be made available offline: ${BASE}gone/train-images.bin: HTTP 404 Not Found`);
  });
});
