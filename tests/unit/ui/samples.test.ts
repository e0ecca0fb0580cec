import { describe, expect, it } from 'vitest';
import { firstImagesPerClass, imageStrip } from '../../../src/ui/samples';

describe('firstImagesPerClass', () => {
  it('takes the first images of each class in order, and copes with a class that has none', () => {
    const labels = Uint8Array.from([1, 0, 1, 1, 0, 1]);
    expect(firstImagesPerClass(labels, 3, 2)).toEqual([[1, 4], [0, 2], []]);
  });
});

describe('imageStrip', () => {
  it('spreads grayscale to RGB and leaves a transparent gap between images', () => {
    // Two 1x2 grayscale images: [10, 20] and [30, 40].
    const set = { images: Uint8Array.from([10, 20, 30, 40]), labels: Uint8Array.from([0, 0]), count: 2 };
    const strip = imageStrip(set, { height: 1, width: 2, channels: 1 }, [1, 0]);
    expect(strip.width).toBe(5);
    expect(Array.from(strip.pixels)).toEqual([30, 30, 30, 255, 40, 40, 40, 255, 0, 0, 0, 0, 10, 10, 10, 255, 20, 20, 20, 255]);
  });
  it('copies RGB pixels as they are', () => {
    const set = { images: Uint8Array.from([1, 2, 3]), labels: Uint8Array.from([0]), count: 1 };
    expect(Array.from(imageStrip(set, { height: 1, width: 1, channels: 3 }, [0]).pixels)).toEqual([1, 2, 3, 255]);
  });
});
