/**
 * Datasets on the device. Each split is uploaded once per worker as a float32 NHWC
 * tensor already normalised to pixel/255, plus int32 labels; every candidate then
 * gathers its batches on the device (no upload per batch). Keyed by dataset id, then
 * split. Float32 because TF.js has no uint8 dtype: a split costs 4 bytes per pixel.
 */
import * as tf from '@tensorflow/tfjs';
import type { InputShape } from '../core/types';
import type { DatasetPayload, ImageSet, Subset } from './types';

export interface DeviceSplit {
  readonly images: tf.Tensor4D;
  readonly labels: tf.Tensor1D;
  /** The labels on the host too: progressive data draws stratified samples from them. */
  readonly hostLabels: Uint8Array;
  readonly count: number;
}

export interface CachedDataset {
  readonly id: string;
  readonly inputShape: InputShape;
  readonly classes: number;
  readonly splits: ReadonlyMap<Subset, DeviceSplit>;
}

export class DatasetCache {
  readonly #datasets = new Map<string, CachedDataset>();

  /** Validates and uploads `payload`, replacing any dataset of the same id. */
  load(id: string, payload: DatasetPayload): CachedDataset {
    checkPayload(id, payload);
    this.unload(id);
    const splits = new Map<Subset, DeviceSplit>();
    const entries: [Subset, ImageSet | undefined][] = [
      ['train', payload.train],
      ['validation', payload.validation],
      ['test', payload.test],
    ];
    try {
      for (const [subset, set] of entries) {
        if (set) splits.set(subset, upload(set, payload.inputShape));
      }
    } catch (error) {
      for (const split of splits.values()) tf.dispose([split.images, split.labels]);
      throw error;
    }
    const dataset: CachedDataset = { id, inputShape: payload.inputShape, classes: payload.classes, splits };
    this.#datasets.set(id, dataset);
    return dataset;
  }

  get(id: string): CachedDataset {
    const dataset = this.#datasets.get(id);
    if (!dataset) {
      const known = [...this.#datasets.keys()].join(', ') || 'none';
      throw new Error(`Dataset "${id}" is not loaded in this trainer (loaded: ${known})`);
    }
    return dataset;
  }

  has(id: string): boolean {
    return this.#datasets.has(id);
  }

  ids(): string[] {
    return [...this.#datasets.keys()];
  }

  unload(id: string): void {
    const dataset = this.#datasets.get(id);
    if (!dataset) return;
    for (const split of dataset.splits.values()) tf.dispose([split.images, split.labels]);
    this.#datasets.delete(id);
  }

  dispose(): void {
    for (const id of [...this.#datasets.keys()]) this.unload(id);
  }
}

/** The split or an error naming the dataset and what is missing. */
export function requireSplit(dataset: CachedDataset, subset: Subset): DeviceSplit {
  const split = dataset.splits.get(subset);
  if (!split) throw new Error(`Dataset "${dataset.id}" has no ${subset} split`);
  return split;
}

function upload(set: ImageSet, shape: InputShape): DeviceSplit {
  const pixels = new Float32Array(set.images.length);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (set.images[i] as number) / 255;
  const images = tf.tensor4d(pixels, [set.count, shape.height, shape.width, shape.channels], 'float32');
  const labels = tf.tensor1d(Int32Array.from(set.labels), 'int32');
  return { images, labels, hostLabels: Uint8Array.from(set.labels), count: set.count };
}

function checkPayload(id: string, payload: DatasetPayload): void {
  const { inputShape, classes } = payload;
  for (const key of ['height', 'width', 'channels'] as const) {
    if (!Number.isInteger(inputShape[key]) || inputShape[key] < 1) {
      throw new Error(`Dataset "${id}": inputShape.${key} must be a positive integer, got ${inputShape[key]}`);
    }
  }
  if (!Number.isInteger(classes) || classes < 2 || classes > 256) {
    throw new Error(`Dataset "${id}": classes must be an integer in [2, 256], got ${classes}`);
  }
  const pixelsPerImage = inputShape.height * inputShape.width * inputShape.channels;
  const splits: [Subset, ImageSet | undefined][] = [
    ['train', payload.train],
    ['validation', payload.validation],
    ['test', payload.test],
  ];
  for (const [subset, set] of splits) {
    if (!set) {
      if (subset === 'test') continue;
      throw new Error(`Dataset "${id}": the ${subset} split is missing`);
    }
    const at = `Dataset "${id}" ${subset} split`;
    if (!Number.isInteger(set.count) || set.count < 1) throw new Error(`${at}: count must be a positive integer, got ${set.count}`);
    if (set.images.length !== set.count * pixelsPerImage) {
      throw new Error(
        `${at}: images hold ${set.images.length} bytes, expected ${set.count} × ${inputShape.height}×${inputShape.width}×${inputShape.channels} = ${set.count * pixelsPerImage}`,
      );
    }
    if (set.labels.length !== set.count) {
      throw new Error(`${at}: ${set.labels.length} labels for ${set.count} images`);
    }
    const bad = set.labels.findIndex((label) => label >= classes);
    if (bad >= 0) throw new Error(`${at}: label ${set.labels[bad]} at index ${bad} is not below classes=${classes}`);
  }
}
