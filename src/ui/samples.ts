/** Sample images of a dataset for the dataset screen: which to show, and their pixels as RGBA. */
import type { ImageSet } from '../data';
import type { InputShape } from '../core';

/** The first `perClass` image indices of each class, in dataset order (one pass, stops early). */
export function firstImagesPerClass(labels: Uint8Array, classes: number, perClass: number): number[][] {
  const picked: number[][] = Array.from({ length: classes }, () => []);
  let full = 0;
  for (let i = 0; i < labels.length && full < classes; i++) {
    const row = picked[labels[i]!];
    if (row === undefined || row.length >= perClass) continue;
    row.push(i);
    if (row.length === perClass) full++;
  }
  return picked;
}

/**
 * RGBA pixels of images side by side with a `gap` of transparent pixels between them
 * (grayscale is spread to R, G and B), ready for `new ImageData(pixels, width)`.
 */
export function imageStrip(set: ImageSet, shape: InputShape, indices: readonly number[], gap = 1): { width: number; height: number; pixels: Uint8ClampedArray<ArrayBuffer> } {
  const { height, width: w, channels } = shape;
  const width = Math.max(1, indices.length * (w + gap) - gap);
  const pixels = new Uint8ClampedArray(width * height * 4);
  const size = height * w * channels;
  indices.forEach((index, k) => {
    const base = index * size;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < w; x++) {
        const source = base + (y * w + x) * channels;
        const target = (y * width + k * (w + gap) + x) * 4;
        const r = set.images[source] ?? 0;
        pixels[target] = r;
        pixels[target + 1] = channels === 3 ? (set.images[source + 1] ?? 0) : r;
        pixels[target + 2] = channels === 3 ? (set.images[source + 2] ?? 0) : r;
        pixels[target + 3] = 255;
      }
    }
  });
  return { width, height, pixels };
}
