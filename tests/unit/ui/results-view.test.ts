import { describe, expect, it } from 'vitest';
import { replayRecord as record } from '../replay-record';
import { bestSoFar, constraintSummary, filterRows, resultRow, sortRows, type ResultRow } from '../../../src/ui/results-view';

const rows: ResultRow[] = [
  record('[C(8,3,1), SM(10)]', { iterations: [2], bestValAccuracy: 0.7, testAccuracy: null, params: 50 }),
  record('[FC(16), SM(10)]', { iterations: [1], bestValAccuracy: 0.9, testAccuracy: 0.8, params: 500, status: 'failed-to-learn' }),
  record('[C(4,1,1), FC(8), SM(10)]', { iterations: [], bestValAccuracy: 0.8, testAccuracy: 0.6, params: 5 }),
].map(resultRow);

describe('resultRow', () => {
  it('adds up the training timings and takes the batch-1 latency', () => {
    const row = resultRow(
      record('[SM(10)]', {
        timings: { buildMs: 1, firstBatchMs: 2, trainingMs: 3, evaluationMs: 4 },
        latency: { batch1Ms: 0.5, batchNPerImageMs: 0.1, batchSize: 32 },
      }),
    );
    expect(row.trainMs).toBe(10);
    expect(row.latencyMs).toBe(0.5);
    expect(row.earlyStop).toBeNull();
  });
  it('says where early stopping ended a net and what it predicted', () => {
    const row = resultRow(record('[SM(10)]', { earlyStop: { afterEpoch: 2, predicted: 0.4123, chance: 0.01, bar: 0.9 } }));
    expect(row.earlyStop).toBe('stopped after epoch 2 (predicted 41.2%)');
  });
});

describe('constraintSummary', () => {
  it('says nothing without constraints, and names each one that was set', () => {
    expect(constraintSummary({ paramCap: null, latencyTargetMs: null, latencyPenalty: 1 })).toBeNull();
    expect(constraintSummary({ paramCap: 250000, latencyTargetMs: null, latencyPenalty: 1 })).toBe(
      'Constraints: nets over 250,000 parameters were never proposed.',
    );
    expect(constraintSummary({ paramCap: null, latencyTargetMs: 2, latencyPenalty: 0.5 })).toBe(
      'Constraints: the reward is the validation accuracy × (2 ms / latency)^0.5 for nets slower than 2 ms per image at batch 1, the accuracy itself otherwise.',
    );
  });
  it('sorts by the reward, which the row carries apart from the accuracy', () => {
    const shaped = [record('[SM(10)]', { bestValAccuracy: 0.9, reward: 0.3 }), record('[FC(8), SM(10)]', { bestValAccuracy: 0.6, reward: 0.6 })].map(resultRow);
    expect(sortRows(shaped, 'reward', 'descending').map((r) => r.netString)).toEqual(['[FC(8), SM(10)]', '[SM(10)]']);
    expect(sortRows(shaped, 'valAccuracy', 'descending').map((r) => r.netString)).toEqual(['[SM(10)]', '[FC(8), SM(10)]']);
  });
});

describe('sortRows', () => {
  it('sorts numbers both ways', () => {
    expect(sortRows(rows, 'valAccuracy', 'descending').map((r) => r.valAccuracy)).toEqual([0.9, 0.8, 0.7]);
    expect(sortRows(rows, 'params', 'ascending').map((r) => r.params)).toEqual([5, 50, 500]);
  });
  it('keeps missing values last whichever the direction', () => {
    expect(sortRows(rows, 'testAccuracy', 'ascending').map((r) => r.testAccuracy)).toEqual([0.6, 0.8, null]);
    expect(sortRows(rows, 'testAccuracy', 'descending').map((r) => r.testAccuracy)).toEqual([0.8, 0.6, null]);
    // Iteration 0 means "unknown": last.
    expect(sortRows(rows, 'iteration', 'descending').map((r) => r.iteration)).toEqual([2, 1, 0]);
  });
  it('sorts text by locale and does not change its input', () => {
    const before = rows.map((r) => r.netString);
    expect(sortRows(rows, 'netString', 'ascending').map((r) => r.netString)[0]).toBe('[C(4,1,1), FC(8), SM(10)]');
    expect(rows.map((r) => r.netString)).toEqual(before);
  });
});

describe('filterRows', () => {
  it('matches net text ignoring case and spaces, and the status', () => {
    expect(filterRows(rows, { text: 'fc(', status: 'all' })).toHaveLength(2);
    expect(filterRows(rows, { text: 'C(8,3,1),SM', status: 'all' }).map((r) => r.netString)).toEqual(['[C(8,3,1), SM(10)]']);
    expect(filterRows(rows, { text: '', status: 'failed-to-learn' }).map((r) => r.netString)).toEqual(['[FC(16), SM(10)]']);
    expect(filterRows(rows, { text: 'GAP', status: 'all' })).toEqual([]);
  });
});

describe('bestSoFar', () => {
  it('is the running maximum in finishing order, unknown times left out', () => {
    const points = bestSoFar([
      { finishedAt: 30, bestValAccuracy: 0.4 },
      { finishedAt: 10, bestValAccuracy: 0.5 },
      { finishedAt: 20, bestValAccuracy: 0.3 },
      { finishedAt: 0, bestValAccuracy: 0.99 },
    ]);
    expect(points).toEqual([
      { at: 10, best: 0.5 },
      { at: 20, best: 0.5 },
      { at: 30, best: 0.5 },
    ]);
  });
});
