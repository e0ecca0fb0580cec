import { describe, expect, it } from 'vitest';
import { meanAccuracyByEpsilon as appMeanByEpsilon, replayIterations as appIterations } from '../../../src/search/export/replay-iterations';
import { meanAccuracyByEpsilon, replayIterations } from '../../../scripts/lib/replay.mjs';
import { trainedEntry } from '../export/helpers';

/** A replay memory with the cases the CSV must get right. */
function entries() {
  return [
    trainedEntry('[C(8,3,1), P(2,2), FC(16), FC(8), SM(10)]', { iterations: [1, 4], epsilon: 1 }),
    trainedEntry('[C(4,1,1), GAP(10), SM(10)]', { iterations: [2], testAccuracy: null, trainedBy: null, bestValAccuracy: 0.5 }),
    trainedEntry('[SM(10)]', { iterations: [3], valCurve: [], status: 'too-large', timings: null, bestValAccuracy: 0.1, finalValAccuracy: 0.1 }),
    trainedEntry('[C(8,3,1), C(8,3,1), P(3,2), C(4,1,1), SM(10)]', {
      iterations: [5],
      epsilon: 0.5,
      bestValAccuracy: 0.8125,
      finishedAt: 1_700_000_123_456,
      valCurve: [
        { accuracy: 0.8, loss: 1 },
        { accuracy: 0.8125, loss: 0.9 },
        { accuracy: 0.8125, loss: 0.9 },
      ],
    }),
  ];
}
const agentReplay = [
  { net: '[C(8,3,1), P(2,2), FC(16), FC(8), SM(10)]', iteration: 1, epsilon: 1 },
  { net: '[C(4,1,1), GAP(10), SM(10)]', iteration: 2, epsilon: 1 },
  { net: '[SM(10)]', iteration: 3, epsilon: 1 },
  { net: '[C(8,3,1), P(2,2), FC(16), FC(8), SM(10)]', iteration: 4, epsilon: 0.7 },
  { net: '[C(8,3,1), C(8,3,1), P(3,2), C(4,1,1), SM(10)]', iteration: 5, epsilon: 0.5 },
];

describe('iterations and the per-ε means (paper Figure 3)', () => {
  it('agree with the app’s functions', () => {
    expect(replayIterations(entries(), agentReplay)).toEqual(appIterations(entries(), agentReplay));
    expect(replayIterations(entries())).toEqual(appIterations(entries()));
    const its = replayIterations(entries(), agentReplay);
    expect(meanAccuracyByEpsilon(its)).toEqual(appMeanByEpsilon(its));
  });

  it('groups by ε, highest first, counting a reused net once per sampling', () => {
    const table = meanAccuracyByEpsilon(replayIterations(entries(), agentReplay));
    expect(table.map((r) => r.epsilon)).toEqual([1, 0.7, 0.5]);
    expect(table[0]).toEqual({ epsilon: 1, count: 3, meanAccuracy: (0.61 + 0.5 + 0.1) / 3 });
    expect(table[1]).toEqual({ epsilon: 0.7, count: 1, meanAccuracy: 0.61 });
  });
});
