/** Synthetic 4-class images (one bright quadrant each, seeded noise), shared by the page and the baseline worker. */
import { createRng } from '../../src/core/rng';
import type { ImageSet } from '../../src/data/types';
import type { DatasetPayload } from '../../src/train/types';
import type { BenchOptions } from './protocol';

export function images(count: number, side: number, seed: number): ImageSet {
  const rng = createRng(seed);
  const px = new Uint8Array(count * side * side);
  const labels = new Uint8Array(count);
  const half = side >> 1;
  for (let n = 0; n < count; n++) {
    const label = n % 4;
    labels[n] = label;
    for (let y = 0; y < side; y++)
      for (let x = 0; x < side; x++) {
        const lit = (y >= half) === label >= 2 && (x >= half) === (label % 2 === 1);
        px[n * side * side + y * side + x] = (lit ? 140 : 0) + rng.int(100);
      }
  }
  return { images: px, labels, count };
}

export function payload(options: Pick<BenchOptions, 'side' | 'images'>): DatasetPayload {
  const side = options.side;
  return {
    inputShape: { height: side, width: side, channels: 1 },
    classes: 4,
    train: images(options.images, side, 1),
    validation: images(Math.max(64, options.images >> 2), side, 2),
    test: images(Math.max(64, options.images >> 2), side, 3),
  };
}
