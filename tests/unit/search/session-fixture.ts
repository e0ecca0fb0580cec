/** A search, its store and a session over a fake trainer: what the session tests share. */
import 'fake-indexeddb/auto';
import { createRng } from '../../../src/core';
import type { ImageDataset } from '../../../src/data';
import { presetConfig, type SearchConfig } from '../../../src/search/config';
import { preparePayload } from '../../../src/search/prepare-dataset';
import { SearchSession, type SessionEvent } from '../../../src/search/search-session';
import type { Store } from '../../../src/store';
import { LocalCoordination } from '../../../src/swarm/coordination';
import type { FakeTrainer } from './fake-trainer';

/** A small real-shaped dataset: 12x12 grayscale, 10 classes, random pixels. */
export function dataset(trainCount = 400): ImageDataset {
  const rng = createRng(7);
  const make = (count: number) => {
    const labels = Uint8Array.from({ length: count }, (_, i) => i % 10);
    const images = Uint8Array.from({ length: count * 144 }, () => rng.int(256));
    return { images, labels, count };
  };
  const train = make(trainCount);
  const test = make(100);
  return {
    meta: {
      id: 'synthetic',
      name: 'synthetic',
      source: 'test',
      licence: 'none',
      shape: { height: 12, width: 12, channels: 1 },
      classNames: Array.from({ length: 10 }, (_, i) => String(i)),
      counts: { train: trainCount, test: 100 },
      perClass: { train: Array(10).fill(trainCount / 10), test: Array(10).fill(10) },
      normalization: { kind: 'scale', divisor: 255 },
      split: { method: 'given', description: 'test' },
      checksum: 'abcdef0123456789',
    },
    train,
    test,
  };
}

export function config(seed: number, overrides: Partial<SearchConfig> = {}): SearchConfig {
  const base = presetConfig('tiny', 'synthetic', seed);
  return {
    ...base,
    schedule: [
      { epsilon: 1, nets: 8 },
      { epsilon: 0.5, nets: 4 },
      { epsilon: 0.1, nets: 4 },
    ],
    data: { ...base.data, trainSize: 200, validationSize: 100, testSize: 50 },
    ...overrides,
  };
}

export async function newSearch(store: Store, cfg: SearchConfig): Promise<string> {
  const search = await store.createSearch({ name: 't', config: cfg, seed: cfg.seed, datasetId: cfg.datasetId, presetId: cfg.presetId });
  await store.updateSearchStatus(search.id, 'running');
  return search.id;
}

export function session(store: Store, searchId: string, cfg: SearchConfig, trainer: FakeTrainer, tabId: string, onEvent?: (e: SessionEvent) => void, trainCount = 400) {
  return new SearchSession({
    store,
    searchId,
    coordination: new LocalCoordination(tabId),
    trainer,
    dataset: preparePayload(dataset(trainCount), cfg),
    ...(onEvent ? { onEvent } : {}),
  });
}
