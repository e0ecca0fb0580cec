/**
 * Loads a dataset that ships with the app (public/datasets/<id>/, built by
 * scripts/build-datasets.ts): manifest, then the four binaries with byte progress, each
 * checked against the manifest's size and SHA-256. Plain fetch: offline copies come from
 * the service worker's runtime cache for /datasets/.
 */
import { sha256Hex } from './bytes';
import { checksumFromPartHashes } from './dataset-meta';
import { DatasetLoadError } from './errors';
import { countPerClass } from './image-set';
import {
  DATASET_ID_PATTERN,
  manifestInconsistency,
  parseWith,
  ShippedIndexSchema,
  ShippedManifestSchema,
  type ShippedFileKey,
  type ShippedIndex,
  type ShippedManifest,
} from './shipped-manifest';
import { SCALE_255, type ImageDataset } from './types';

export interface LoadProgress {
  /** URL of the file being downloaded. */
  file: string;
  loadedBytes: number;
  totalBytes: number;
}

export interface LoadShippedOptions {
  onProgress?: ((progress: LoadProgress) => void) | undefined;
  signal?: AbortSignal | undefined;
  /**
   * URL of the datasets folder, ending in '/'. Default '/datasets/'; an app deployed under
   * a sub-path passes `import.meta.env.BASE_URL + 'datasets/'`.
   */
  baseUrl?: string | undefined;
  /** For tests; default the global fetch. */
  fetch?: typeof fetch | undefined;
}

/** A shipped file that is not there (HTTP 404, or a single-page host's HTML fallback). */
export class DatasetNotFoundError extends DatasetLoadError {
  constructor(file: string, why: string) {
    super(file, `not found (${why})`);
  }
}

const FILE_ORDER: readonly ShippedFileKey[] = ['trainImages', 'trainLabels', 'testImages', 'testLabels'];

function baseUrlOf(options: LoadShippedOptions): string {
  const base = options.baseUrl ?? '/datasets/';
  return base.endsWith('/') ? base : `${base}/`;
}

async function get(url: string, options: LoadShippedOptions): Promise<Response> {
  const fetchImpl = options.fetch ?? fetch;
  let response: Response;
  try {
    response = await fetchImpl(url, options.signal ? { signal: options.signal } : {});
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    throw new DatasetLoadError(url, `could not be fetched (${error instanceof Error ? error.message : String(error)})`);
  }
  if (response.status === 404 || response.status === 410) throw new DatasetNotFoundError(url, `HTTP ${response.status}`);
  if (!response.ok) throw new DatasetLoadError(url, `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`);
  return response;
}

async function getJson(url: string, options: LoadShippedOptions): Promise<unknown> {
  const response = await get(url, options);
  const text = await response.text();
  // A static host with a single-page fallback answers a missing file with index.html.
  if ((response.headers.get('content-type') ?? '').includes('text/html') || /^\s*</.test(text)) {
    throw new DatasetNotFoundError(url, 'the server answered with an HTML page, not the JSON file');
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new DatasetLoadError(url, `is not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
}

/** The shipped datasets, from index.json. */
export async function listShippedDatasets(options: LoadShippedOptions = {}): Promise<ShippedIndex> {
  const url = `${baseUrlOf(options)}index.json`;
  const parsed = parseWith(ShippedIndexSchema, await getJson(url, options));
  if (!parsed.ok) throw new DatasetLoadError(url, `is not a dataset index: ${parsed.reason}`);
  return parsed.value;
}

/** Fetches and checks one dataset's manifest. */
export async function loadShippedManifest(id: string, options: LoadShippedOptions = {}): Promise<ShippedManifest> {
  if (!DATASET_ID_PATTERN.test(id)) throw new TypeError(`dataset id "${id}" must be lower-case letters, digits and dashes`);
  const url = `${baseUrlOf(options)}${id}/manifest.json`;
  const parsed = parseWith(ShippedManifestSchema, await getJson(url, options));
  if (!parsed.ok) throw new DatasetLoadError(url, `is not a dataset manifest: ${parsed.reason}`);
  const manifest = parsed.value;
  if (manifest.id !== id) throw new DatasetLoadError(url, `describes dataset "${manifest.id}", not "${id}"`);
  const inconsistency = manifestInconsistency(manifest);
  if (inconsistency !== undefined) throw new DatasetLoadError(url, `is inconsistent: ${inconsistency}`);
  return manifest;
}

/** The binary files a shipped dataset needs, in load order: what an offline copy must hold. */
export function shippedDatasetFiles(manifest: ShippedManifest, options: Pick<LoadShippedOptions, 'baseUrl'> = {}): { url: string; bytes: number }[] {
  const folder = `${baseUrlOf(options)}${manifest.id}/`;
  return FILE_ORDER.map((key) => ({ url: folder + manifest.files[key].path, bytes: manifest.files[key].bytes }));
}

/** Reads a body into a buffer of exactly `expected` bytes, reporting progress per chunk. */
async function readExactly(
  url: string,
  response: Response,
  expected: number,
  signal: AbortSignal | undefined,
  onChunk: (bytes: number) => void,
): Promise<Uint8Array<ArrayBuffer>> {
  const out = new Uint8Array(expected);
  let received = 0;
  const tooLong = () => new DatasetLoadError(url, `is longer than the ${expected} bytes the manifest says`);
  if (response.body === null) {
    const whole = new Uint8Array(await response.arrayBuffer());
    if (whole.length > expected) throw tooLong();
    out.set(whole);
    received = whole.length;
    onChunk(whole.length);
  } else {
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      // fetch stops on abort by itself; this also covers bodies that ignore the signal.
      if (signal?.aborted) {
        await reader.cancel();
        signal.throwIfAborted();
      }
      if (received + value.length > expected) {
        await reader.cancel();
        throw tooLong();
      }
      out.set(value, received);
      received += value.length;
      onChunk(value.length);
    }
  }
  if (received !== expected) throw new DatasetLoadError(url, `has ${received} bytes, but the manifest says ${expected}: the download was cut short or the file is from another build`);
  return out;
}

/**
 * Downloads a shipped dataset and verifies it: sizes, SHA-256 of every file, labels in
 * range, per-class counts and the dataset checksum. Throws DatasetLoadError naming the
 * file on any mismatch; an abort rejects with `signal.reason`.
 */
export async function loadShippedDataset(id: string, options: LoadShippedOptions = {}): Promise<ImageDataset> {
  const manifest = await loadShippedManifest(id, options);
  const folder = `${baseUrlOf(options)}${id}/`;
  const totalBytes = FILE_ORDER.reduce((sum, key) => sum + manifest.files[key].bytes, 0);
  let loadedBytes = 0;
  const data = {} as Record<ShippedFileKey, Uint8Array<ArrayBuffer>>;
  const hashes = {} as Record<ShippedFileKey, string>;
  for (const key of FILE_ORDER) {
    const entry = manifest.files[key];
    const url = folder + entry.path;
    const response = await get(url, options);
    let bytes: Uint8Array<ArrayBuffer>;
    try {
      bytes = await readExactly(url, response, entry.bytes, options.signal, (chunk) => {
        loadedBytes += chunk;
        options.onProgress?.({ file: url, loadedBytes, totalBytes });
      });
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      throw error;
    }
    const hash = await sha256Hex(bytes);
    if (hash !== entry.sha256) {
      throw new DatasetLoadError(url, `SHA-256 ${hash} does not match the manifest's ${entry.sha256}: the file is corrupt or from another build`);
    }
    data[key] = bytes;
    hashes[key] = hash;
  }
  options.signal?.throwIfAborted();

  const classCount = manifest.classNames.length;
  for (const [split, key] of [['train', 'trainLabels'], ['test', 'testLabels']] as const) {
    const url = folder + manifest.files[key].path;
    let counts: number[];
    try {
      counts = countPerClass(data[key], classCount);
    } catch (error) {
      throw new DatasetLoadError(url, (error as Error).message);
    }
    const expected = manifest.perClass[split];
    const first = counts.findIndex((n, c) => n !== expected[c]);
    if (first >= 0) throw new DatasetLoadError(url, `class ${first} has ${counts[first]} images, the manifest says ${expected[first]}`);
  }
  const checksum = await checksumFromPartHashes(hashes.trainImages, hashes.trainLabels, hashes.testImages, hashes.testLabels);
  if (checksum !== manifest.checksum) throw new DatasetLoadError(`${folder}manifest.json`, `dataset checksum ${checksum} does not match the manifest's ${manifest.checksum}`);

  const { split } = manifest;
  return {
    meta: {
      id: manifest.id,
      name: manifest.name,
      source: manifest.source,
      licence: manifest.licence,
      shape: { ...manifest.shape },
      classNames: [...manifest.classNames],
      counts: { ...manifest.counts },
      perClass: { train: [...manifest.perClass.train], test: [...manifest.perClass.test] },
      normalization: { ...SCALE_255 },
      split: {
        method: split.method,
        description: split.description,
        ...(split.seed === undefined ? {} : { seed: split.seed }),
        ...(split.testFraction === undefined ? {} : { testFraction: split.testFraction }),
      },
      checksum,
    },
    train: { images: data.trainImages, labels: data.trainLabels, count: manifest.counts.train },
    test: { images: data.testImages, labels: data.testLabels, count: manifest.counts.test },
  };
}
