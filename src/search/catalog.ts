/**
 * Every dataset a person can pick: the ones shipped with the app (public/datasets, cached by
 * the service worker on first use) and the ones imported from their files (IndexedDB).
 */
import * as v from 'valibot';
import { listShippedDatasets, loadShippedDataset, type DatasetMeta, type ImageDataset, type LoadProgress } from '../data';
import type { Store } from '../store';

export interface DatasetSummary {
  readonly id: string;
  readonly name: string;
  readonly kind: 'shipped' | 'imported';
  readonly shape: { height: number; width: number; channels: number };
  readonly classCount: number;
  readonly counts: { train: number; test: number };
  readonly bytes: number;
}

const MetaSchema = v.looseObject({
  id: v.string(),
  name: v.string(),
  source: v.string(),
  licence: v.string(),
  shape: v.object({ height: v.number(), width: v.number(), channels: v.number() }),
  classNames: v.pipe(v.array(v.string()), v.minLength(2)),
  counts: v.object({ train: v.number(), test: v.number() }),
  perClass: v.object({ train: v.array(v.number()), test: v.array(v.number()) }),
  normalization: v.object({ kind: v.literal('scale'), divisor: v.literal(255) }),
  split: v.looseObject({ method: v.picklist(['given', 'stratified-random']), description: v.string() }),
  checksum: v.string(),
});

/** An imported dataset's stored meta, checked: it was written by some earlier version of the app. */
export function checkDatasetMeta(value: unknown, where: string): DatasetMeta {
  const result = v.safeParse(MetaSchema, value);
  if (!result.success) {
    const issue = result.issues[0];
    throw new Error(`${where}: stored dataset description is invalid at ${v.getDotPath(issue) ?? '(root)'}: ${issue.message}`);
  }
  return result.output as unknown as DatasetMeta;
}

/** The dataset a page opens on (the setup's default); the one a first visit keeps offline. */
export const DEFAULT_DATASET_ID = 'mnist';

/** A dataset id that is neither shipped nor imported (e.g. a mistyped `?dataset=`). */
export class UnknownDatasetError extends Error {
  override name = 'UnknownDatasetError';
  constructor(
    readonly id: string,
    readonly available: readonly string[],
  ) {
    super(unknownDatasetMessage(id, available));
  }
}

export function unknownDatasetMessage(id: string, available: readonly string[]): string {
  return `no dataset named "${id}" (available: ${available.length > 0 ? available.join(', ') : 'none'})`;
}

export async function listDatasets(store: Store | null, baseUrl?: string): Promise<DatasetSummary[]> {
  const shipped = await listShippedDatasets(baseUrl ? { baseUrl } : {});
  const out: DatasetSummary[] = shipped.datasets.map((d) => ({
    id: d.id,
    name: d.name,
    kind: 'shipped',
    shape: d.shape,
    classCount: d.classCount,
    counts: d.counts,
    bytes: d.bytes,
  }));
  if (store) {
    for (const record of await store.listDatasets()) {
      try {
        const meta = checkDatasetMeta(record.meta, `dataset ${record.id}`);
        out.push({
          id: record.id,
          name: meta.name,
          kind: 'imported',
          shape: meta.shape,
          classCount: meta.classNames.length,
          counts: meta.counts,
          bytes: record.byteLength,
        });
      } catch {
        // A damaged record is skipped here; loading it by id reports what is wrong.
      }
    }
  }
  return out;
}

/** Loads a dataset by id: shipped ones over the network (or the service worker's cache), imported ones from IndexedDB. */
export async function loadDataset(
  id: string,
  store: Store | null,
  options: { onProgress?: (p: LoadProgress) => void; signal?: AbortSignal; baseUrl?: string } = {},
): Promise<ImageDataset> {
  const stored = store ? await store.getDataset(id) : undefined;
  if (stored) {
    const meta = checkDatasetMeta(stored.meta, `dataset ${id}`);
    const d = stored.data;
    return {
      meta,
      train: { images: new Uint8Array(d.trainImages), labels: new Uint8Array(d.trainLabels), count: meta.counts.train },
      test: { images: new Uint8Array(d.testImages), labels: new Uint8Array(d.testLabels), count: meta.counts.test },
    };
  }
  // Ask the catalog first, so a wrong id is named as such instead of failing on a missing file.
  let shippedIds: string[] | null = null;
  try {
    shippedIds = (await listShippedDatasets(options.baseUrl ? { baseUrl: options.baseUrl } : {})).datasets.map((d) => d.id);
  } catch {
    // No index (offline without a copy): the manifest fetch below names what is missing.
  }
  if (shippedIds && !shippedIds.includes(id)) {
    const imported = store ? (await store.listDatasets()).map((r) => r.id) : [];
    throw new UnknownDatasetError(id, [...shippedIds, ...imported]);
  }
  return loadShippedDataset(id, {
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
  });
}

/** Keeps an imported dataset (whole or not at all). */
export async function saveImportedDataset(store: Store, dataset: ImageDataset): Promise<void> {
  const copy = (bytes: Uint8Array): ArrayBuffer => bytes.slice().buffer;
  await store.putDataset({
    id: dataset.meta.id,
    meta: dataset.meta,
    trainImages: copy(dataset.train.images),
    trainLabels: copy(dataset.train.labels),
    testImages: copy(dataset.test.images),
    testLabels: copy(dataset.test.labels),
  });
}
