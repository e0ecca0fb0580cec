/**
 * Early stopping replayed on real curves: a search recorded in Chromium with every net trained
 * to the end (bench/curves/README.md). Deterministic: the file and the rule fix the outcome.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { simulateEarlyStopping } from '../../../src/core';
import { recordedNets } from '../../../scripts/lib/recorded-curves';

const file = new URL('../../../bench/curves/mnist-webgl-5-epochs-32-nets.json', import.meta.url);

describe('early stopping on recorded MNIST curves', () => {
  it('saves epochs without stopping any of the true top 5', () => {
    const nets = recordedNets(JSON.parse(readFileSync(file, 'utf8')), 'mnist-webgl-5-epochs-32-nets.json');
    expect(nets).toHaveLength(32);
    const report = simulateEarlyStopping(nets, { confidence: 0.95, topK: 5, minCompleted: 10 });
    expect(report.fullEpochs).toBe(160);
    expect(report.trueTopStopped).toEqual([]);
    expect(report.epochsTrained).toBe(114);
    // Every net it stopped really ended below the top 5.
    const fifth = Math.min(...nets.filter((n) => report.trueTop.includes(n.id)).map((n) => Math.max(...n.curve)));
    for (const s of report.stopped) expect(s.actual).toBeLessThan(fifth);
  });
});
