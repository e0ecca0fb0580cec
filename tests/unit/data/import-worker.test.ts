/** workers/import.worker.ts without a browser: comlink's expose/transfer are captured. */
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { ImportWorkerApi } from '../../../workers/import.worker';
import { cifarBatch, fileOf, idxImages, idxLabels, patternBytes } from './fixtures';

const captured: { api?: ImportWorkerApi; transfers?: Transferable[] } = {};

vi.mock('comlink', () => ({
  expose: (api: ImportWorkerApi) => {
    captured.api = api;
  },
  transfer: <T>(value: T, transfers: Transferable[]) => {
    captured.transfers = transfers;
    return value;
  },
}));

beforeAll(async () => {
  await import('../../../workers/import.worker');
});

describe('import worker', () => {
  it('imports and hands back all four buffers as transferables', async () => {
    const train = idxImages(6, 2, 2, 1);
    const progress: string[] = [];
    const dataset = await captured.api!.importFiles(
      [fileOf('train-images-idx3-ubyte', train.file), fileOf('train-labels-idx1-ubyte', idxLabels([0, 1, 0, 1, 0, 1]))],
      { testFraction: 0.5 },
      (p) => progress.push(p.phase),
    );
    expect(dataset.meta.counts).toEqual({ train: 3, test: 3 });
    const buffers = [dataset.train.images, dataset.train.labels, dataset.test.images, dataset.test.labels].map((a) => a.buffer);
    expect(new Set(captured.transfers)).toEqual(new Set(buffers));
    expect(progress).toContain('hashing');
  });

  it('cancels a running import by job id, and one cancelled before it started', async () => {
    const records = Array.from({ length: 6000 }, (_, i) => ({ label: i % 10, planar: patternBytes(3072, i) }));
    const files = [fileOf('data_batch_1.bin', cifarBatch(records, 'cifar-10'))];
    const running = captured.api!.importFiles(files, {}, undefined, 'job-1');
    captured.api!.cancel('job-1');
    await expect(running).rejects.toMatchObject({ name: 'AbortError' });

    captured.api!.cancel('job-2');
    await expect(captured.api!.importFiles(files, {}, undefined, 'job-2')).rejects.toMatchObject({ name: 'AbortError' });
  });
});
