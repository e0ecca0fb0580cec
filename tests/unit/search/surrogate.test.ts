/** The strategy lab's oracle (issue 16) on the authors' replay file. */
import { describe, expect, it } from 'vitest';
import { makeSearchSpace, parseNetwork, validateNetwork } from '../../../src/core';
import { SurrogateError, SurrogateOracle, type SurrogateSample } from '../../../src/core/surrogate';
import { importReplayCsv } from '../../../src/search/export';
import { fixtureText, SVHN } from '../export/helpers';

const svhn = makeSearchSpace('paper', { inputShape: SVHN, numClasses: 10 });

/**
 * The file's rows as samples (each net's result as the importer keeps it), without the ε = 0.7
 * rows: every one of them reads 86.0, a placeholder (shared/fixtures/README.md).
 */
function samples(): SurrogateSample[] {
  const { iterations } = importReplayCsv(fixtureText(), { inputShape: SVHN });
  expect(iterations.filter((it) => it.epsilon === 0.7).length).toBeGreaterThan(60);
  return iterations.filter((it) => it.epsilon !== 0.7).map((it) => ({ net: it.netString, accuracy: it.accuracy }));
}

describe('SurrogateOracle', () => {
  const data = samples();
  const oracle = new SurrogateOracle(data, svhn);

  it('returns the file’s value (mean over repeats) for every net in the file', () => {
    const byNet = new Map<string, number[]>();
    for (const s of data) byNet.set(s.net, [...(byNet.get(s.net) ?? []), s.accuracy]);
    expect(oracle.size).toBe(byNet.size);
    for (const [net, values] of byNet) {
      expect(oracle.accuracy(net)).toBeCloseTo(values.reduce((a, b) => a + b, 0) / values.length, 12);
    }
  });

  it('predicts a net never sampled from its nearest sampled nets, within their range', () => {
    const net = '[C(512,5,1), C(512,5,1), P(5,3), C(512,3,1), C(512,3,1), C(256,3,1), P(2,2), FC(512), FC(512), SM(10)]';
    expect(validateNetwork(parseNetwork(net), svhn)).toEqual([]);
    expect(oracle.recorded(net)).toBeUndefined();
    const predicted = oracle.accuracy(net);
    expect(predicted).toBeGreaterThan(0.05);
    expect(predicted).toBeLessThan(1);
    expect(oracle.accuracy(net)).toBe(predicted);
  });

  it('predicts better than the mean, leaving each net out', () => {
    const loo = oracle.leaveOneOut();
    expect(loo.nets).toBe(oracle.size);
    expect(loo.meanAbsoluteError).toBeLessThan(loo.meanBaselineError);
  });

  it('refuses samples with no net of the space, saying how many and why', () => {
    expect(() => new SurrogateOracle([], svhn)).toThrow(SurrogateError);
    const tiny = makeSearchSpace('tiny', { inputShape: { height: 28, width: 28, channels: 1 }, numClasses: 10 });
    const svhnOnly = data.filter((d) => /C\(512,/.test(d.net)).slice(0, 50);
    expect(() => new SurrogateOracle(svhnOnly, tiny)).toThrow(/no usable rows for the oracle: 50 rows, 50 of them nets outside the 28×28×1 search space \(first: \[C/);
  });
});
