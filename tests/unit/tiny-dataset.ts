/** A small real imported dataset (assembled as the importers do, checksum and all) for tests. */
import { assembleDataset } from '../../src/data/dataset-meta';
import type { ImageDataset } from '../../src/data';

/** `count` 4×4 grayscale images of two classes; `salt` makes another dataset of the same shape. */
export function tinyDataset(count = 12, salt = 0): Promise<ImageDataset> {
  const shape = { height: 4, width: 4, channels: 1 };
  const images = new Uint8Array(count * 16).map((_, i) => (i * 7 + salt * 13) & 0xff);
  const labels = new Uint8Array(count).map((_, i) => i % 2);
  return assembleDataset(
    { what: 'tiny files', defaultName: 'tiny', source: 'tests', shape, classNames: ['even', 'odd'], train: { images, labels, count }, test: undefined },
    { testFraction: 0.25 },
  );
}
