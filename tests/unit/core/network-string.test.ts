import { describe, expect, it } from 'vitest';
import { formatNetwork, NetworkSyntaxError, parseLayer, parseNetwork } from '../../../src/core/network-string';
import { paperBest, paperFourth, readReplayFixture } from './fixture';

function syntaxError(text: string): NetworkSyntaxError {
  try {
    parseNetwork(text);
  } catch (error) {
    if (error instanceof NetworkSyntaxError) return error;
    throw error;
  }
  throw new Error(`expected ${text} not to parse`);
}

describe('parseNetwork / formatNetwork', () => {
  it('parses every layer kind into data', () => {
    expect(parseNetwork('[C(64,3,1), P(2,2), FC(256), D(1,2), GAP(10), SM(10)]')).toEqual([
      { kind: 'conv', filters: 64, kernel: 3, stride: 1 },
      { kind: 'pool', size: 2, stride: 2 },
      { kind: 'fc', units: 256 },
      { kind: 'dropout', index: 1, total: 2 },
      { kind: 'gap', classes: 10 },
      { kind: 'softmax', classes: 10 },
    ]);
    expect(parseNetwork('[]')).toEqual([]);
  });

  it('round-trips the two paper nets', () => {
    for (const text of [paperBest, paperFourth]) expect(formatNetwork(parseNetwork(text))).toBe(text);
  });

  it('accepts whitespace anywhere between tokens and prints the canonical form', () => {
    const loose = '  [ C( 64 , 3,1 ) ,P(2,2),\n\tFC(128)  ,D(1 ,1), SM( 10 ) ]  ';
    expect(formatNetwork(parseNetwork(loose))).toBe('[C(64,3,1), P(2,2), FC(128), D(1,1), SM(10)]');
    expect(formatNetwork(parseNetwork('[C(64,3,1),SM(10)]'))).toBe('[C(64,3,1), SM(10)]');
  });

  it('round-trips every row of the authors replay file (D tokens included)', () => {
    const rows = readReplayFixture();
    expect(rows).toHaveLength(1983);
    for (const row of rows) expect(formatNetwork(parseNetwork(row.net))).toBe(row.net);
  });

  it.each([
    ['C(64,3,1), SM(10)]', 0, "expected '[' to open the layer list, found 'C'"],
    ['[C(64,3,1) SM(10)]', 11, "expected ',' or ']' after a layer, found 'S'"],
    ['[C(64,3), SM(10)]', 7, 'C takes 3 numbers (filters,kernel,stride), found 2'],
    ['[C(64,3,1,1), SM(10)]', 9, 'C takes 3 numbers (filters,kernel,stride), found more'],
    ['[X(3), SM(10)]', 1, "unknown layer 'X', expected one of C, P, FC, GAP, SM, D"],
    ['[C(64,3,1), SM(10)', 18, "expected ',' or ']' after a layer, found the end of the text"],
    ['[C(64,a,1)]', 6, "expected C's kernel (a positive integer), found 'a'"],
    ['[C(0,3,1)]', 3, "C's filters must be a positive integer, found 0"],
    ['[C(-1,3,1)]', 3, "expected C's filters (a positive integer), found '-'"],
    ['[P(2,2)] x', 9, "unexpected 'x' after the closing ']'"],
    ['[D(3,2), SM(10)]', 1, 'D(3,2): the index must not exceed the total'],
    ['[, SM(10)]', 1, "expected a layer name (C, P, FC, GAP, SM, D), found ','"],
    ['[FC 128]', 4, "expected '(' after FC, found '1'"],
    ['[FC(99999999999999999999)]', 4, "FC's units 99999999999999999999 is too large"],
  ])('rejects %j at character %i: %s', (text, position, problem) => {
    const error = syntaxError(text);
    expect(error.position).toBe(position);
    expect(error.problem).toBe(problem);
    expect(error.message).toBe(`network string, character ${position}: ${problem}`);
  });

  it('parses a single layer token (Q-table action keys)', () => {
    expect(parseLayer('C(64,3,1)')).toEqual({ kind: 'conv', filters: 64, kernel: 3, stride: 1 });
    expect(() => parseLayer('C(64,3,1)x')).toThrow(NetworkSyntaxError);
  });
});
