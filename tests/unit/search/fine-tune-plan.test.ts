import { describe, expect, it } from 'vitest';
import { finalCosts, planFineTuning, recentMsPerNet } from '../../../src/search/session/budget-keeper';
import { presetConfig } from '../../../src/search/config';
import { replayRecord } from '../replay-record';

// A net that trained 2 epochs on 1,000 images: 2 ms an image-epoch, 100 ms of evaluation an epoch, 300 ms to start.
const net = replayRecord('[C(8,3,1), SM(10)]', {
  trainImages: 1000,
  valCurve: [{ accuracy: 0.5, loss: 1 }, { accuracy: 0.6, loss: 0.9 }],
  timings: { buildMs: 100, firstBatchMs: 200, trainingMs: 4000, evaluationMs: 200 },
});

describe('planFineTuning', () => {
  // All 8,000 images: 16 s + 0.1 s an epoch.
  it("gives the config's epochs over all the images when they fit", () => {
    expect(planFineTuning(net, 200_000, 6, 8000, 0)).toEqual({ epochs: 6, trainSampleSize: null });
  });

  it('gives fewer epochs when only those fit', () => {
    expect(planFineTuning(net, 50_000, 6, 8000, 0)).toEqual({ epochs: 3, trainSampleSize: null });
  });

  it('gives one epoch on a sample larger than the search had, else nothing', () => {
    // 10 s: (10,000 - 300 - 100) / 2 = 4,800 images.
    expect(planFineTuning(net, 10_000, 6, 8000, 0)).toEqual({ epochs: 1, trainSampleSize: 4800 });
    expect(planFineTuning(net, 2000, 6, 8000, 0)).toBe('none');
  });

  it('without timings, all or nothing by the typical cost', () => {
    const untimed = { ...net, timings: null };
    expect(planFineTuning(untimed, 5000, 6, 8000, 4000)).toEqual({ epochs: 6, trainSampleSize: null });
    expect(planFineTuning(untimed, 3000, 6, 8000, 4000)).toBe('none');
  });
});

describe('finalCosts', () => {
  it('scales the training per epoch from the images a net had to all of them', () => {
    const config = presetConfig('budget', 'mnist', 1);
    const { fineTuneMsPerNet } = finalCosts([net], config, 10_000, 600_000, 8000);
    // 300 ms to start + 6 epochs × (2 s × 8 + 0.1 s) + a 2 s margin.
    expect(fineTuneMsPerNet).toBeCloseTo(300 + 6 * (16_000 + 100) + 2000, 6);
  });
});

describe('recentMsPerNet', () => {
  const at = (i: number, finishedAt: number) => replayRecord(`[C(${i},3,1), SM(10)]`, { finishedAt });

  it('is the median gap between the last nets to finish, times the trainers', () => {
    // A slow start (the first net 60 s in), then a net every 10 s, one 30 s gap (a pause).
    const replay = [at(1, 60_000), at(2, 70_000), at(3, 80_000), at(4, 110_000), at(5, 120_000), at(6, 130_000)];
    expect(recentMsPerNet(replay, 1)).toBe(10_000);
    expect(recentMsPerNet(replay, 2)).toBe(20_000);
    // Imported nets say nothing of this device's pace.
    expect(recentMsPerNet([...replay, { ...at(7, 131_000), source: 'imported' as const }], 1)).toBe(10_000);
  });

  it('needs three nets', () => {
    expect(recentMsPerNet([at(1, 1000), at(2, 2000)], 1)).toBe(Infinity);
  });
});
