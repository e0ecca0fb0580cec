import { describe, expect, it } from 'vitest';
import { dropoutRate, insertDropout, stripDropout } from '../../../src/core/dropout';
import { formatNetwork, parseNetwork } from '../../../src/core/network-string';
import type { DropoutLayer } from '../../../src/core/types';
import { readReplayFixture } from './fixture';

const place = (text: string, rule?: 'seed' | 'paper' | 'none') => formatNetwork(insertDropout(parseNetwork(text), rule));

describe('dropout placement', () => {
  it("rate of the i-th of n is i/(2n)", () => {
    const d = (index: number, total: number): DropoutLayer => ({ kind: 'dropout', index, total });
    expect(dropoutRate(d(1, 1))).toBe(0.5);
    expect(dropoutRate(d(1, 2))).toBe(0.25);
    expect(dropoutRate(d(3, 4))).toBe(0.375);
  });

  it("'seed' (default): one after every FC, none without FC", () => {
    expect(place('[C(64,3,1), P(5,3), C(64,3,1), P(2,2), FC(512), FC(256), SM(10)]')).toBe(
      '[C(64,3,1), P(5,3), C(64,3,1), P(2,2), FC(512), D(1,2), FC(256), D(2,2), SM(10)]',
    );
    expect(place('[C(64,3,1), P(2,2), SM(10)]')).toBe('[C(64,3,1), P(2,2), SM(10)]');
  });

  // Worked examples; the counts follow n = floor((L - G - F)/2) + F with SM typed as the layer before it.
  it.each([
    // L = 5 (C C P C SM), n = 2: after the 2nd and 4th layer.
    ['[C(512,5,1), C(64,5,1), P(3,2), C(128,3,1), SM(10)]', '[C(512,5,1), C(64,5,1), D(1,2), P(3,2), C(128,3,1), D(2,2), SM(10)]'],
    // L = 5, G = 2 (GAP, and SM after GAP): n = 1; slot 4 is GAP, so one token.
    ['[C(256,1,1), C(64,5,1), P(3,2), GAP(10), SM(10)]', '[C(256,1,1), C(64,5,1), D(1,1), P(3,2), GAP(10), SM(10)]'],
    // L = 4, n = 2, but slot 4 is SM: only D(1,2) appears.
    ['[C(128,1,1), C(256,5,1), P(5,3), SM(10)]', '[C(128,1,1), C(256,5,1), D(1,2), P(5,3), SM(10)]'],
    // L = 8, F = 2 (FC, and SM after FC): n = 5; four slots exist.
    [
      '[C(512,5,1), P(5,3), C(512,5,1), P(3,2), C(256,3,1), P(3,2), FC(128), SM(10)]',
      '[C(512,5,1), P(5,3), D(1,5), C(512,5,1), P(3,2), D(2,5), C(256,3,1), P(3,2), D(3,5), FC(128), D(4,5), SM(10)]',
    ],
    // L = 3, G = 2: n = 0.
    ['[C(256,1,1), GAP(10), SM(10)]', '[C(256,1,1), GAP(10), SM(10)]'],
    ['[SM(10)]', '[SM(10)]'],
  ])("'paper': %s", (net, expected) => {
    expect(place(net, 'paper')).toBe(expected);
  });

  it("'paper' reproduces the authors' own placement on all 1,983 rows of their replay file", () => {
    for (const row of readReplayFixture()) {
      const bare = stripDropout(parseNetwork(row.net));
      expect(formatNetwork(insertDropout(bare, 'paper'))).toBe(row.net);
    }
  });

  it('replaces dropout already present; strip and none remove it', () => {
    const paperPlaced = '[C(512,5,1), C(64,5,1), D(1,2), P(3,2), C(128,3,1), D(2,2), SM(10)]';
    expect(place(paperPlaced, 'seed')).toBe('[C(512,5,1), C(64,5,1), P(3,2), C(128,3,1), SM(10)]');
    expect(place(paperPlaced, 'none')).toBe('[C(512,5,1), C(64,5,1), P(3,2), C(128,3,1), SM(10)]');
    expect(place(paperPlaced, 'paper')).toBe(paperPlaced);
  });
});
