/** The strategy lab's samples and oracle from a replay CSV (issue 16): the authors' file and bad ones. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SurrogateError } from '../../../src/core';
import { importReplayCsv } from '../../../src/search/export';
import { LAB_FILE_PATH, labOracle, labSamples } from '../../../src/search/strategy-lab';
import { fixtureText, HEADER, SVHN } from '../export/helpers';

const row = (net: string, accuracy: number, epsilon = 1) => `"${net}",${accuracy},0.0,${accuracy},0.0,-1.0,-1.0,1.0,${epsilon},0.0,unknown`;
const csv = (...rows: string[]) => [HEADER, ...rows].join('\n');

describe('the strategy lab on the authors’ replay file', () => {
  it('ships the authors’ file unchanged with the app', () => {
    expect(readFileSync(new URL(`../../../public/${LAB_FILE_PATH}`, import.meta.url), 'utf8')).toBe(fixtureText());
  });

  it('leaves out the ε = 0.7 rows, which all hold the placeholder 86.0, and keeps every other row', () => {
    const s = labSamples(fixtureText());
    expect(s.placeholderLevels).toEqual([{ epsilon: 0.7, rows: 73, value: 0.86 }]);
    expect(s.fileRows).toBe(1983);
    expect(s.rows).toBe(1983 - 73);
    expect(s.samples).toHaveLength(1910);
    const { oracle } = labOracle(fixtureText());
    expect(oracle.size).toBe(1789);
  });
});

describe('labSamples: each row’s own accuracy', () => {
  it('averages a net over its rows, where the importer keeps only the first result', () => {
    const text = csv(row('[C(64,3,1), SM(10)]', 0.6), row('[C(128,3,1), SM(10)]', 0.3), row('[C(64,3,1), SM(10)]', 0.8));
    const imported = importReplayCsv(text, { inputShape: SVHN });
    expect(imported.iterations.map((it) => [it.accuracy, it.rowAccuracy])).toEqual([
      [0.6, undefined],
      [0.3, undefined],
      [0.6, 0.8],
    ]);
    const { oracle } = labOracle(text);
    expect(oracle.recorded('[C(64,3,1), SM(10)]')).toBeCloseTo(0.7, 12);
    expect(oracle.recorded('[C(128,3,1), SM(10)]')).toBe(0.3);
  });
});

describe('labOracle refuses a file that cannot serve, saying why', () => {
  it('a file with a header and no rows', () => {
    expect(() => labOracle(csv(), 'empty.csv')).toThrow(SurrogateError);
    expect(() => labOracle(csv(), 'empty.csv')).toThrow(/^empty\.csv: no usable rows for the oracle/);
  });

  it('a file that is not a replay CSV', () => {
    expect(() => labOracle('name,score\nx,1\n', 'scores.csv')).toThrow(/^scores\.csv: no usable rows for the oracle \(line 1: /);
  });

  it('nets from another space or input shape', () => {
    // The tiny space's filter counts are not the paper's; an FC of 10 after 28×28 pooling neither.
    const text = csv(row('[C(8,3,1), SM(10)]', 0.9), row('[C(16,5,1), P(2,2), SM(10)]', 0.8), row('[C(64,3,1), SM(10)]', 0.7));
    expect(() => labOracle(text, 'mnist.csv')).toThrow(/^mnist\.csv: 2 of 3 rows are nets outside the 32×32×3 paper search space .*\(first: \[C\(8,3,1\), SM\(10\)\]: /);
    const none = csv(row('[C(8,3,1), SM(10)]', 0.9));
    expect(() => labOracle(none, 'mnist.csv')).toThrow(/^mnist\.csv: no usable rows for the oracle: 1 rows, 1 of them nets outside the 32×32×3 search space/);
  });
});
