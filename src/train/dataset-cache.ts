/**
 * Datasets on the device. Each split is uploaded once per worker as float32 NHWC tensors
 * already normalised to pixel/255, plus int32 labels; every candidate then gathers its
 * batches on the device (no upload per batch). Keyed by dataset id, then split. Float32
 * because TF.js has no uint8 dtype: a split costs 4 bytes per pixel.
 *
 * A split larger than the backend's largest tensor (`largestTensorBytes`: WebGPU's binding
 * limit is 128 MiB on some devices, and CIFAR-10's training split alone is 550 MB) is kept
 * in consecutive chunks of `chunkSize` images. `gatherBatch` and `sliceImages` hide the
 * chunks; with one chunk they are exactly the single-tensor gather and slice.
 */
import * as tf from '@tensorflow/tfjs';
import type { InputShape } from '../core/types';
import { largestTensorBytes } from './backend';
import type { DatasetPayload, ImageSet, Subset } from './types';

export interface DeviceSplit {
  /** The images in order, `chunkSize` per tensor (the last may hold fewer). */
  readonly chunks: readonly tf.Tensor4D[];
  readonly chunkSize: number;
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

export interface DatasetCacheOptions {
  /** Largest image tensor in bytes; default: what the backend allows, read at each load. */
  readonly maxChunkBytes?: number;
}

export class DatasetCache {
  readonly #datasets = new Map<string, CachedDataset>();
  readonly #maxChunkBytes: number | undefined;

  constructor(options: DatasetCacheOptions = {}) {
    this.#maxChunkBytes = options.maxChunkBytes;
  }

  /** Validates and uploads `payload`, replacing any dataset of the same id. */
  load(id: string, payload: DatasetPayload): CachedDataset {
    checkPayload(id, payload);
    this.unload(id);
    const splits = new Map<Subset, DeviceSplit>();
    const maxChunkBytes = this.#maxChunkBytes ?? largestTensorBytes();
    const entries: [Subset, ImageSet | undefined][] = [
      ['train', payload.train],
      ['validation', payload.validation],
      ['test', payload.test],
    ];
    try {
      for (const [subset, set] of entries) {
        if (set) splits.set(subset, upload(set, payload.inputShape, maxChunkBytes));
      }
    } catch (error) {
      for (const split of splits.values()) disposeSplit(split);
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

  /** Bytes of every loaded split's tensors: float32 images and int32 labels. */
  bytes(): number {
    let total = 0;
    for (const dataset of this.#datasets.values()) {
      for (const split of dataset.splits.values()) {
        for (const chunk of split.chunks) total += chunk.size * Float32Array.BYTES_PER_ELEMENT;
        total += split.labels.size * Int32Array.BYTES_PER_ELEMENT;
      }
    }
    return total;
  }

  unload(id: string): void {
    const dataset = this.#datasets.get(id);
    if (!dataset) return;
    for (const split of dataset.splits.values()) disposeSplit(split);
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

/**
 * Images `start` to `start + size` as one tensor. Call inside `tf.tidy` when the split has
 * several chunks: the per-chunk slices are intermediates.
 */
export function sliceImages(split: DeviceSplit, start: number, size: number): tf.Tensor4D {
  if (start < 0 || size < 1 || start + size > split.count) {
    throw new Error(`sliceImages: images ${start} to ${start + size} are outside the split's ${split.count}`);
  }
  const first = Math.floor(start / split.chunkSize);
  const last = Math.floor((start + size - 1) / split.chunkSize);
  const parts: tf.Tensor4D[] = [];
  for (let k = first; k <= last; k++) {
    const base = k * split.chunkSize;
    const from = Math.max(start, base) - base;
    const to = Math.min(start + size, base + split.chunkSize) - base;
    parts.push((split.chunks[k] as tf.Tensor4D).slice([from, 0, 0, 0], [to - from, -1, -1, -1]));
  }
  return parts.length === 1 ? (parts[0] as tf.Tensor4D) : tf.concat4d(parts, 0);
}

/**
 * One training batch: the images and labels at `order[start .. start + size)`. `onDevice`
 * is `order` already uploaded (one chunk: the batch is a slice of it, nothing is uploaded).
 * With several chunks the batch's indices are grouped by chunk, so its images come in a
 * different order; the labels are gathered in that same order, and a batch's loss is a mean,
 * so training is unchanged. Call inside `tf.tidy`.
 */
export function gatherBatch(
  split: DeviceSplit,
  order: Int32Array,
  onDevice: tf.Tensor1D,
  start: number,
  size: number,
): { xs: tf.Tensor4D; ys: tf.Tensor1D } {
  if (split.chunks.length === 1) {
    const indices = onDevice.slice([start], [size]);
    return { xs: tf.gather(split.chunks[0] as tf.Tensor4D, indices), ys: tf.gather(split.labels, indices) };
  }
  const byChunk: number[][] = split.chunks.map(() => []);
  for (let i = start; i < start + size; i++) {
    const index = order[i] as number;
    (byChunk[Math.floor(index / split.chunkSize)] as number[]).push(index);
  }
  const parts: tf.Tensor4D[] = [];
  const grouped = new Int32Array(size);
  let at = 0;
  byChunk.forEach((indices, k) => {
    if (indices.length === 0) return;
    const base = k * split.chunkSize;
    const local = tf.tensor1d(Int32Array.from(indices, (index) => index - base), 'int32');
    parts.push(tf.gather(split.chunks[k] as tf.Tensor4D, local));
    grouped.set(indices, at);
    at += indices.length;
  });
  const xs = parts.length === 1 ? (parts[0] as tf.Tensor4D) : tf.concat4d(parts, 0);
  return { xs, ys: tf.gather(split.labels, tf.tensor1d(grouped, 'int32')) };
}

/** Images per chunk so that one chunk stays within `maxChunkBytes` (at least one image). */
export function imagesPerChunk(shape: InputShape, maxChunkBytes: number): number {
  const bytesPerImage = shape.height * shape.width * shape.channels * Float32Array.BYTES_PER_ELEMENT;
  return Math.max(1, Math.floor(maxChunkBytes / bytesPerImage));
}

function upload(set: ImageSet, shape: InputShape, maxChunkBytes: number): DeviceSplit {
  const pixelsPerImage = shape.height * shape.width * shape.channels;
  const chunkSize = Math.min(set.count, imagesPerChunk(shape, maxChunkBytes));
  const chunks: tf.Tensor4D[] = [];
  try {
    // Chunk by chunk, so the host holds one chunk's float32 copy at a time.
    for (let first = 0; first < set.count; first += chunkSize) {
      const count = Math.min(chunkSize, set.count - first);
      const bytes = set.images.subarray(first * pixelsPerImage, (first + count) * pixelsPerImage);
      const pixels = new Float32Array(bytes.length);
      for (let i = 0; i < pixels.length; i++) pixels[i] = (bytes[i] as number) / 255;
      chunks.push(tf.tensor4d(pixels, [count, shape.height, shape.width, shape.channels], 'float32'));
    }
    const labels = tf.tensor1d(Int32Array.from(set.labels), 'int32');
    return { chunks, chunkSize, labels, hostLabels: Uint8Array.from(set.labels), count: set.count };
  } catch (error) {
    tf.dispose(chunks);
    throw error;
  }
}

function disposeSplit(split: DeviceSplit): void {
  tf.dispose([...split.chunks, split.labels]);
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
