import { gzipSync } from 'fflate';
import { createTar } from 'nanotar';
import { describe, expect, it } from 'vitest';
import { importCifar, parseCifarBatch } from '../../../src/data/cifar';
import { importDatasetFromFiles } from '../../../src/data/import-dataset';
import { cifarBatch, fileOf, nhwcIndex, patternBytes } from './fixtures';

function records(labels: readonly number[], seed: number, coarse?: readonly number[]) {
  return labels.map((label, i) => ({ label, planar: patternBytes(3072, seed + i), ...(coarse ? { coarse: coarse[i] as number } : {}) }));
}

const META = 'airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n\n';

function cifar10Files() {
  const batch1 = records([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 100);
  const batch2 = records([9, 8, 7, 6, 5, 4, 3, 2, 1, 0], 200);
  const test = records([3, 3, 5, 5, 0], 300);
  return {
    batch1,
    batch2,
    test,
    files: [
      // Out of order on purpose: batches are read by number.
      { name: 'cifar-10-batches-bin/data_batch_2.bin', data: cifarBatch(batch2, 'cifar-10') },
      { name: 'cifar-10-batches-bin/data_batch_1.bin', data: cifarBatch(batch1, 'cifar-10') },
      { name: 'cifar-10-batches-bin/test_batch.bin', data: cifarBatch(test, 'cifar-10') },
      { name: 'cifar-10-batches-bin/batches.meta.txt', data: new TextEncoder().encode(META) },
      { name: 'cifar-10-batches-bin/readme.html', data: new TextEncoder().encode('<html></html>') },
    ],
  };
}

describe('CIFAR binary import', () => {
  it('turns planar RGB records into NHWC pixels', async () => {
    const [record] = records([7], 5);
    const set = await parseCifarBatch('data_batch_1.bin', cifarBatch([record!], 'cifar-10'), 'cifar-10');
    expect(set.count).toBe(1);
    expect([...set.labels]).toEqual([7]);
    for (const [y, x] of [[0, 0], [0, 31], [17, 4], [31, 31]] as const) {
      for (let c = 0; c < 3; c++) expect(set.images[nhwcIndex(y, x, c)]).toBe(record!.planar[c * 1024 + y * 32 + x]);
    }
  });

  it('imports cifar-10-binary.tar.gz as distributed: batches in order, class names from batches.meta.txt', async () => {
    const { batch1, batch2, test, files } = cifar10Files();
    const archive = gzipSync(createTar(files));
    const dataset = await importDatasetFromFiles([fileOf('cifar-10-binary.tar.gz', archive)]);
    expect(dataset.meta.name).toBe('CIFAR-10');
    expect(dataset.meta.shape).toEqual({ height: 32, width: 32, channels: 3 });
    expect(dataset.meta.classNames).toEqual(['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck']);
    expect([...dataset.train.labels]).toEqual([...batch1, ...batch2].map((r) => r.label));
    expect([...dataset.test.labels]).toEqual(test.map((r) => r.label));
    // First pixel of the 11th training image = first record of batch 2.
    expect(dataset.train.images[10 * 3072 + 1]).toBe(batch2[0]!.planar[1024]);
    expect(dataset.meta.source).toContain('data_batch_1.bin');
    expect(dataset.meta.split.method).toBe('given');
  });

  it('gives the same dataset from the loose .bin files as from the archive', async () => {
    const { files } = cifar10Files();
    const loose = await importDatasetFromFiles(files.map((f) => fileOf(f.name, f.data)));
    const archived = await importDatasetFromFiles([fileOf('x/cifar-10-binary.tar.gz', gzipSync(createTar(files)))]);
    expect(archived.meta.checksum).toBe(loose.meta.checksum);
  });

  it('imports CIFAR-100 with the fine labels', async () => {
    const train = records([99, 0, 42], 1, [19, 0, 7]);
    const test = records([5], 9, [3]);
    const names = Array.from({ length: 100 }, (_, i) => `fine${i}`).join('\n');
    const dataset = await importDatasetFromFiles([
      fileOf('cifar-100-binary/train.bin', cifarBatch(train, 'cifar-100')),
      fileOf('cifar-100-binary/test.bin', cifarBatch(test, 'cifar-100')),
      fileOf('cifar-100-binary/fine_label_names.txt', new TextEncoder().encode(names)),
      fileOf('cifar-100-binary/coarse_label_names.txt', new TextEncoder().encode('c0\n')),
    ]);
    expect(dataset.meta.name).toBe('CIFAR-100');
    expect(dataset.meta.classNames).toHaveLength(100);
    expect(dataset.meta.classNames[42]).toBe('fine42');
    expect([...dataset.train.labels]).toEqual([99, 0, 42]);
    expect(dataset.train.images[2]).toBe(train[0]!.planar[2048]);
  });

  it('rejects a cut-short record with its offset', async () => {
    const bytes = cifarBatch(records([1, 2], 1), 'cifar-10').subarray(0, 3073 + 100);
    await expect(parseCifarBatch('data_batch_1.bin', bytes, 'cifar-10')).rejects.toThrow(
      'data_batch_1.bin (byte offset 3073): not a whole number of CIFAR-10 records: 3173 bytes is 1 records of 3073 bytes plus 100; the last record is cut short',
    );
  });

  it('rejects labels out of range', async () => {
    await expect(parseCifarBatch('test_batch.bin', cifarBatch(records([1, 10], 1), 'cifar-10'), 'cifar-10')).rejects.toThrow(
      'test_batch.bin (byte offset 3073): label 10 of record 1 is out of range 0..9',
    );
    await expect(parseCifarBatch('train.bin', cifarBatch(records([100], 1, [0]), 'cifar-100'), 'cifar-100')).rejects.toThrow(/byte offset 1\): label 100 of record 0 is out of range 0..99/);
    await expect(parseCifarBatch('train.bin', cifarBatch(records([1], 1, [20]), 'cifar-100'), 'cifar-100')).rejects.toThrow(/coarse label 20 of record 0 is out of range 0..19/);
  });

  it('rejects a class-name file with the wrong number of names', async () => {
    const { files } = cifar10Files();
    files[3] = { name: 'cifar-10-batches-bin/batches.meta.txt', data: new TextEncoder().encode('cat\ndog\n') };
    await expect(importCifar(files.map((f) => fileOf(f.name, f.data)), 'cifar-10')).rejects.toThrow(/batches.meta.txt: has 2 class names, expected 10/);
  });

  it('rejects a truncated archive and a tar that is not one', async () => {
    const { files } = cifar10Files();
    const tar = createTar(files);
    await expect(importDatasetFromFiles([fileOf('cifar-10-binary.tar', tar.subarray(0, 5000))])).rejects.toThrow(
      /cifar-10-binary.tar \(byte offset 0\): truncated tar archive: an entry of 30730 bytes runs past the end/,
    );
    const corrupt = tar.slice();
    corrupt[600]! ^= 0x55; // inside the first entry's data: the tar is fine, the CIFAR record changes
    corrupt[0]! ^= 0x01; // the first header's name: checksum no longer matches
    await expect(importDatasetFromFiles([fileOf('cifar-10-binary.tar', corrupt)])).rejects.toThrow(/not a tar archive: the first header checksum does not match/);
  });
});
