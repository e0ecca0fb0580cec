/** Small operations on ImageSet used by importers, splits and the trainer. */
import type { InputShape } from '../core/types';
import type { ImageSet } from './types';

export function imageBytes(shape: InputShape): number {
  return shape.height * shape.width * shape.channels;
}

/** Images per class; throws a RangeError naming the first label out of range. */
export function countPerClass(labels: Uint8Array, classCount: number): number[] {
  const counts = new Array<number>(classCount).fill(0);
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i] as number;
    if (label >= classCount) throw new RangeError(`label ${label} at index ${i} is out of range for ${classCount} classes`);
    counts[label] = (counts[label] as number) + 1;
  }
  return counts;
}

/** A new ImageSet with the images at `indices`, in that order (fresh buffers, safe to transfer). */
export function gatherImageSet(set: ImageSet, indices: ArrayLike<number>, shape: InputShape): ImageSet {
  const size = imageBytes(shape);
  const images = new Uint8Array(indices.length * size);
  const labels = new Uint8Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const index = indices[i] as number;
    if (index < 0 || index >= set.count) throw new RangeError(`index ${index} is outside the set of ${set.count} images`);
    images.set(set.images.subarray(index * size, (index + 1) * size), i * size);
    labels[i] = set.labels[index] as number;
  }
  return { images, labels, count: indices.length };
}

/** Throws unless the buffers agree with `count` and `shape`. */
export function assertImageSetShape(set: ImageSet, shape: InputShape, what: string): void {
  if (set.labels.length !== set.count) throw new RangeError(`${what}: ${set.labels.length} labels for ${set.count} images`);
  if (set.images.length !== set.count * imageBytes(shape)) {
    throw new RangeError(`${what}: ${set.images.length} pixel bytes, expected ${set.count} × ${imageBytes(shape)}`);
  }
}
