import { describe, expect, it } from 'vitest';
import { goalLines, searchRun, summaryTable, type BudgetRun } from '../../../scripts/bench/budget-summary';
import type { BudgetMethod } from '../../../scripts/lib/args-bench';
import type { ReplayRecord, SearchRecord } from '../../../src/store';

const run = (method: BudgetMethod, seed: number, bestTest: number | null, over: Partial<BudgetRun> = {}): BudgetRun => ({
  minutes: 15,
  dataset: 'mnist',
  backend: 'cpu',
  seed,
  method,
  status: 'done',
  bestTest,
  bestNet: null,
  ensembleTest: method === 'reference' ? null : bestTest,
  nets: 10,
  earlyStopped: 0,
  epochs: 40,
  epochsSaved: 0,
  finalEpochs: 0,
  wallMs: 60_000,
  clockMs: 59_000,
  ...over,
});

describe('the budget part’s figures', () => {
  it('reads a search: trained nets, epochs, epochs saved by early stopping, final epochs, clocks', () => {
    const entry = (netString: string, epochs: number, earlyStop: ReplayRecord['earlyStop'] = null) =>
      ({ netString, source: 'trained', status: 'ok', valCurve: Array.from({ length: epochs }, () => ({})), earlyStop }) as unknown as ReplayRecord;
    const search = {
      status: 'done',
      createdAt: 1_000,
      updatedAt: 90_000,
      config: { training: { epochs: 4 }, earlyStopping: { enabled: true } },
      final: { bestNetString: 'a', bestTestAccuracy: 0.95, ensembleNetStrings: ['a', 'b'], ensembleTestAccuracy: 0.96, finishedAt: 61_000 },
      finalProgress: { fineTuned: [{ epochs: 6 }, { epochs: 6 }] },
      clock: { usedMs: 58_000, tickAt: null, addedMs: 0 },
    } as unknown as SearchRecord;
    const replay = [entry('a', 4), entry('b', 4), entry('c', 1, { afterEpoch: 1, predicted: 0.5, chance: 0.01, bar: 0.9 }), { ...entry('d', 0), source: 'imported' } as ReplayRecord];
    expect(searchRun({ minutes: 1, dataset: 'mnist', backend: 'cpu', seed: 1, method: 'q-es' }, search, replay)).toEqual({
      minutes: 1,
      dataset: 'mnist',
      backend: 'cpu',
      seed: 1,
      method: 'q-es',
      status: 'done',
      bestTest: 0.95,
      bestNet: 'a',
      ensembleTest: 0.96,
      nets: 3,
      earlyStopped: 1,
      epochs: 9,
      epochsSaved: 3,
      finalEpochs: 12,
      wallMs: 60_000,
      clockMs: 58_000,
      earlyStoppingOn: true,
    });
  });

  it('summarises mean ± stdev per method and judges the goals per seed', () => {
    const runs = [
      run('q-es', 1, 0.975),
      run('q-es', 2, 0.965),
      run('reference', 1, 0.97),
      run('reference', 2, 0.96),
      run('random', 1, 0.98),
    ];
    const table = summaryTable(runs);
    expect(table.rows[0]).toEqual(['15 min · mnist · cpu', 'Q-learning, early stopping', '2/2', '97.0% ± 0.7%', '97.0% ± 0.7%', '10.0', '40 (0)', '1.00 min']);
    expect(table.rows.map((r) => r[1])).toEqual(['Q-learning, early stopping', 'reference CNN', 'random search']);
    const goals = goalLines(runs);
    expect(goals.map((g) => [g.met, g.detail.split(' (')[0]])).toEqual([
      [false, '1/2 seeds'],
      [null, 'not run'],
      [true, '2/2 seeds'],
      [false, '0/1 seeds; behind: 15 min · mnist · cpu seed 1: 97.5% < 98.0%'],
    ]);
    // A failed search is behind a method that has a result; two without results compare nothing.
    const failed = [run('q-es', 1, null), run('reference', 1, 0.9), run('random', 1, null)];
    expect(goalLines(failed).slice(2).map((g) => [g.met, g.detail])).toEqual([
      [false, '0/1 seeds; behind: 15 min · mnist · cpu seed 1: no result < 90.0%'],
      [null, 'no seed where random search has a result'],
    ]);
  });
});
