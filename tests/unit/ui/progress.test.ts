import { describe, expect, it } from 'vitest';
import { jobEtaMs, jobFraction, levelProgress, netsPerHour, searchEtaMs } from '../../../src/ui/progress';

describe('jobEtaMs', () => {
  it('counts the batches left in this epoch and the epochs after it at the measured speed', () => {
    // Epoch 2 of 3, batch 4 of 10 done: 6 + 10 batches of 32 images at 64 images/s = 8 s.
    expect(jobEtaMs({ epoch: 2, batch: 4, batchesPerEpoch: 10, imagesPerSecond: 64 }, 3, 32)).toBeCloseTo(8000);
  });
  it('is 0 on the last batch and null before the speed is known', () => {
    expect(jobEtaMs({ epoch: 3, batch: 10, batchesPerEpoch: 10, imagesPerSecond: 50 }, 3, 32)).toBe(0);
    expect(jobEtaMs({ epoch: 1, batch: 1, batchesPerEpoch: 10, imagesPerSecond: 0 }, 3, 32)).toBeNull();
  });
});

describe('jobFraction', () => {
  it.each([
    [{ epoch: 1, batch: 5, batchesPerEpoch: 10 }, 2, 0.25],
    [{ epoch: 2, batch: 10, batchesPerEpoch: 10 }, 2, 1],
    [{ epoch: 5, batch: 10, batchesPerEpoch: 10 }, 2, 1],
  ])('%o of %i epochs is %f', (progress, epochs, expected) => {
    expect(jobFraction(progress, epochs)).toBeCloseTo(expected);
  });
});

describe('levelProgress', () => {
  const schedule = [
    { epsilon: 1, nets: 3 },
    { epsilon: 0.5, nets: 2 },
  ];
  it('takes the agent’s own per-level counts when they fit the schedule', () => {
    expect(levelProgress(schedule, [], [3, 1])).toEqual([
      { epsilon: 1, nets: 3, done: 3 },
      { epsilon: 0.5, nets: 2, done: 1 },
    ]);
  });
  it('otherwise counts nets by the ε they were trained at, capped at the level', () => {
    const entries = [1, 1, 1, 1, 0.5].map((epsilon) => ({ epsilon }));
    expect(levelProgress(schedule, entries, [1])).toEqual([
      { epsilon: 1, nets: 3, done: 3 },
      { epsilon: 0.5, nets: 2, done: 1 },
    ]);
  });
});

describe('searchEtaMs', () => {
  const trained = (finishedAt: number) => ({ finishedAt, source: 'trained' });
  it('extrapolates the pace of the last trained nets (parallel trainers included)', () => {
    // 4 nets a minute apart: 3 minutes per 3 intervals; 10 more nets take 10 minutes.
    const entries = [0, 60_000, 120_000, 180_000].map((t) => trained(1_000_000 + t));
    expect(searchEtaMs(entries, 10)).toBe(600_000);
  });
  it('ignores imported nets and needs two trained ones', () => {
    expect(searchEtaMs([trained(5), { finishedAt: 10, source: 'imported' }], 3)).toBeNull();
    expect(searchEtaMs([], 0)).toBe(0);
  });
  it('follows the recent pace, not the first nets', () => {
    const slow = Array.from({ length: 5 }, (_, i) => trained(1 + i * 600_000));
    const fast = Array.from({ length: 20 }, (_, i) => trained(10_000_000 + i * 1000));
    expect(searchEtaMs([...slow, ...fast], 1)).toBe(1000);
  });
});

describe('netsPerHour', () => {
  it('is the rate since the tab joined, once a minute has passed', () => {
    expect(netsPerHour(6, 0, 1_800_000)).toBe(12);
    expect(netsPerHour(1, 0, 30_000)).toBeNull();
  });
});
