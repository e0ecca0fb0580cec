/**
 * Imports a replay_database.csv (this app's or the original code's): checks the file against
 * the limits, reads its rows (replay-csv-rows.ts), numbers the iterations and merges the rows
 * of each net into one store entry. The rules for real files' quirks: replay-csv.ts.
 */
import * as v from 'valibot';
import type { InputShape } from '../../core';
import { ReplayEntrySchema, type ReplayEntry, type ReplayStatus } from '../../store';
import { checkLimit, firstLongLine, MESSAGE_MAX_SHOWN, REPLAY_CSV_MAX_BYTES, REPLAY_CSV_MAX_LINE_CHARS, shorten } from './limits';
import { sortIterations, type ReplayIteration } from './replay-iterations';
import { netFactsReader, parseRow, readHeader, readRows, RowError, type ImportIssue, type Row, type RowCounts } from './replay-csv-rows';

export interface ReplayCsvStats {
  /** Data rows read (blank lines not counted). */
  readonly rows: number;
  readonly acceptedRows: number;
  readonly rejectedRows: number;
  readonly distinctNets: number;
  /** Accepted rows whose net an earlier row already had (merged into its entry). */
  readonly repeatedRows: number;
  /** Repeated rows whose accuracies differ from the kept (first) result. */
  readonly conflictingRows: number;
  /** Rows whose accuracies were percentages, divided by 100. */
  readonly percentRows: number;
  /** Rows with no test accuracy (-1). */
  readonly testNotMeasuredRows: number;
  readonly dropoutTokenRows: number;
  readonly unknownMachineRows: number;
  readonly unknownTimeRows: number;
  /** Entries at chance accuracy (status 'failed-to-learn'). */
  readonly failedToLearnNets: number;
  /** Where iteration numbers came from: the ix_q_value_update column, or row order. */
  readonly iterationsFrom: 'column' | 'row-order';
}

export interface ReplayCsvImport {
  /** One entry per distinct net, in the store's shape (source 'imported'), by first iteration. */
  readonly entries: ReplayEntry[];
  /** One per accepted row, by iteration: what the agent's replay memory and Figure 3 count. */
  readonly iterations: ReplayIteration[];
  readonly warnings: ImportIssue[];
  /** Rejected rows (left out) and problems with the file as a whole (nothing imported). */
  readonly errors: ImportIssue[];
  readonly stats: ReplayCsvStats;
}

export interface ReplayCsvImportOptions {
  /** Input shape of the dataset the nets were trained on: parameter and multiply-add counts need it. */
  readonly inputShape: InputShape;
  /** The file's name, for refusals (default "replay file"). */
  readonly fileName?: string;
}

/**
 * Reads a replay_database.csv (this app's or the original code's). See replay-csv.ts for the
 * rules. A file over the size or line-length limits (limits.ts) throws `ImportLimitError`
 * before anything is parsed; every other problem is reported in `errors`.
 */
export function importReplayCsv(input: string, options: ReplayCsvImportOptions): ReplayCsvImport {
  const file = options.fileName ?? 'replay file';
  // Characters, not bytes: a UTF-16 length is at least the UTF-8 size of ASCII text, and
  // File.size was checked before reading (checkReplayFileSize).
  checkLimit(file, 'the file', input.length, REPLAY_CSV_MAX_BYTES, 'characters');
  const long = firstLongLine(input, REPLAY_CSV_MAX_LINE_CHARS);
  if (long !== undefined) checkLimit(file, `line ${long.line}`, long.chars, REPLAY_CSV_MAX_LINE_CHARS, 'characters');
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const warnings: ImportIssue[] = [];
  const errors: ImportIssue[] = [];
  const counts: RowCounts = {
    rows: 0,
    rejectedRows: 0,
    repeatedRows: 0,
    conflictingRows: 0,
    percentRows: 0,
    testNotMeasuredRows: 0,
    dropoutTokenRows: 0,
    unknownMachineRows: 0,
    unknownTimeRows: 0,
  };

  const [headerRow, ...dataRows] = readRows(text, file);
  const header = readHeader(headerRow, warnings);
  if ('message' in header) {
    return {
      entries: [],
      iterations: [],
      warnings,
      errors: [header],
      stats: { ...counts, acceptedRows: 0, distinctNets: 0, failedToLearnNets: 0, iterationsFrom: 'column' },
    };
  }

  const factsOf = netFactsReader(options.inputShape);
  const rows: Row[] = [];
  for (const raw of dataRows) {
    counts.rows++;
    try {
      rows.push(parseRow(raw, header, factsOf, counts, warnings));
    } catch (error) {
      if (!(error instanceof RowError)) throw error;
      counts.rejectedRows++;
      errors.push({ line: raw.line, message: error.message });
    }
  }

  const { numbered, iterationsFrom } = numberIterations(rows, warnings);
  const { entries, iterations } = mergeRows(numbered, counts, warnings, errors);
  warnings.sort((a, b) => a.line - b.line);
  errors.sort((a, b) => a.line - b.line);
  return {
    entries,
    iterations,
    warnings,
    errors,
    stats: {
      ...counts,
      acceptedRows: counts.rows - counts.rejectedRows,
      distinctNets: entries.length,
      failedToLearnNets: entries.filter((e) => e.status === 'failed-to-learn').length,
      iterationsFrom,
    },
  };
}

/** Iteration numbers: the column when it numbers rows one by one, else row order (with a warning). */
function numberIterations(
  rows: readonly Row[],
  warnings: ImportIssue[],
): { numbered: { row: Row; iteration: number }[]; iterationsFrom: ReplayCsvStats['iterationsFrom'] } {
  const seenIx = new Map<number, number>();
  let repeat: { line: number; ix: number; firstLine: number } | undefined;
  for (const row of rows) {
    if (row.ix === 0) continue;
    const firstLine = seenIx.get(row.ix);
    if (firstLine !== undefined) {
      repeat = { line: row.line, ix: row.ix, firstLine };
      break;
    }
    seenIx.set(row.ix, row.line);
  }
  if (repeat !== undefined) {
    warnings.push({
      line: repeat.line,
      message:
        `ix_q_value_update ${repeat.ix} repeats (first on line ${repeat.firstLine}): in this file it does not number ` +
        'the iterations (the original server writes one value per round of Q-value updates), so iterations are numbered by row order',
    });
  }
  return {
    numbered: sortIterations(rows.map((row, i) => ({ row, iteration: repeat === undefined ? row.ix : i + 1 }))),
    iterationsFrom: repeat === undefined ? 'column' : 'row-order',
  };
}

/** The store entry of a net's first row (status 'failed-to-learn' at chance accuracy). */
function entryOfRow(row: Row): ReplayEntry {
  const chance = row.classes === null ? null : 1 / row.classes;
  const status: ReplayStatus = chance !== null && row.bestVal <= chance + 1e-9 ? 'failed-to-learn' : 'ok';
  return {
    netString: row.key,
    iterations: [],
    epsilon: row.epsilon,
    bestValAccuracy: row.bestVal,
    finalValAccuracy: row.lastVal,
    testAccuracy: row.test,
    valCurve: [],
    params: row.params,
    multiplyAdds: row.multiplyAdds,
    latency: null,
    reward: row.bestVal,
    trainedBy: row.machine,
    backend: null,
    adapter: null,
    timings: null,
    finishedAt: row.finishedAt,
    status,
    source: 'imported',
  };
}

/**
 * One entry per net (its first row's result; later rows that disagree are warned about) and
 * one iteration per row, in iteration order. An entry the store's schema refuses rejects its row.
 */
function mergeRows(
  numbered: readonly { row: Row; iteration: number }[],
  counts: RowCounts,
  warnings: ImportIssue[],
  errors: ImportIssue[],
): { entries: ReplayEntry[]; iterations: ReplayIteration[] } {
  interface Kept {
    readonly line: number;
    readonly entry: ReplayEntry;
    readonly iterations: number[];
  }
  const kept = new Map<string, Kept>();
  const iterations: ReplayIteration[] = [];
  for (const { row, iteration } of numbered) {
    let first = kept.get(row.key);
    if (first === undefined) {
      const checked = v.safeParse(ReplayEntrySchema, entryOfRow(row));
      if (!checked.success) {
        const [issue] = checked.issues;
        counts.rejectedRows++;
        errors.push({ line: row.line, message: `${v.getDotPath(issue) ?? 'entry'}: ${shorten(issue.message, MESSAGE_MAX_SHOWN)}` });
        continue;
      }
      first = { line: row.line, entry: checked.output, iterations: [] };
      kept.set(row.key, first);
    } else {
      counts.repeatedRows++;
      const e = first.entry;
      const differences = [
        row.bestVal !== e.bestValAccuracy && `accuracy_best_val ${row.bestVal} (kept ${e.bestValAccuracy})`,
        row.lastVal !== e.finalValAccuracy && `accuracy_last_val ${row.lastVal} (kept ${e.finalValAccuracy})`,
        row.test !== e.testAccuracy && `test accuracy ${row.test ?? 'not measured'} (kept ${e.testAccuracy ?? 'not measured'})`,
      ].filter((d): d is string => d !== false);
      if (differences.length > 0) {
        counts.conflictingRows++;
        warnings.push({
          line: row.line,
          message:
            `${shorten(row.key)} was first imported from line ${first.line} with a different result: here ${differences.join(', ')}; ` +
            `kept line ${first.line}'s result, this row counts as one more sampling of the net`,
        });
      }
    }
    if (iteration !== 0) first.iterations.push(iteration);
    const keptAccuracy = first.entry.bestValAccuracy;
    iterations.push({ iteration, netString: row.key, epsilon: row.epsilon, accuracy: keptAccuracy, ...(row.bestVal === keptAccuracy ? {} : { rowAccuracy: row.bestVal }) });
  }
  const entries = [...kept.values()].map(({ entry, iterations: its }) => ({ ...entry, iterations: [...new Set(its)].sort((a, b) => a - b) }));
  return { entries, iterations };
}
