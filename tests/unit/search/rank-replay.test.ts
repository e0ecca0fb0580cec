import { describe, expect, it } from 'vitest';
import { replayRecord as entry } from '../replay-record';
import { rankReplay } from '../../../src/search/search-session';

describe('rankReplay (weights kept, final phase)', () => {
  it('ranks by validation accuracy when the reward is the accuracy, trained nets only', () => {
    const ranked = rankReplay([
      entry('[SM(10)]', { bestValAccuracy: 0.6 }),
      entry('[FC(8), SM(10)]', { bestValAccuracy: 0.9 }),
      entry('[C(8,3,1), SM(10)]', { bestValAccuracy: 0.95, source: 'imported' }),
      entry('[C(4,3,1), SM(10)]', { bestValAccuracy: 0.99, status: 'failed' }),
      entry('[C(16,3,1), SM(10)]', { bestValAccuracy: 0.1, status: 'failed-to-learn' }),
    ]);
    expect(ranked.map((e) => e.netString)).toEqual(['[FC(8), SM(10)]', '[SM(10)]', '[C(16,3,1), SM(10)]']);
  });

  it('puts a fast net ahead of a slightly more accurate slow one under a latency target (the reward)', () => {
    const ranked = rankReplay([
      entry('[C(64,3,1), FC(512), SM(10)]', { bestValAccuracy: 0.93, reward: 0.47 }),
      entry('[C(8,3,1), SM(10)]', { bestValAccuracy: 0.9, reward: 0.9 }),
      entry('[SM(10)]', { bestValAccuracy: 0.9, reward: 0.9 - 1e-9 }),
    ]);
    expect(ranked.map((e) => e.netString)).toEqual(['[C(8,3,1), SM(10)]', '[SM(10)]', '[C(64,3,1), FC(512), SM(10)]']);
  });
});
