import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DatasetCache, requireSplit } from '../../../src/train/dataset-cache';
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
    expect(train.images.shape).toEqual([8, 8, 8, 1]);
    expect(train.images.dtype).toBe('float32');
    expect(train.labels.dtype).toBe('int32');
    const pixels = await train.images.data();
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

  it('builds the quadrant images it is tested with deterministically', () => {
    expect(quadrantImages(8, 1)).toEqual(quadrantImages(8, 1));
  });
});
