/**
 * A tiny learnable dataset for the trainer tests: 8x8 grey images, 4 classes, class k
 * lights up quadrant k over seeded noise. A small conv net separates it in a few epochs
 * on the cpu backend.
 */
import * as tf from '@tensorflow/tfjs';
import { createRng } from '../../../src/core/index';
import type { Net } from '../../../src/core/types';
import type { DatasetPayload, ImageSet } from '../../../src/train/types';

export const SIDE = 8;
export const CLASSES = 4;
export const INPUT = { height: SIDE, width: SIDE, channels: 1 } as const;

export function quadrantImages(count: number, seed: number): ImageSet {
  const rng = createRng(seed);
  const images = new Uint8Array(count * SIDE * SIDE);
  const labels = new Uint8Array(count);
  const half = SIDE / 2;
  for (let n = 0; n < count; n++) {
    const label = n % CLASSES; // balanced
    labels[n] = label;
    const top = label < 2 ? 0 : half;
    const left = label % 2 === 0 ? 0 : half;
    for (let y = 0; y < SIDE; y++) {
      for (let x = 0; x < SIDE; x++) {
        const lit = y >= top && y < top + half && x >= left && x < left + half;
        images[n * SIDE * SIDE + y * SIDE + x] = (lit ? 140 : 0) + rng.int(100);
      }
    }
  }
  return { images, labels, count };
}

export function quadrantDataset(train = 192, validation = 64, test = 64): DatasetPayload {
  return {
    inputShape: INPUT,
    classes: CLASSES,
    train: quadrantImages(train, 1),
    validation: quadrantImages(validation, 2),
    test: quadrantImages(test, 3),
  };
}

/** Small nets over the quadrant data, different architectures. */
export const TINY_NETS: readonly Net[] = [
  [{ kind: 'conv', filters: 4, kernel: 3, stride: 1 }, { kind: 'pool', size: 2, stride: 2 }, { kind: 'softmax', classes: CLASSES }],
  [{ kind: 'conv', filters: 6, kernel: 1, stride: 1 }, { kind: 'softmax', classes: CLASSES }],
  [{ kind: 'pool', size: 2, stride: 2 }, { kind: 'fc', units: 8 }, { kind: 'dropout', index: 1, total: 1 }, { kind: 'softmax', classes: CLASSES }],
  [{ kind: 'conv', filters: 4, kernel: 3, stride: 1 }, { kind: 'gap', classes: CLASSES }, { kind: 'softmax', classes: CLASSES }],
  [{ kind: 'conv', filters: 3, kernel: 5, stride: 1 }, { kind: 'pool', size: 3, stride: 2 }, { kind: 'fc', units: 6 }, { kind: 'softmax', classes: CLASSES }],
  [{ kind: 'fc', units: 5 }, { kind: 'fc', units: 4 }, { kind: 'softmax', classes: CLASSES }],
  [{ kind: 'conv', filters: 2, kernel: 3, stride: 2 }, { kind: 'softmax', classes: CLASSES }],
  [{ kind: 'conv', filters: 5, kernel: 3, stride: 1 }, { kind: 'conv', filters: 3, kernel: 1, stride: 1 }, { kind: 'pool', size: 2, stride: 2 }, { kind: 'softmax', classes: CLASSES }],
  [{ kind: 'pool', size: 3, stride: 2 }, { kind: 'conv', filters: 4, kernel: 1, stride: 1 }, { kind: 'gap', classes: CLASSES }, { kind: 'softmax', classes: CLASSES }],
  [{ kind: 'conv', filters: 3, kernel: 3, stride: 1 }, { kind: 'fc', units: 7 }, { kind: 'dropout', index: 1, total: 2 }, { kind: 'fc', units: 5 }, { kind: 'dropout', index: 2, total: 2 }, { kind: 'softmax', classes: CLASSES }],
];

/** The net the learning tests train: enough capacity, still fast on cpu. */
export const LEARNER: Net = [
  { kind: 'conv', filters: 4, kernel: 3, stride: 1 },
  { kind: 'pool', size: 2, stride: 2 },
  { kind: 'softmax', classes: CLASSES },
];

export async function useCpu(): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
}
