import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatasetCache, type DeviceSplit, gatherBatch, imagesPerChunk, requireSplit, sliceImages } from '../../../src/train/dataset-cache';
import type { DatasetPayload } from '../../../src/train/types';
import { quadrantDataset, quadrantImages, useCpu } from './synthetic';

beforeAll(useCpu);

describe('DatasetCache', () => {
  it('uploads each split once, normalised to pixel/255, and frees it on unload', async () => {
    const cache = new DatasetCache();
    const before = tf.memory().numTensors;
    const payload = quadrantDataset(8, 4, 4);
    const dataset = cache.load('q', payload);
    expect(tf.memory().numTensors).toBe(before + 6);
    const train = requireSplit(dataset, 'train');
    expect(train.chunks).toHaveLength(1);
    expect(train.chunks[0]?.shape).toEqual([8, 8, 8, 1]);
    expect(train.chunks[0]?.dtype).toBe('float32');
    expect(train.labels.dtype).toBe('int32');
    const pixels = await train.chunks[0]!.data();
    expect(pixels[5]).toBeCloseTo((payload.train.images[5] ?? 0) / 255, 6);
    expect(Array.from(await train.labels.data())).toEqual(Array.from(payload.train.labels));
    expect(cache.get('q')).toBe(dataset);
    // Loading the same id again replaces the tensors instead of adding to them.
    cache.load('q', payload);
    expect(tf.memory().numTensors).toBe(before + 6);
    cache.unload('q');
    expect(tf.memory().numTensors).toBe(before);
    expect(() => cache.get('q')).toThrow(/Dataset "q" is not loaded in this trainer \(loaded: none\)/);
  });

  it('works without a test split and says so when asked for one', () => {
    const cache = new DatasetCache();
    const { test: _, ...noTest } = quadrantDataset(4, 4, 4);
    const dataset = cache.load('no-test', noTest);
    expect(() => requireSplit(dataset, 'test')).toThrow(/Dataset "no-test" has no test split/);
    cache.dispose();
  });

  const good = quadrantDataset(4, 4, 4);
  const broken: [string, DatasetPayload, RegExp][] = [
    ['short images', { ...good, train: { ...good.train, images: good.train.images.slice(1) } }, /"d" train split: images hold 255 bytes, expected 4 × 8×8×1 = 256/],
    ['label out of range', { ...good, validation: { ...good.validation, labels: Uint8Array.of(0, 1, 9, 2) } }, /"d" validation split: label 9 at index 2 is not below classes=4/],
    ['label count', { ...good, test: { ...good.test!, labels: Uint8Array.of(0) } }, /"d" test split: 1 labels for 4 images/],
    ['missing validation', { ...good, validation: undefined as never }, /"d": the validation split is missing/],
    ['bad shape', { ...good, inputShape: { height: 8, width: 0, channels: 1 } }, /"d": inputShape.width must be a positive integer, got 0/],
    ['bad classes', { ...good, classes: 1 }, /"d": classes must be an integer in \[2, 256\], got 1/],
  ];
  it.each(broken)('rejects %s, naming the split and the position', (_, payload, message) => {
    const cache = new DatasetCache();
    const before = tf.memory().numTensors;
    expect(() => cache.load('d', payload)).toThrow(message);
    expect(tf.memory().numTensors).toBe(before);
  });

  describe('a split larger than the largest tensor', () => {
    // 8×8×1 images are 256 bytes as float32: 1,000 bytes hold 3 of them.
    const payload = quadrantDataset(10, 4, 7);
    const whole = new DatasetCache({ maxChunkBytes: 1024 ** 3 });
    const chunked = new DatasetCache({ maxChunkBytes: 1000 });
    let one: DeviceSplit;
    let many: DeviceSplit;
    beforeAll(() => {
      one = requireSplit(whole.load('q', payload), 'train');
      many = requireSplit(chunked.load('q', payload), 'train');
    });
    afterAll(() => {
      whole.dispose();
      chunked.dispose();
    });
    const rows = (t: tf.Tensor) => (t.arraySync() as number[][][][]).map((image) => JSON.stringify(image));

    it('is kept in chunks that each fit, holding the same images in order', async () => {
      expect(imagesPerChunk({ height: 8, width: 8, channels: 1 }, 1000)).toBe(3);
      expect(imagesPerChunk({ height: 32, width: 32, channels: 3 }, 10)).toBe(1);
      expect(many.chunkSize).toBe(3);
      expect(many.chunks.map((c) => c.shape[0])).toEqual([3, 3, 3, 1]);
      for (const c of many.chunks) expect(c.size * 4).toBeLessThanOrEqual(1000);
      expect(rows(tf.concat([...many.chunks], 0))).toEqual(rows(one.chunks[0]!));
      expect(one.chunkSize).toBe(10);
    });

    it('slices any range across chunk boundaries like one tensor would', () => {
      for (const [start, size] of [[0, 10], [2, 2], [3, 3], [1, 7], [9, 1], [5, 4]] as const) {
        const expected = tf.tidy(() => rows(sliceImages(one, start, size)));
        const before = tf.memory().numTensors;
        const got = tf.tidy(() => rows(sliceImages(many, start, size)));
        expect(got, `${start}+${size}`).toEqual(expected);
        expect(tf.memory().numTensors).toBe(before);
      }
      expect(() => sliceImages(many, 8, 3)).toThrow(/images 8 to 11 are outside the split's 10/);
    });

    it('gathers a batch with the same images, each with its own label', () => {
      const order = Int32Array.of(7, 0, 9, 4, 3, 8, 1, 6, 2, 5);
      const onDevice = tf.tensor1d(order, 'int32');
      for (const [start, size] of [[0, 4], [4, 4], [8, 2], [0, 10]] as const) {
        const pairs = (split: DeviceSplit) =>
          tf.tidy(() => {
            const { xs, ys } = gatherBatch(split, order, onDevice, start, size);
            const labels = ys.arraySync() as number[];
            return rows(xs).map((image, i) => `${image}:${labels[i]}`);
          });
        const expected = pairs(one);
        // One chunk: exactly the rows of `order`, in order.
        expect(expected).toEqual(Array.from(order.subarray(start, start + size), (i) => `${rows(one.chunks[0]!)[i]}:${payload.train.labels[i]}`));
        const before = tf.memory().numTensors;
        const got = pairs(many);
        expect(tf.memory().numTensors).toBe(before);
        // Several chunks: the same (image, label) pairs, grouped by chunk.
        expect([...got].sort()).toEqual([...expected].sort());
      }
      onDevice.dispose();
    });

    it('frees every chunk on unload', () => {
      const cache = new DatasetCache({ maxChunkBytes: 1000 });
      const before = tf.memory().numTensors;
      cache.load('c', payload);
      // train 4 chunks + validation 2 + test 3, and three label tensors.
      expect(tf.memory().numTensors).toBe(before + 4 + 2 + 3 + 3);
      cache.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });
  });

  it('builds the quadrant images it is tested with deterministically', () => {
    expect(quadrantImages(8, 1)).toEqual(quadrantImages(8, 1));
  });
});
