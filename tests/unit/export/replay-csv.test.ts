import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { countMultiplyAdds, countParams, parseNetwork } from '../../../src/core';
import {
  exportReplayCsv,
  importReplayCsv,
  meanAccuracyByEpsilon,
  REPLAY_CSV_COLUMNS,
} from '../../../src/search/export';
import { fixtureText, HEADER, MNIST, SVHN, trainedEntry } from './helpers';

describe('importReplayCsv on the original code\'s replay_database.csv', () => {
  const result = importReplayCsv(fixtureText(), { inputShape: SVHN });

  it('imports every row and merges repeated nets', () => {
    expect(result.errors).toEqual([]);
    // Counts cross-checked with an independent Python reading of the file.
    expect(result.stats).toMatchObject({
      rows: 1983,
      acceptedRows: 1983,
      rejectedRows: 0,
      distinctNets: 1843,
      repeatedRows: 140,
      conflictingRows: 18,
      percentRows: 73,
      testNotMeasuredRows: 1983,
      dropoutTokenRows: 1839,
      unknownMachineRows: 1794,
      unknownTimeRows: 1910,
      failedToLearnNets: 779,
      iterationsFrom: 'row-order',
    });
    expect(result.entries).toHaveLength(1843);
    expect(result.iterations).toHaveLength(1983);
    expect(result.entries.reduce((sum, e) => sum + e.iterations.length, 0)).toBe(1983);
  });

  it('gives the paper\'s 52% at ε = 1.0 (per sampled iteration, as Figure 3 counts)', () => {
    const byEpsilon = meanAccuracyByEpsilon(result.iterations);
    expect(byEpsilon.map((g) => g.epsilon)).toEqual([1, 0.9, 0.8, 0.7]);
    expect(byEpsilon.map((g) => g.count)).toEqual([1615, 164, 131, 73]);
    expect(byEpsilon[0]!.meanAccuracy).toBeCloseTo(0.5225, 3);
    expect(Math.abs(byEpsilon[0]!.meanAccuracy - 0.5225)).toBeLessThan(0.0005);
    // After the percentages are divided by 100 every mean is a fraction.
    for (const group of byEpsilon) expect(group.meanAccuracy).toBeLessThanOrEqual(1);
  });

  it('reports each quirk: percentages, repeated ix_q_value_update, conflicting repeats', () => {
    const percent = result.warnings.filter((w) => w.message.includes('percentages'));
    expect(percent).toHaveLength(73);
    expect(percent[0]).toEqual({
      line: 1912,
      message: 'accuracies written as percentages (accuracy_best_val 86.0, accuracy_last_val 85.5): divided by 100',
    });
    const ix = result.warnings.filter((w) => w.message.includes('ix_q_value_update'));
    expect(ix).toEqual([{ line: 3, message: expect.stringContaining('repeats (first on line 2)') }]);
    const conflicts = result.warnings.filter((w) => w.message.includes('different result'));
    expect(conflicts).toHaveLength(18);
    expect(conflicts[0]!.line).toBe(1912);
    expect(conflicts[0]!.message).toContain('first imported from line 1024');
    expect(result.warnings).toHaveLength(73 + 1 + 18);
  });

  it('builds store-shaped entries: dropout-free key, first result kept, nulls where unknown', () => {
    // Line 1024 trained it at 0.8096; line 1912 (ε = 0.7) says 86.0.
    const net = result.entries.find((e) => e.netString === '[C(512,1,1), C(512,5,1), SM(10)]')!;
    expect(net).toMatchObject({
      bestValAccuracy: 0.8096,
      finalValAccuracy: 0.8096,
      reward: 0.8096,
      epsilon: 1,
      testAccuracy: null,
      trainedBy: null,
      latency: null,
      timings: null,
      backend: null,
      valCurve: [],
      status: 'ok',
      source: 'imported',
      finishedAt: 0,
    });
    expect(net.iterations).toEqual([1023, 1911]);
    const layers = parseNetwork(net.netString);
    expect(net.params).toBe(countParams(layers, SVHN));
    expect(net.multiplyAdds).toBe(countMultiplyAdds(layers, SVHN));

    const failed = result.entries.find((e) => e.netString === '[C(256,1,1), GAP(10), SM(10)]')!;
    expect(failed.status).toBe('failed-to-learn');

    // First seen on an ε = 0.7 row: rescaled, with its machine and time.
    const late = result.entries.find((e) => e.netString === '[C(512,1,1), C(128,5,1), C(128,5,1), SM(10)]')!;
    expect(late).toMatchObject({ bestValAccuracy: 0.86, finalValAccuracy: 0.855, epsilon: 0.7, trainedBy: 'luna' });
    expect(late.finishedAt).toBe(1_475_869_900_530);
  });
});

describe('importReplayCsv reports malformed rows by line', () => {
  const good = '"[C(64,3,1), P(2,2), SM(10)]",0.5,3.0,0.45,5.0,-1.0,-1.0,1.0,1.0,1700000000.0,tab-a';

  it('names the line and what was wrong, and keeps the good rows', () => {
    const text = [
      HEADER,
      good,
      '"[C(64,3,1), SM(10)]",0.5,3.0,0.45,5.0,-1.0,-1.0,2.0,1.0,1700000000.0', // 10 fields
      '"[C(128,3,1), SM(10)]",abc,3.0,0.45,5.0,-1.0,-1.0,3.0,1.0,1700000000.0,tab-a',
      '"[C(64,3,1) P(2,2), SM(10)]",0.5,3.0,0.45,5.0,-1.0,-1.0,4.0,1.0,1700000000.0,tab-a',
      '"[C(64,5,1), SM(10)]",0.5,3.0,0.45,5.0,-1.0,-1.0,5.0,1.7,1700000000.0,tab-a',
      '"[C(64,1,1), SM(10)]",150,3.0,0.45,5.0,-1.0,-1.0,6.0,1.0,1700000000.0,tab-a',
      '"[C(64,3,1), SM(10)]",0.5,3.0,0.45,5.0,-2.0,-1.0,7.0,1.0,1700000000.0,tab-a',
      '"[P(5,3), P(5,3), P(5,3), SM(10)]",0.5,3.0,0.45,5.0,-1.0,-1.0,8.0,1.0,1700000000.0,tab-a',
      '"[C(64,3,1), SM(10)]",0.5,3.0,0.45,5.0,-1.0,-1.0,2.5,1.0,1700000000.0,tab-a',
      '',
    ].join('\n');
    const result = importReplayCsv(text, { inputShape: MNIST });
    expect(result.errors).toEqual([
      { line: 3, message: 'expected 11 fields (one per header column), found 10' },
      { line: 4, message: 'accuracy_best_val: expected a number, found "abc"' },
      {
        line: 5,
        message: `net "[C(64,3,1) P(2,2), SM(10)]": network string, character 11: expected ',' or ']' after a layer, found 'P'`,
      },
      { line: 6, message: 'epsilon: 1.7 is outside 0..1' },
      { line: 7, message: 'accuracy_best_val: 150 is not an accuracy (expected a fraction from 0 to 1, or a percentage up to 100)' },
      {
        line: 8,
        message:
          'accuracy_best_test: -2.0 is not an accuracy (expected a fraction from 0 to 1, or a percentage up to 100, or -1 for "not measured")',
      },
      { line: 9, message: expect.stringMatching(/^net "\[P\(5,3\).*cannot be built on a 28x28x1 input: layer 3 P\(5,3\)/) },
      { line: 10, message: 'ix_q_value_update: expected a whole number >= 0, found 2.5' },
    ]);
    expect(result.stats).toMatchObject({ rows: 9, acceptedRows: 1, rejectedRows: 8, distinctNets: 1 });
    expect(result.entries.map((e) => e.netString)).toEqual(['[C(64,3,1), P(2,2), SM(10)]']);
  });

  it('counts lines, not records, when a quoted field spans lines', () => {
    const text = [
      HEADER,
      '"[C(64,3,1),',
      ' SM(10)]",0.5,3.0,0.45,5.0,-1.0,-1.0,1.0,1.0,0.0,unknown',
      '"[C(64,3,1), SM(10)]",oops,3.0,0.45,5.0,-1.0,-1.0,2.0,1.0,0.0,unknown',
    ].join('\r\n');
    const result = importReplayCsv(text, { inputShape: MNIST });
    expect(result.errors).toEqual([{ line: 4, message: 'accuracy_best_val: expected a number, found "oops"' }]);
    expect(result.entries.map((e) => e.netString)).toEqual(['[C(64,3,1), SM(10)]']);
  });

  it('reports an unterminated quote on the line where its row starts', () => {
    const text = [HEADER, good, '"[C(64,3,1), SM(10)],0.5,3.0,0.45,5.0,-1.0,-1.0,2.0,1.0,0.0,unknown'].join('\n');
    const result = importReplayCsv(text, { inputShape: MNIST });
    expect(result.errors).toEqual([{ line: 3, message: 'malformed CSV: Quoted field unterminated' }]);
    expect(result.entries).toHaveLength(1);
  });

  it('refuses a file without the columns, naming the missing ones', () => {
    const result = importReplayCsv('net,accuracy_best_val\n"[SM(10)]",0.1\n', { inputShape: MNIST });
    expect(result.entries).toEqual([]);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]!.line).toBe(1);
    expect(result.errors[0]!.message).toMatch(/^header row: missing columns iter_best_val, accuracy_last_val, .*machine_run_on; expected net,/);
    expect(importReplayCsv('', { inputShape: MNIST }).errors).toEqual([
      { line: 1, message: `the file is empty; expected a header row: ${HEADER}` },
    ]);
  });

  it('accepts a BOM, columns in another order and an index column (with a warning)', () => {
    const columns = ['', ...[...REPLAY_CSV_COLUMNS].reverse()];
    const values = ['0', 'host', '1475869775.5', '0.9', '1.0', '0.7', '-1.0', '10660.0', '81.0', '9061.0', '82.5', '[C(64,3,1), SM(10)]'];
    const text = `\uFEFF${Papa.unparse({ fields: columns, data: [values] })}`;
    const result = importReplayCsv(text, { inputShape: MNIST });
    expect(result.errors).toEqual([]);
    expect(result.warnings[0]).toEqual({ line: 1, message: 'ignored column ""' });
    expect(result.entries[0]).toMatchObject({
      netString: '[C(64,3,1), SM(10)]',
      bestValAccuracy: 0.825,
      finalValAccuracy: 0.81,
      testAccuracy: 0.7,
      epsilon: 0.9,
      trainedBy: 'host',
      finishedAt: 1_475_869_775_500,
    });
  });
});

describe('exportReplayCsv', () => {
  const entries = [
    trainedEntry('[C(64,3,1), FC(128), SM(10)]', { iterations: [1, 4], epsilon: 1 }),
    trainedEntry('[C(128,5,1), GAP(10), SM(10)]', {
      iterations: [2],
      bestValAccuracy: 0.7,
      finalValAccuracy: 0.7,
      valCurve: [{ accuracy: 0.7, loss: 0.9 }],
      testAccuracy: null,
      trainedBy: null,
      finishedAt: 1_700_000_005_000,
    }),
    trainedEntry('[FC(256), SM(10)]', { iterations: [3], epsilon: 0.9, bestValAccuracy: 0.1, finalValAccuracy: 0.1, valCurve: [], status: 'too-large' }),
  ];
  const agentReplay = [
    { net: '[C(64,3,1), FC(128), SM(10)]', reward: 0.61, iteration: 1, epsilon: 1 },
    { net: '[C(128,5,1), GAP(10), SM(10)]', reward: 0.7, iteration: 2, epsilon: 1 },
    { net: '[FC(256), SM(10)]', reward: 0.1, iteration: 3, epsilon: 0.9 },
    { net: '[C(64,3,1), FC(128), SM(10)]', reward: 0.61, iteration: 4, epsilon: 0.9 },
  ];

  it('writes the original columns, one row per iteration, D tokens as trained', () => {
    const text = exportReplayCsv(entries, { dropout: 'seed', agentReplay });
    expect(text.split('\n')).toEqual([
      HEADER,
      '"[C(64,3,1), FC(128), D(1,1), SM(10)]",0.61,2.0,0.58,3.0,-1.0,0.6,1.0,1.0,1700000000.123,tab-1',
      '"[C(128,5,1), GAP(10), SM(10)]",0.7,1.0,0.7,1.0,-1.0,-1.0,2.0,1.0,1700000005.0,unknown',
      '"[FC(256), D(1,1), SM(10)]",0.1,0.0,0.1,0.0,-1.0,0.6,3.0,0.9,1700000000.123,tab-1',
      // Sampled again at ε = 0.9: the agent's replay gives the row its own ε.
      '"[C(64,3,1), FC(128), D(1,1), SM(10)]",0.61,2.0,0.58,3.0,-1.0,0.6,4.0,0.9,1700000000.123,tab-1',
      '',
    ]);
  });

  it('round-trips through importReplayCsv: same nets, accuracies, iterations and ε', () => {
    const back = importReplayCsv(exportReplayCsv(entries, { agentReplay }), { inputShape: MNIST });
    expect(back.errors).toEqual([]);
    expect(back.warnings).toEqual([]);
    expect(back.stats.iterationsFrom).toBe('column');
    expect(back.entries.map((e) => [e.netString, e.iterations, e.epsilon, e.bestValAccuracy, e.finalValAccuracy, e.testAccuracy, e.trainedBy, e.finishedAt])).toEqual(
      entries.map((e) => [e.netString, e.iterations, e.epsilon, e.bestValAccuracy, e.finalValAccuracy, e.testAccuracy, e.trainedBy, e.finishedAt]),
    );
    expect(back.iterations.map((row) => [row.iteration, row.epsilon])).toEqual(agentReplay.map((s) => [s.iteration, s.epsilon]));
    expect(back.entries.every((e) => e.source === 'imported')).toBe(true);
  });

  it('round-trips the authors\' file: same nets (D tokens included), ε per row, entries', () => {
    const first = importReplayCsv(fixtureText(), { inputShape: SVHN });
    const agentReplay = first.iterations.map((row) => ({ net: row.netString, iteration: row.iteration, epsilon: row.epsilon }));
    const text = exportReplayCsv(first.entries, { dropout: 'paper', agentReplay });
    const read = (csv: string) => Papa.parse<Record<string, string>>(csv, { header: true, skipEmptyLines: true }).data;
    const [original, exported] = [read(fixtureText()), read(text)];
    expect(exported.map((row) => row['net'])).toEqual(original.map((row) => row['net']));
    expect(exported.map((row) => Number(row['epsilon']))).toEqual(original.map((row) => Number(row['epsilon'])));
    const second = importReplayCsv(text, { inputShape: SVHN });
    expect(second.errors).toEqual([]);
    expect(second.stats.iterationsFrom).toBe('column');
    expect(second.entries).toEqual(first.entries);
    // The export writes each net's kept result on every row of it: a repeat's own differing value (rowAccuracy) is not kept.
    expect(second.iterations).toEqual(first.iterations.map(({ rowAccuracy: _, ...rest }) => rest));
    expect(first.iterations.filter((it) => it.rowAccuracy !== undefined)).toHaveLength(first.stats.conflictingRows);
  });
});
