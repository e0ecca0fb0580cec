import { describe, expect, it } from 'vitest';
import { bar, duration, markdownTable, pct, progressLine, progressLines, ratio, si, textTable, type ProgressState } from '../../../scripts/lib/format';

describe('numbers as text', () => {
  it.each([
    [0.4321, '43.2%'],
    [1, '100.0%'],
    [null, '–'],
    [Number.NaN, '–'],
  ])('pct(%s) = %s', (x, text) => expect(pct(x)).toBe(text));

  it.each([
    [850, '850 ms'],
    [12_345, '12.3 s'],
    [245_000, '4 min 05 s'],
    [7_380_000, '2 h 03 min'],
    [null, '–'],
  ])('duration(%s) = %s', (ms, text) => expect(duration(ms)).toBe(text));

  it('ratio and si', () => {
    expect(ratio(3, 2)).toBe('1.50×');
    expect(ratio(3, 0)).toBe('–');
    expect(ratio(null, 2)).toBe('–');
    expect(si(1_234_567)).toBe('1.23 M');
    expect(si(12)).toBe('12.0');
    expect(si(4.2e9)).toBe('4.20 G');
  });
});

describe('tables', () => {
  const headers = ['backend', 'trainer', 'model.fit', 'ratio'];
  const rows = [
    ['webgpu', '120 img/s', '80 img/s', '1.50×'],
    ['cpu', '9.5', null, '–'],
  ];

  it('aligns columns, numbers to the right, missing values as –', () => {
    expect(textTable(headers, rows)).toBe(
      [
        'backend  trainer    model.fit  ratio',
        '-------  ---------  ---------  -----',
        'webgpu   120 img/s  80 img/s   1.50×',
        'cpu            9.5          –      –',
      ].join('\n'),
    );
  });

  it('writes markdown with escaped pipes and right-aligned numeric columns', () => {
    expect(markdownTable(['net', 'acc'], [['[C(8,3,1)|x]', '43.2%'], ['[SM(10)]', '10.0%']])).toBe(
      ['| net | acc |', '| --- | ---: |', '| [C(8,3,1)\\|x] | 43.2% |', '| [SM(10)] | 10.0% |'].join('\n'),
    );
  });
});

describe('progress', () => {
  const state: ProgressState = {
    status: 'running',
    trained: 3,
    scheduleTotal: 10,
    best: { netString: '[C(4,3,1), SM(10)]', bestValAccuracy: 0.43, epsilon: 1 },
    last: { netString: '[SM(10)]', bestValAccuracy: 0.22, epsilon: 1 },
    finalStep: null,
    live: [
      {
        netString: '[C(8,3,1), SM(10)]',
        epsilon: 0.7,
        progress: { kind: 'batch', epoch: 1, batch: 2, batchesPerEpoch: 4 },
      },
    ],
  };

  it('bars fill in proportion and clamp', () => {
    expect(bar(3, 10, 10)).toBe('[###-------]');
    expect(bar(12, 10, 4)).toBe('[####]');
    expect(bar(0, 0, 4)).toBe('[----]');
  });

  it('shows nets done of total, the current ε, best accuracy and each job in training', () => {
    const lines = progressLines(state, { elapsedMs: 65_000, width: 200 });
    expect(lines).toEqual([
      '[#######-----------------] 3/10 nets · ε 0.7 · best 43.0% · running · 1 min 05 s',
      '  tab 1: [#####-----] epoch 1 batch 2/4 [C(8,3,1), SM(10)]',
    ]);
  });

  it('labels each tab’s jobs and cuts lines to the terminal width', () => {
    const lines = progressLines(state, {
      elapsedMs: 1000,
      width: 40,
      liveByTab: [
        { tab: 1, live: [] },
        { tab: 2, live: [{ netString: '[SM(10)]', progress: null }] },
      ],
    });
    expect(lines[1]).toBe('  tab 2: starting [SM(10)]');
    expect(lines[0]).toHaveLength(40);
    expect(lines[0]!.endsWith('…')).toBe(true);
  });

  it('has a plain one-line form for logs', () => {
    expect(progressLine({ ...state, live: [] }, { elapsedMs: 2000 })).toBe(
      '[2.0 s] running · 3/10 nets · best 43.0% · last [SM(10)] 22.0%',
    );
  });
});
