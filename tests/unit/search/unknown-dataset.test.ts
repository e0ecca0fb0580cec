/**
 * A dataset id that does not exist is named as such, once, with the ids there are; a
 * missing shipped file (404, or a static host's index.html fallback) reads "not found",
 * not a JSON error.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DatasetNotFoundError, loadShippedManifest } from '../../../src/data/load-shipped';
import { loadDataset, UnknownDatasetError, unknownDatasetMessage } from '../../../src/search/catalog';
import type { Store } from '../../../src/store';

const INDEX = {
  format: 'metaqnn-dataset-index',
  formatVersion: 1,
  datasets: ['mnist', 'fashion-mnist'].map((id) => ({
    id,
    name: id,
    manifest: `${id}/manifest.json`,
    shape: { height: 28, width: 28, channels: 1 },
    classCount: 10,
    counts: { train: 1, test: 1 },
    bytes: 1570,
  })),
};
const APP_PAGE = '<!doctype html><html><head><title>MetaQNN</title></head></html>';

/** A static host with a single-page fallback: index.json, and index.html for anything else. */
function spaHost() {
  const requested: string[] = [];
  const fetch = vi.fn(async (input: RequestInfo | URL) => {
    requested.push(String(input));
    if (String(input) === '/datasets/index.json') return Response.json(INDEX);
    return new Response(APP_PAGE, { headers: { 'content-type': 'text/html' } });
  });
  return { fetch, requested };
}

afterEach(() => vi.unstubAllGlobals());

describe('unknown datasets', () => {
  it('says which dataset does not exist and lists the shipped and imported ones', async () => {
    const host = spaHost();
    vi.stubGlobal('fetch', host.fetch);
    const store = {
      getDataset: async () => undefined,
      listDatasets: async () => [{ id: 'my-cifar' }],
    } as unknown as Store;
    const error = await loadDataset('nosuchdataset', store).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownDatasetError);
    expect((error as Error).message).toBe('no dataset named "nosuchdataset" (available: mnist, fashion-mnist, my-cifar)');
    // Only the index was asked: no manifest fetch whose HTML answer would read as bad JSON.
    expect(host.requested).toEqual(['/datasets/index.json']);
  });

  it('has a message for an empty catalog too', () => {
    expect(unknownDatasetMessage('x', [])).toBe('no dataset named "x" (available: none)');
  });

  it.each([
    ['an HTML fallback page', () => new Response(APP_PAGE, { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' } }), 'not found (the server answered with an HTML page, not the JSON file)'],
    ['HTML without a content type', () => new Response(`  ${APP_PAGE}`), 'not found (the server answered with an HTML page, not the JSON file)'],
    ['HTTP 404', () => new Response('gone', { status: 404 }), 'not found (HTTP 404)'],
  ])('reads a missing manifest (%s) as not found', async (_, answer, problem) => {
    const error = await loadShippedManifest('nosuch', { fetch: async () => answer() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatasetNotFoundError);
    expect((error as Error).message).toBe(`/datasets/nosuch/manifest.json: ${problem}`);
  });

  it('still calls broken JSON broken JSON', async () => {
    const error = await loadShippedManifest('mnist', { fetch: async () => new Response('{"format": ') }).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(DatasetNotFoundError);
    expect((error as Error).message).toMatch(/^\/datasets\/mnist\/manifest\.json: is not valid JSON \(/);
  });
});
