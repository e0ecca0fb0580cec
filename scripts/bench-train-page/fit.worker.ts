/**
 * The baseline: the same model (src/train/build-model.ts), the same data already on the
 * device (src/train/dataset-cache.ts), Adam at the same rate, trained by tf's model.fit.
 */
import * as tf from '@tensorflow/tfjs';
import { expose } from 'comlink';
import { insertDropout, parseNetwork } from '../../src/core';
import { initBackend } from '../../src/train/backend';
import { buildModel } from '../../src/train/build-model';
import { DatasetCache } from '../../src/train/dataset-cache';
import type { BackendPreference, DatasetPayload } from '../../src/train/types';
import type { FitResult } from './protocol';

const cache = new DatasetCache();

const api = {
  init: (backend: BackendPreference) => initBackend(backend),
  /** Upload and normalisation of every split, read back so the time is real. */
  async upload(data: DatasetPayload): Promise<number> {
    const started = performance.now();
    const dataset = cache.load('bench', data);
    for (const split of dataset.splits.values()) await split.chunks[0]!.slice([0, 0, 0, 0], [1, 1, 1, 1]).data();
    return performance.now() - started;
  },
  async fit({ net, epochs, batch, learningRate, seed }: { net: string; epochs: number; batch: number; learningRate: number; seed: number }): Promise<FitResult> {
    const dataset = cache.get('bench');
    const train = dataset.splits.get('train')!;
    // The bench's few hundred images are one tensor (chunks only start past the device's largest buffer).
    if (train.chunks.length !== 1) throw new Error(`the bench's training split is in ${train.chunks.length} chunks`);
    const images = train.chunks[0]!;
    const count = images.shape[0];
    const ys = tf.oneHot(train.labels, dataset.classes);
    const model = buildModel(insertDropout(parseNetwork(net), 'seed'), dataset.inputShape, seed);
    model.compile({ optimizer: tf.train.adam(learningRate), loss: 'categoricalCrossentropy' });
    try {
      // One batch first, timed apart as the trainer's firstBatchMs is (shader compilation).
      const first = performance.now();
      const xb = images.slice(0, Math.min(batch, count));
      const yb = ys.slice(0, Math.min(batch, count));
      await model.trainOnBatch(xb, yb);
      tf.dispose([xb, yb]);
      const firstBatchMs = performance.now() - first;
      const started = performance.now();
      const history = await model.fit(images, ys, { epochs, batchSize: batch, shuffle: true, yieldEvery: 'never', verbose: 0 });
      const fitMs = performance.now() - started;
      const loss = history.history.loss?.at(-1);
      return { status: 'done', backend: tf.getBackend(), firstBatchMs, fitMs, images: count * epochs, loss: typeof loss === 'number' ? loss : null };
    } finally {
      model.dispose();
      ys.dispose();
    }
  },
};

export type FitWorkerApi = typeof api;
expose(api);
