/** The imported-dataset package that travels through the hub: it round-trips, and every damage is named. */
import { describe, expect, it } from 'vitest';
import { concatBytes } from '../../../src/data/bytes';
import { decodeDatasetPackage, encodeDatasetPackage, PREFIX_BYTES, readPackageHeader } from '../../../src/search/dataset-package';
import { tinyDataset } from '../tiny-dataset';

const WHERE = 'dataset "tiny" from the hub';

async function packed(): Promise<Uint8Array> {
  return concatBytes(encodeDatasetPackage(await tinyDataset()));
}

/** The package with its header replaced by `edit(header)`. */
function withHeader(bytes: Uint8Array, edit: (header: { meta: Record<string, unknown>; partBytes: Record<string, number> }) => void): Uint8Array {
  const header = readPackageHeader(bytes, bytes.length, WHERE);
  const copy = JSON.parse(JSON.stringify({ meta: header.meta, partBytes: header.partBytes })) as Parameters<typeof edit>[0];
  edit(copy);
  const text = new TextEncoder().encode(JSON.stringify(copy));
  const length = new Uint8Array(4);
  new DataView(length.buffer).setUint32(0, text.length, true);
  return concatBytes([bytes.subarray(0, PREFIX_BYTES - 4), length, text, bytes.subarray(header.dataOffset)]);
}

describe('dataset package', () => {
  it('gives back the same dataset, byte for byte, with its description', async () => {
    const dataset = await tinyDataset();
    const back = await decodeDatasetPackage(concatBytes(encodeDatasetPackage(dataset)), WHERE);
    expect(back.meta).toEqual(dataset.meta);
    expect([...back.train.images]).toEqual([...dataset.train.images]);
    expect([...back.test.labels]).toEqual([...dataset.test.labels]);
    expect(back.train.count).toBe(9);
  });

  it('refuses a file that is not a package, a cut one, and a header that is not JSON, naming where', async () => {
    const bytes = await packed();
    await expect(decodeDatasetPackage(new TextEncoder().encode('<html>not it</html>'), WHERE)).rejects.toThrow(`${WHERE}: not a MetaQNN dataset package`);
    await expect(decodeDatasetPackage(bytes.subarray(0, bytes.length - 3), WHERE)).rejects.toThrow(/cut short or the file is damaged/);
    const broken = bytes.slice();
    broken[PREFIX_BYTES] = 0x7b; // "{" then garbage
    broken[PREFIX_BYTES + 1] = 0x7b;
    await expect(decodeDatasetPackage(broken, WHERE)).rejects.toThrow(/its header is not JSON/);
    const huge = bytes.slice();
    new DataView(huge.buffer).setUint32(PREFIX_BYTES - 4, 50 * 1024 * 1024, true);
    await expect(decodeDatasetPackage(huge, WHERE)).rejects.toThrow(/its header is 52428800 bytes, over the limit/);
  });

  it('refuses changed pixels by their checksum, labels out of range, and counts that do not fit', async () => {
    const bytes = await packed();
    const changed = bytes.slice();
    changed[changed.length - 20]! ^= 0xff; // a test image's pixel
    await expect(decodeDatasetPackage(changed, WHERE)).rejects.toThrow(/content checksum .* does not match its description's/);
    const badLabel = bytes.slice();
    badLabel[badLabel.length - 1] = 7; // the last test label
    await expect(decodeDatasetPackage(badLabel, WHERE)).rejects.toThrow(/its test labels: label 7 at index 2 is out of range for 2 classes/);
    const miscounted = withHeader(bytes, (h) => ((h.meta.counts as { train: number }).train = 8));
    await expect(decodeDatasetPackage(miscounted, WHERE)).rejects.toThrow('its train labels are 9 bytes for 8 images');
    const wrongShape = withHeader(bytes, (h) => ((h.meta.shape as { width: number }).width = 5));
    await expect(decodeDatasetPackage(wrongShape, WHERE)).rejects.toThrow('its train images are 144 bytes, 9 × 20 expected');
    const noClasses = withHeader(bytes, (h) => delete h.meta.classNames);
    await expect(decodeDatasetPackage(noClasses, WHERE)).rejects.toThrow(/description is invalid at classNames/);
    const negative = withHeader(bytes, (h) => (h.partBytes.trainLabels = -1));
    await expect(decodeDatasetPackage(negative, WHERE)).rejects.toThrow(/its header is invalid at partBytes.trainLabels/);
  });
});
