import { gzipSync } from 'fflate';
import { createTar } from 'nanotar';
import { describe, expect, it } from 'vitest';
import { detectFormat, importDatasetFromFiles } from '../../../src/data/import-dataset';
import type { ImportProgress } from '../../../src/data/progress';
import { blobFileOf, cifarBatch, encodePng, fileOf, idxImages, idxLabels, MI, MX, matFile, patternBytes } from './fixtures';

const cifarRecords = (labels: number[]) => labels.map((label, i) => ({ label, planar: patternBytes(3072, i + 1) }));

describe('format detection', () => {
  it.each([
    ['idx', [fileOf('train-images-idx3-ubyte', new Uint8Array(4)), fileOf('train-labels-idx1-ubyte', new Uint8Array(4))]],
    ['idx', [fileOf('images.raw', idxImages(1, 2, 2, 1).file)]], // no usual name: the magic number decides
    ['cifar-10', [fileOf('data_batch_1.bin', new Uint8Array(0)), fileOf('readme.html', new Uint8Array(0))]],
    ['cifar-10', [fileOf('my-batch.bin', new Uint8Array(3073 * 2))]], // by record size
    ['cifar-100', [fileOf('train.bin', new Uint8Array(0)), fileOf('fine_label_names.txt', new Uint8Array(0))]],
    ['svhn', [fileOf('train_32x32.mat', new Uint8Array(0))]],
    ['image-folder', [fileOf('a/x.PNG', new Uint8Array(0)), fileOf('b/y.jpeg', new Uint8Array(0)), fileOf('b/.DS_Store', new Uint8Array(0))]],
  ])('detects %s', async (format, files) => {
    expect(await detectFormat(files)).toBe(format);
  });

  it('rejects a mix of formats and lists them', async () => {
    await expect(detectFormat([fileOf('train_32x32.mat', new Uint8Array(0)), fileOf('data_batch_1.bin', new Uint8Array(0))])).rejects.toThrow(
      'svhn: train_32x32.mat; cifar-10: data_batch_1.bin: files of several formats; import one dataset at a time or choose the format',
    );
  });

  it('rejects files of no supported format, naming them', async () => {
    await expect(detectFormat([fileOf('notes.csv', new Uint8Array(3)), fileOf('README.md', new Uint8Array(0))])).rejects.toThrow(/^notes.csv: no supported dataset files/);
  });
});

describe('importDatasetFromFiles', () => {
  it('reads File/Blob inputs, honours format, name, id and licence options', async () => {
    const train = idxImages(4, 2, 2, 1);
    const dataset = await importDatasetFromFiles(
      [blobFileOf('d/a-images', train.file), blobFileOf('d/a-labels', idxLabels([0, 1, 0, 1]))],
      { format: 'idx', name: 'Tiny', id: 'tiny', licence: 'CC0', testFraction: 0.5 },
    );
    expect(dataset.meta).toMatchObject({ id: 'tiny', name: 'Tiny', licence: 'CC0', counts: { train: 2, test: 2 } });
  });

  it('imports .tgz of gzipped IDX files (archives nested in archives)', async () => {
    const train = idxImages(4, 2, 2, 1);
    const tar = createTar([
      { name: 'mnist/train-images-idx3-ubyte.gz', data: gzipSync(train.file) },
      { name: 'mnist/train-labels-idx1-ubyte.gz', data: gzipSync(idxLabels([0, 1, 1, 0])) },
    ]);
    const dataset = await importDatasetFromFiles([fileOf('mnist.tgz', gzipSync(tar))], { testFraction: 0.5 });
    expect(dataset.train.count + dataset.test.count).toBe(4);
    expect(dataset.meta.source).toBe('files: mnist/train-images-idx3-ubyte, mnist/train-labels-idx1-ubyte');
  });

  it('reports progress through the phases and can be cancelled mid-way', async () => {
    const batch = cifarBatch(cifarRecords(Array.from({ length: 4000 }, (_, i) => i % 10)), 'cifar-10');
    const files = [fileOf('data_batch_1.bin', batch), fileOf('test_batch.bin', cifarBatch(cifarRecords([1, 2]), 'cifar-10'))];
    const phases = new Set<string>();
    await importDatasetFromFiles([fileOf('c.tar.gz', gzipSync(createTar(files.map((f) => ({ name: f.path, data: f.bytes as Uint8Array })))))], {
      onProgress: (p: ImportProgress) => phases.add(p.phase),
    });
    expect([...phases].sort()).toEqual(['decompressing', 'hashing', 'parsing']);

    const controller = new AbortController();
    const seen: ImportProgress[] = [];
    const promise = importDatasetFromFiles(files, {
      signal: controller.signal,
      onProgress: (p) => {
        seen.push(p);
        if (p.phase === 'parsing' && p.done > 0) controller.abort(new Error('stopped by test'));
      },
    });
    await expect(promise).rejects.toThrow('stopped by test');
    expect(seen.some((p) => p.phase === 'hashing')).toBe(false);
  });

  it('needs a decoder for image folders', async () => {
    await expect(importDatasetFromFiles([fileOf('a/1.png', encodePng(1, 1, 1, new Uint8Array(1))), fileOf('b/1.png', encodePng(1, 1, 1, new Uint8Array(1)))])).rejects.toThrow(
      /need options.decodeImage/,
    );
  });

  it('rejects an unknown format option', async () => {
    await expect(importDatasetFromFiles([fileOf('x', new Uint8Array(1))], { format: 'jpeg-xl' as never })).rejects.toThrow(/unknown dataset format "jpeg-xl"/);
  });

  it('does not confuse a file that is not what its name says', async () => {
    const png = encodePng(1, 1, 1, new Uint8Array(1));
    await expect(importDatasetFromFiles([fileOf('train-images-idx3-ubyte', png), fileOf('train-labels-idx1-ubyte', idxLabels([1]))])).rejects.toThrow(
      /^train-images-idx3-ubyte \(byte offset 0\): not an IDX file: magic number 0x89504e47/,
    );
    const mat = matFile([{ name: 'y', mxClass: MX.DOUBLE, dims: [1, 1], storage: MI.DOUBLE, values: [1] }]);
    await expect(importDatasetFromFiles([fileOf('data_batch_1.bin', mat)])).rejects.toThrow(/data_batch_1.bin \(byte offset \d+\): not a whole number of CIFAR-10 records/);
  });
});
