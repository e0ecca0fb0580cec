/**
 * Reading replay_database.csv one row at a time: the CSV split into rows with their starting
 * lines, the header checked, and each data row turned into checked values or a `RowError`
 * naming the column and the value. The rules are in replay-csv.ts's header comment.
 */
import Papa from 'papaparse';
import {
  countMultiplyAdds,
  countParams,
  formatNetwork,
  NetworkSyntaxError,
  parseNetwork,
  stripDropout,
  type InputShape,
  type Net,
} from '../../core';
import { ImportLimitError, MESSAGE_MAX_SHOWN, NET_STRING_MAX_CHARS, REPLAY_CSV_MAX_ROW_CHARS, shorten } from './limits';
import { NOT_MEASURED, REPLAY_CSV_COLUMNS, UNKNOWN_MACHINE, unescapeCell, type ReplayCsvColumn } from './replay-csv';

export interface ImportIssue {
  /** 1-based line of the file where the row starts (the header is line 1). */
  readonly line: number;
  readonly message: string;
}

export interface RawRow {
  readonly line: number;
  readonly fields: readonly string[];
  readonly parseError: string | undefined;
}

/** A data row's checked values, the net in its dropout-free key form. */
export interface Row {
  readonly line: number;
  readonly key: string;
  readonly classes: number | null;
  readonly params: number;
  readonly multiplyAdds: number;
  readonly bestVal: number;
  readonly lastVal: number;
  readonly test: number | null;
  readonly ix: number;
  readonly epsilon: number;
  readonly finishedAt: number;
  readonly machine: string | null;
}

/** What an import counts while it reads (the mutable part of `ReplayCsvStats`). */
export interface RowCounts {
  rows: number;
  rejectedRows: number;
  repeatedRows: number;
  conflictingRows: number;
  percentRows: number;
  testNotMeasuredRows: number;
  dropoutTokenRows: number;
  unknownMachineRows: number;
  unknownTimeRows: number;
}

/** The header's column names and where each of the original columns is. */
export interface CsvHeader {
  readonly line: number;
  readonly names: readonly string[];
  readonly index: ReadonlyMap<string, number>;
}

/** Rejects a row: the message names the column and the value. */
export class RowError extends Error {}

/** Line number (1-based) of every character offset, from the positions of the line breaks. */
function lineLocator(text: string): (offset: number) => number {
  const breakChar = text.includes('\n') ? '\n' : '\r';
  const breaks: number[] = [];
  for (let i = text.indexOf(breakChar); i !== -1; i = text.indexOf(breakChar, i + 1)) breaks.push(i);
  return (offset) => {
    let lo = 0;
    let hi = breaks.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (breaks[mid]! < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo + 1;
  };
}

/** Characters of `text[start, end)` without the line break at its end ("\r\n", "\n" or "\r"). */
function rowChars(text: string, start: number, end: number): number {
  let last = end;
  if (last > start && text.charCodeAt(last - 1) === 10) last--;
  if (last > start && text.charCodeAt(last - 1) === 13) last--;
  return last - start;
}

/**
 * The CSV's rows with the line each starts on; blank lines left out. A row over
 * `REPLAY_CSV_MAX_ROW_CHARS` (a quoted field can span many short lines) stops the parse and
 * throws `ImportLimitError` naming `file` and the row's first line.
 */
export function readRows(text: string, file: string): RawRow[] {
  const lineOf = lineLocator(text);
  const rows: RawRow[] = [];
  let rowStart = 0;
  let refusal: ImportLimitError | undefined;
  Papa.parse<string[]>(text, {
    delimiter: ',',
    step: (result, parser) => {
      const chars = rowChars(text, rowStart, result.meta.cursor);
      if (chars > REPLAY_CSV_MAX_ROW_CHARS) {
        refusal = new ImportLimitError(file, `the row starting on line ${lineOf(rowStart)}`, REPLAY_CSV_MAX_ROW_CHARS, chars, 'characters');
        parser.abort();
        return;
      }
      rows.push({ line: lineOf(rowStart), fields: result.data, parseError: result.errors[0]?.message });
      rowStart = result.meta.cursor;
    },
  });
  if (refusal !== undefined) throw refusal;
  return rows.filter((row) => !(row.fields.length === 1 && row.fields[0]!.trim() === '' && row.parseError === undefined));
}

/** A list of imported values for a message: each one shortened, and the whole list too. */
function quotedList(values: readonly string[]): string {
  return shorten(values.map((value) => JSON.stringify(shorten(value))).join(', '), MESSAGE_MAX_SHOWN);
}

/**
 * The header's columns, or the problem that stops the whole import. Columns the original
 * does not have are ignored with a warning.
 */
export function readHeader(header: RawRow | undefined, warnings: ImportIssue[]): CsvHeader | ImportIssue {
  if (header === undefined) return { line: 1, message: `the file is empty; expected a header row: ${REPLAY_CSV_COLUMNS.join(',')}` };
  if (header.parseError !== undefined) return { line: header.line, message: `header row: malformed CSV: ${header.parseError}` };
  const names = header.fields.map((name) => name.trim());
  const index = new Map<string, number>();
  for (const [i, name] of names.entries()) {
    if (index.has(name)) return { line: header.line, message: `header row: column ${quotedList([name])} appears twice` };
    index.set(name, i);
  }
  const missing = REPLAY_CSV_COLUMNS.filter((column) => !index.has(column));
  if (missing.length > 0) {
    return {
      line: header.line,
      message: `header row: missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}; expected ${REPLAY_CSV_COLUMNS.join(',')}`,
    };
  }
  const extra = names.filter((name) => !(REPLAY_CSV_COLUMNS as readonly string[]).includes(name));
  if (extra.length > 0) {
    warnings.push({ line: header.line, message: `ignored column${extra.length > 1 ? 's' : ''} ${quotedList(extra)}` });
  }
  return { line: header.line, names, index };
}

function number(column: string, raw: string): number {
  const text = raw.trim();
  const value = text === '' ? NaN : Number(text);
  if (!Number.isFinite(value)) throw new RowError(`${column}: expected a number, found ${JSON.stringify(shorten(raw))}`);
  return value;
}

/** An accuracy as a fraction; percentages (1 < x <= 100) are divided by 100 and flagged. */
function accuracy(column: string, raw: string, unmeasuredAllowed: boolean): { value: number | null; percent: boolean } {
  const x = number(column, raw);
  if (unmeasuredAllowed && x === NOT_MEASURED) return { value: null, percent: false };
  if (x >= 0 && x <= 1) return { value: x, percent: false };
  if (x > 1 && x <= 100) return { value: x / 100, percent: true };
  const expected = `a fraction from 0 to 1, or a percentage up to 100${unmeasuredAllowed ? ', or -1 for "not measured"' : ''}`;
  throw new RowError(`${column}: ${shorten(raw.trim())} is not an accuracy (expected ${expected})`);
}

export interface NetFacts {
  readonly key: string;
  readonly classes: number | null;
  readonly params: number;
  readonly multiplyAdds: number;
}

/**
 * Parses a row's net once per distinct text (files repeat nets) and counts it on `inputShape`;
 * a net that does not parse or cannot be built rejects the row.
 */
export function netFactsReader(inputShape: InputShape): (netText: string) => NetFacts {
  const netFacts = new Map<string, NetFacts | string>();
  return (netText) => {
    if (netText.length > NET_STRING_MAX_CHARS) {
      throw new RowError(`net ${JSON.stringify(shorten(netText))}: ${netText.length} characters, over the limit of ${NET_STRING_MAX_CHARS}`);
    }
    let facts = netFacts.get(netText);
    if (facts === undefined) {
      try {
        const net: Net = stripDropout(parseNetwork(netText));
        const last = net.at(-1);
        facts = {
          key: formatNetwork(net),
          classes: last?.kind === 'softmax' ? last.classes : null,
          params: countParams(net, inputShape),
          multiplyAdds: countMultiplyAdds(net, inputShape),
        };
      } catch (error) {
        const { height, width, channels } = inputShape;
        const problem = error instanceof Error ? error.message : String(error);
        facts = error instanceof NetworkSyntaxError ? problem : `cannot be built on a ${height}x${width}x${channels} input: ${problem}`;
      }
      netFacts.set(netText, facts);
    }
    if (typeof facts === 'string') throw new RowError(`net ${JSON.stringify(shorten(netText))}: ${shorten(facts, 300)}`);
    return facts;
  };
}

/**
 * One data row's checked values; throws `RowError` for the first bad field. Counts the row's
 * quirks and warns about percentages.
 */
export function parseRow(
  raw: RawRow,
  header: CsvHeader,
  factsOf: (netText: string) => NetFacts,
  counts: RowCounts,
  warnings: ImportIssue[],
): Row {
  if (raw.parseError !== undefined) throw new RowError(`malformed CSV: ${raw.parseError}`);
  if (raw.fields.length !== header.names.length) {
    throw new RowError(`expected ${header.names.length} fields (one per header column), found ${raw.fields.length}`);
  }
  const field = (column: ReplayCsvColumn): string => raw.fields[header.index.get(column)!]!;
  const netText = field('net').trim();
  const facts = factsOf(netText);
  const bestVal = accuracy('accuracy_best_val', field('accuracy_best_val'), false);
  const lastVal = accuracy('accuracy_last_val', field('accuracy_last_val'), false);
  const bestTest = accuracy('accuracy_best_test', field('accuracy_best_test'), true);
  const lastTest = accuracy('accuracy_last_test', field('accuracy_last_test'), true);
  for (const column of ['iter_best_val', 'iter_last_val'] as const) {
    if (number(column, field(column)) < 0) throw new RowError(`${column}: ${shorten(field(column).trim())} is negative`);
  }
  const ix = number('ix_q_value_update', field('ix_q_value_update'));
  if (!Number.isSafeInteger(ix) || ix < 0) {
    throw new RowError(`ix_q_value_update: expected a whole number >= 0, found ${shorten(field('ix_q_value_update').trim())}`);
  }
  const epsilon = number('epsilon', field('epsilon'));
  if (epsilon < 0 || epsilon > 1) throw new RowError(`epsilon: ${shorten(field('epsilon').trim())} is outside 0..1`);
  const seconds = number('time_finished', field('time_finished'));
  if (seconds < 0) throw new RowError(`time_finished: ${shorten(field('time_finished').trim())} is negative`);
  const machine = unescapeCell(field('machine_run_on').trim());

  const percentColumns = (
    [
      ['accuracy_best_val', bestVal],
      ['accuracy_last_val', lastVal],
      ['accuracy_best_test', bestTest],
      ['accuracy_last_test', lastTest],
    ] as const
  ).filter(([, parsed]) => parsed.percent);
  if (percentColumns.length > 0) {
    counts.percentRows++;
    const listed = percentColumns.map(([column]) => `${column} ${shorten(field(column).trim())}`).join(', ');
    warnings.push({ line: raw.line, message: `accuracies written as percentages (${listed}): divided by 100` });
  }
  const test = lastTest.value ?? bestTest.value;
  if (test === null) counts.testNotMeasuredRows++;
  if (/\bD\s*\(/.test(netText)) counts.dropoutTokenRows++;
  if (machine === '' || machine === UNKNOWN_MACHINE) counts.unknownMachineRows++;
  if (seconds === 0) counts.unknownTimeRows++;
  return {
    line: raw.line,
    key: facts.key,
    classes: facts.classes,
    params: facts.params,
    multiplyAdds: facts.multiplyAdds,
    bestVal: bestVal.value!,
    lastVal: lastVal.value!,
    test,
    ix,
    epsilon,
    finishedAt: Math.round(seconds * 1000),
    machine: machine === '' || machine === UNKNOWN_MACHINE ? null : machine,
  };
}
