import { gzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { importDatasetFromFiles } from '../../../src/data/import-dataset';
import { importIdx, parseIdx } from '../../../src/data/idx';
import { DatasetImportError } from '../../../src/data/errors';
import { fileOf, idxFile, idxImages, idxLabels } from './fixtures';

const trainLabels = [0, 1, 2, 0, 1, 2, 0, 1, 2, 0];
const testLabels = [2, 1, 0, 2];

function mnistLike() {
  const train = idxImages(trainLabels.length, 4, 3, 1);
  const test = idxImages(testLabels.length, 4, 3, 2);
  return {
    train,
    test,
    files: [
      fileOf('train-images-idx3-ubyte', train.file),
      fileOf('train-labels-idx1-ubyte', idxLabels(trainLabels)),
      fileOf('t10k-images-idx3-ubyte', test.file),
      fileOf('t10k-labels-idx1-ubyte', idxLabels(testLabels)),
    ],
  };
}

async function importError(promise: Promise<unknown>): Promise<DatasetImportError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DatasetImportError);
  return error as DatasetImportError;
}

describe('IDX import', () => {
  it('round-trips a train and a t10k pair: pixels, labels, shape, given split', async () => {
    const { train, test, files } = mnistLike();
    const dataset = await importIdx(files);
    expect(dataset.meta.shape).toEqual({ height: 4, width: 3, channels: 1 });
    expect(dataset.train.images).toEqual(train.pixels);
    expect([...dataset.train.labels]).toEqual(trainLabels);
    expect(dataset.test.images).toEqual(test.pixels);
    expect([...dataset.test.labels]).toEqual(testLabels);
    expect(dataset.meta.classNames).toEqual(['0', '1', '2']);
    expect(dataset.meta.perClass).toEqual({ train: [4, 3, 3], test: [1, 1, 2] });
    expect(dataset.meta.split.method).toBe('given');
    expect(dataset.meta.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(dataset.meta.id).toBe(`import-${dataset.meta.checksum.slice(0, 12)}`);
    expect(dataset.meta.normalization).toEqual({ kind: 'scale', divisor: 255 });
    // Owned, exact buffers: safe to transfer to another thread.
    expect(dataset.train.images.buffer.byteLength).toBe(dataset.train.images.length);
  });

  it('opens .gz files and gives the same dataset', async () => {
    const { files } = mnistLike();
    const plain = await importDatasetFromFiles(files);
    const gzipped = files.map((f) => fileOf(`${f.path}.gz`, gzipSync(f.bytes as Uint8Array)));
    const fromGz = await importDatasetFromFiles(gzipped);
    expect(fromGz.meta.checksum).toBe(plain.meta.checksum);
    expect(fromGz.meta.source).toContain('t10k-images-idx3-ubyte');
  });

  it('uses the class names given and carves a stratified test set out when only train files exist', async () => {
    const { files } = mnistLike();
    const dataset = await importIdx(files.slice(0, 2), { classNames: ['a', 'b', 'c'], testFraction: 0.3, seed: 4 });
    expect(dataset.meta.classNames).toEqual(['a', 'b', 'c']);
    expect(dataset.meta.split).toMatchObject({ method: 'stratified-random', seed: 4, testFraction: 0.3 });
    expect(dataset.meta.counts).toEqual({ train: 7, test: 3 });
    expect(dataset.meta.perClass.test).toEqual([1, 1, 1]);
  });

  it.each([
    ['wrong magic', idxFile(0x00000802, [2], new Uint8Array(2)), /magic number 0x00000802 has 2 dimensions/],
    ['not IDX at all', new TextEncoder().encode('hello world'), /not an IDX file: magic number 0x68656c6c/],
    ['float elements', idxFile(0x00000d03, [1, 1, 1], new Uint8Array(4)), /element type 0x0d \(float32\)/],
    ['truncated header', new Uint8Array([0, 0, 8, 3, 0, 0]), /truncated: the IDX dimension sizes needs 12 bytes/],
    ['truncated data', idxFile(0x00000803, [3, 2, 2], new Uint8Array(11)), /truncated: the header says 3 images of 2×2 \(28 bytes\) but the file has 27 bytes/],
    ['trailing data', idxFile(0x00000803, [1, 2, 2], new Uint8Array(5)), /file has 21 bytes; extra data starts here/],
  ])('rejects %s naming the file and offset', (_, bytes, message) => {
    expect(() => parseIdx('train-images-idx3-ubyte', bytes)).toThrow(message);
    try {
      parseIdx('train-images-idx3-ubyte', bytes);
    } catch (error) {
      expect((error as Error).message).toMatch(/^train-images-idx3-ubyte \(byte offset \d+\): /);
    }
  });

  it('rejects a labels file named as images', () => {
    expect(() => parseIdx('train-images-idx3-ubyte', idxLabels([1]))).toThrow(/named as an images \(idx3\) file but its magic number 0x00000801 says labels/);
  });

  it('rejects image and label counts that differ, naming both files', async () => {
    const { files } = mnistLike();
    files[1] = fileOf('train-labels-idx1-ubyte', idxLabels(trainLabels.slice(1)));
    const error = await importError(importIdx(files));
    expect(error.message).toBe('train-labels-idx1-ubyte (byte offset 4): has 9 labels but train-images-idx3-ubyte has 10 images');
  });

  it('rejects labels out of range of the class names, with the byte offset of the label', async () => {
    const { files } = mnistLike();
    const error = await importError(importIdx(files, { classNames: ['a', 'b'] }));
    expect(error.file).toBe('train-labels-idx1-ubyte');
    expect(error.offset).toBe(8 + 2);
    expect(error.message).toMatch(/label 2 of image 2 is out of range: the dataset has 2 classes/);
  });

  it('rejects images without labels and a test set without a training set', async () => {
    const { files } = mnistLike();
    await expect(importIdx([files[0]!, files[2]!, files[3]!])).rejects.toThrow(/train-images-idx3-ubyte: images for the train split have no labels file/);
    await expect(importIdx(files.slice(2))).rejects.toThrow(/no training files/);
  });

  it('rejects a corrupt .gz naming it', async () => {
    const { files } = mnistLike();
    const gz = gzipSync(files[0]!.bytes as Uint8Array);
    gz[gz.length - 6]! ^= 0xff; // inside the CRC-32 of the trailer
    await expect(importDatasetFromFiles([fileOf('train-images-idx3-ubyte.gz', gz), ...files.slice(1)])).rejects.toThrow(
      /train-images-idx3-ubyte.gz \(byte offset \d+\): corrupt or truncated gzip data: CRC-32/,
    );
    const cut = gzipSync(files[0]!.bytes as Uint8Array).subarray(0, 30);
    await expect(importDatasetFromFiles([fileOf('train-images-idx3-ubyte.gz', cut), ...files.slice(1)])).rejects.toThrow(/train-images-idx3-ubyte.gz .*(truncated|unexpected EOF)/);
    await expect(importDatasetFromFiles([fileOf('train-images-idx3-ubyte.gz', files[0]!.bytes as Uint8Array), ...files.slice(1)])).rejects.toThrow(
      /not gzip data: expected bytes 1f 8b, found 00 00/,
    );
  });
});
