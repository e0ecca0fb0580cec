import { describe, expect, it } from 'vitest';
import Papa from 'papaparse';
import { formatNetwork, insertDropout, parseNetwork, stripDropout, type DropoutRule } from '../../../src/core';
import { exportReplayCsv as appExportReplayCsv } from '../../../src/search/export/replay-csv';
import { meanAccuracyByEpsilon as appMeanByEpsilon, replayIterations as appIterations } from '../../../src/search/export/replay-iterations';
import {
  REPLAY_CSV_COLUMNS,
  exportReplayCsv,
  insertDropoutString,
  meanAccuracyByEpsilon,
  netTokens,
  replayIterations,
} from '../../../scripts/lib/replay.mjs';
import { HEADER, fixtureText, trainedEntry } from '../export/helpers';

const fixtureNets = (): string[] =>
  (Papa.parse<string[]>(fixtureText().trim(), { header: false }).data.slice(1) as string[][]).map((row) => row[0]!);

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

describe('the runner’s replay CSV', () => {
  it('has the original code’s header', () => {
    expect(REPLAY_CSV_COLUMNS.join(',')).toBe(HEADER);
  });

  it.each(['seed', 'paper', 'none'] as const)('is byte-identical to the app’s export (dropout %s, with and without the agent replay)', (dropout) => {
    expect(exportReplayCsv(entries(), { dropout, agentReplay })).toBe(appExportReplayCsv(entries(), { dropout, agentReplay }));
    expect(exportReplayCsv(entries(), { dropout })).toBe(appExportReplayCsv(entries(), { dropout }));
  });

  it('writes one row per sampled iteration, each with its own ε', () => {
    const rows = exportReplayCsv(entries(), { agentReplay }).trim().split('\n');
    expect(rows).toHaveLength(1 + 5);
    expect(rows[4]).toBe('"[C(8,3,1), P(2,2), FC(16), D(1,2), FC(8), D(2,2), SM(10)]",0.61,2.0,0.58,3.0,-1.0,0.6,4.0,0.7,1700000000.123,tab-1');
    expect(rows[2]).toBe('"[C(4,1,1), GAP(10), SM(10)]",0.5,2.0,0.58,3.0,-1.0,-1.0,2.0,1.0,1700000000.123,unknown');
  });
});

describe('dropout placement on net strings', () => {
  it('matches the core on every net of the authors’ replay file, both rules', () => {
    const nets = [...new Set(fixtureNets())];
    expect(nets.length).toBeGreaterThan(1000);
    for (const text of nets) {
      const bare = formatNetwork(stripDropout(parseNetwork(text)));
      for (const rule of ['seed', 'paper'] as DropoutRule[]) {
        expect(insertDropoutString(bare, rule), `${bare} (${rule})`).toBe(formatNetwork(insertDropout(parseNetwork(bare), rule)));
      }
      // The paper rule reproduces the authors' own D tokens.
      expect(insertDropoutString(bare, 'paper')).toBe(text);
    }
  });

  it('refuses what is not a network string, naming it', () => {
    expect(() => netTokens('C(8,3,1), SM(10)')).toThrow('net "C(8,3,1), SM(10)": expected [LAYER, ...]');
    expect(() => netTokens('[C(8,3,1), XX(3), SM(10)]')).toThrow('not a network string');
    expect(() => insertDropoutString('[SM(10)]', 'often' as never)).toThrow('unknown dropout rule "often"');
  });
});

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
