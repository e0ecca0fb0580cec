/**
 * The original MetaQNN code's replay file, `replay_database.csv` (bowenbaker/metaqnn, written
 * by its Q-learning server): export a search's replay memory in it, and import such a file,
 * from this app or from the original code, reporting every malformed row by line number and
 * every quirk of the file instead of failing on it.
 *
 * Column meanings in this app's export:
 * - `net`: the paper's string with the D(i,n) tokens the net was trained with.
 * - `accuracy_*_val`: fractions. `iter_best_val` / `iter_last_val`: the EPOCH (1-based) of
 *   the best / last validation accuracy (the original code wrote Caffe solver iterations);
 *   0 when no curve is known (a net too large to train, a failed job, an imported net).
 * - `accuracy_best_test` is always -1.0 (not measured: the test split is evaluated once, after
 *   the last epoch) and `accuracy_last_test` is the test accuracy, -1.0 when not measured.
 * - `ix_q_value_update`: the agent iteration; one row per iteration that sampled the net.
 * - `time_finished`: unix seconds. `machine_run_on`: the id of the tab that trained the net.
 *
 * How an import treats the quirks of real files (shared/fixtures/README.md):
 * - D(i,n) tokens are kept out of the key: nets are stored by their dropout-free string.
 * - Accuracies above 1 and up to 100 are percentages: divided by 100, one warning per row.
 *   (A percentage of 1 or less cannot be told from a fraction; none occurs in real files.)
 * - A test accuracy of -1 means "not measured": null. `accuracy_last_test` is preferred,
 *   then `accuracy_best_test`.
 * - A net at chance accuracy (1 / the classes of its SM), the original's score for a net
 *   that failed to learn, gets status 'failed-to-learn'.
 * - The same net on several rows is one entry with several iterations. Rows that disagree
 *   about its accuracies keep the first row's result (the one the agent would have reused)
 *   and each gets a warning; they still count as iterations that sampled it.
 * - `ix_q_value_update` is used as the iteration when it is a distinct whole number on every
 *   row (this app's files); the original server repeats it (one value per Q-update round),
 *   so then iterations are numbered by row order and one warning says so.
 * - `machine_run_on` "unknown" or empty: trainedBy null. `time_finished` 0 is kept (unknown).
 * - Nothing is known about latency, timings, backend or the learning curve: null or empty.
 */
import Papa from 'papaparse';
import * as v from 'valibot';
import {
  countMultiplyAdds,
  countParams,
  formatNetwork,
  insertDropout,
  NetworkSyntaxError,
  parseNetwork,
  stripDropout,
  type DropoutRule,
  type InputShape,
  type Net,
} from '../../core';
import { ReplayEntrySchema, type ReplayEntry, type ReplayStatus } from '../../store';
import { checkLimit, firstLongLine, MESSAGE_MAX_SHOWN, NET_STRING_MAX_CHARS, REPLAY_CSV_MAX_BYTES, REPLAY_CSV_MAX_LINE_CHARS, shorten } from './limits';
import { replayIterations, sortIterations, type AgentSample, type ReplayIteration } from './replay-iterations';

/** replay_database.csv's columns, in the original code's order (q_server.py `replay_columns`). */
export const REPLAY_CSV_COLUMNS = [
  'net',
  'accuracy_best_val',
  'iter_best_val',
  'accuracy_last_val',
  'iter_last_val',
  'accuracy_best_test',
  'accuracy_last_test',
  'ix_q_value_update',
  'epsilon',
  'time_finished',
  'machine_run_on',
] as const;
export type ReplayCsvColumn = (typeof REPLAY_CSV_COLUMNS)[number];

/**
 * CSV injection (OWASP): a cell starting with "=", "+", "-", "@", tab or carriage return is a
 * formula to a spreadsheet, so such text cells are written with a leading "'" (papaparse's
 * `escapeFormulae`). A number stays a number: "-1.0" and "1e-7" are left alone.
 */
export const FORMULA_START = /^(?![-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$)[=+\-@\t\r]/;

/** Reads back a text cell `exportReplayCsv` escaped: "'=x" was "=x". */
function unescapeCell(text: string): string {
  return text.startsWith("'") && FORMULA_START.test(text.slice(1)) ? text.slice(1) : text;
}

/** The original writes -1.0 for a value it did not measure. */
const NOT_MEASURED = -1;
/** `machine_run_on` of rows whose machine is not known (the original's own placeholder). */
const UNKNOWN_MACHINE = 'unknown';

// ---------------------------------------------------------------------------------------------
// export

export interface ReplayCsvExportOptions {
  /** Dropout rule the nets were trained with (the search's `training.dropoutRule`). Default 'seed'. */
  readonly dropout?: DropoutRule;
  /** The agent's replay memory (`Agent.toJSON().replay`): gives every row its own ε. */
  readonly agentReplay?: readonly AgentSample[];
}

/** Python's repr of a float, as pandas writes it: whole numbers keep ".0". */
function pythonFloat(x: number): string {
  return Number.isInteger(x) ? x.toFixed(1) : String(x);
}

/** 1-based epoch of the first best validation accuracy; 0 without a curve. */
function bestEpoch(entry: ReplayEntry): number {
  let best = 0;
  entry.valCurve.forEach((point, i) => {
    if (best === 0 || point.accuracy > entry.valCurve[best - 1]!.accuracy) best = i + 1;
  });
  return best;
}

/** A search's replay memory as replay_database.csv text, one row per sampled iteration. */
export function exportReplayCsv(entries: readonly ReplayEntry[], options: ReplayCsvExportOptions = {}): string {
  const dropout = options.dropout ?? 'seed';
  const byNet = new Map(entries.map((entry) => [entry.netString, entry]));
  const trainedForm = new Map<string, string>();
  const data = replayIterations(entries, options.agentReplay).map((row) => {
    const entry = byNet.get(row.netString)!;
    let net = trainedForm.get(entry.netString);
    if (net === undefined) {
      net = formatNetwork(insertDropout(parseNetwork(entry.netString), dropout));
      trainedForm.set(entry.netString, net);
    }
    return [
      net,
      pythonFloat(entry.bestValAccuracy),
      pythonFloat(bestEpoch(entry)),
      pythonFloat(entry.finalValAccuracy),
      pythonFloat(entry.valCurve.length),
      pythonFloat(NOT_MEASURED),
      pythonFloat(entry.testAccuracy ?? NOT_MEASURED),
      pythonFloat(row.iteration),
      pythonFloat(row.epsilon),
      pythonFloat(entry.finishedAt / 1000),
      entry.trainedBy ?? UNKNOWN_MACHINE,
    ];
  });
  return `${Papa.unparse({ fields: [...REPLAY_CSV_COLUMNS], data }, { newline: '\n', escapeFormulae: FORMULA_START })}\n`;
}

// ---------------------------------------------------------------------------------------------
// import

export interface ImportIssue {
  /** 1-based line of the file where the row starts (the header is line 1). */
  readonly line: number;
  readonly message: string;
}

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

interface RawRow {
  readonly line: number;
  readonly fields: readonly string[];
  readonly parseError: string | undefined;
}

interface Row {
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

/** Rejects a row: the message names the column and the value. */
class RowError extends Error {}

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

function readRows(text: string): RawRow[] {
  const lineOf = lineLocator(text);
  const rows: RawRow[] = [];
  let rowStart = 0;
  Papa.parse<string[]>(text, {
    delimiter: ',',
    step: (result) => {
      rows.push({ line: lineOf(rowStart), fields: result.data, parseError: result.errors[0]?.message });
      rowStart = result.meta.cursor;
    },
  });
  return rows.filter((row) => !(row.fields.length === 1 && row.fields[0]!.trim() === '' && row.parseError === undefined));
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

interface NetFacts {
  readonly key: string;
  readonly classes: number | null;
  readonly params: number;
  readonly multiplyAdds: number;
}

/**
 * Reads a replay_database.csv (this app's or the original code's). See the file comment for
 * the rules. A file over the size or line-length limits (limits.ts) throws `ImportLimitError`
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
  const counts = {
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
  const failed = (line: number, message: string): ReplayCsvImport => ({
    entries: [],
    iterations: [],
    warnings,
    errors: [{ line, message }],
    stats: { ...counts, acceptedRows: 0, distinctNets: 0, failedToLearnNets: 0, iterationsFrom: 'column' },
  });

  const [header, ...dataRows] = readRows(text);
  if (header === undefined) return failed(1, `the file is empty; expected a header row: ${REPLAY_CSV_COLUMNS.join(',')}`);
  if (header.parseError !== undefined) return failed(header.line, `header row: malformed CSV: ${header.parseError}`);
  const names = header.fields.map((name) => name.trim());
  const index = new Map<string, number>();
  for (const [i, name] of names.entries()) {
    if (index.has(name)) return failed(header.line, `header row: column "${name}" appears twice`);
    index.set(name, i);
  }
  const missing = REPLAY_CSV_COLUMNS.filter((column) => !index.has(column));
  if (missing.length > 0) {
    return failed(
      header.line,
      `header row: missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}; expected ${REPLAY_CSV_COLUMNS.join(',')}`,
    );
  }
  const extra = names.filter((name) => !(REPLAY_CSV_COLUMNS as readonly string[]).includes(name));
  if (extra.length > 0) {
    warnings.push({ line: header.line, message: `ignored column${extra.length > 1 ? 's' : ''} ${extra.map((n) => JSON.stringify(n)).join(', ')}` });
  }

  const netFacts = new Map<string, NetFacts | string>();
  const factsOf = (netText: string): NetFacts => {
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
          params: countParams(net, options.inputShape),
          multiplyAdds: countMultiplyAdds(net, options.inputShape),
        };
      } catch (error) {
        const { height, width, channels } = options.inputShape;
        const problem = error instanceof Error ? error.message : String(error);
        facts = error instanceof NetworkSyntaxError ? problem : `cannot be built on a ${height}x${width}x${channels} input: ${problem}`;
      }
      netFacts.set(netText, facts);
    }
    if (typeof facts === 'string') throw new RowError(`net ${JSON.stringify(shorten(netText))}: ${shorten(facts, 300)}`);
    return facts;
  };

  const rows: Row[] = [];
  for (const raw of dataRows) {
    counts.rows++;
    try {
      if (raw.parseError !== undefined) throw new RowError(`malformed CSV: ${raw.parseError}`);
      if (raw.fields.length !== names.length) {
        throw new RowError(`expected ${names.length} fields (one per header column), found ${raw.fields.length}`);
      }
      const field = (column: ReplayCsvColumn): string => raw.fields[index.get(column)!]!;
      const netText = field('net').trim();
      const facts = factsOf(netText);
      const bestVal = accuracy('accuracy_best_val', field('accuracy_best_val'), false);
      const lastVal = accuracy('accuracy_last_val', field('accuracy_last_val'), false);
      const bestTest = accuracy('accuracy_best_test', field('accuracy_best_test'), true);
      const lastTest = accuracy('accuracy_last_test', field('accuracy_last_test'), true);
      for (const column of ['iter_best_val', 'iter_last_val'] as const) {
        if (number(column, field(column)) < 0) throw new RowError(`${column}: ${field(column).trim()} is negative`);
      }
      const ix = number('ix_q_value_update', field('ix_q_value_update'));
      if (!Number.isSafeInteger(ix) || ix < 0) {
        throw new RowError(`ix_q_value_update: expected a whole number >= 0, found ${field('ix_q_value_update').trim()}`);
      }
      const epsilon = number('epsilon', field('epsilon'));
      if (epsilon < 0 || epsilon > 1) throw new RowError(`epsilon: ${field('epsilon').trim()} is outside 0..1`);
      const seconds = number('time_finished', field('time_finished'));
      if (seconds < 0) throw new RowError(`time_finished: ${field('time_finished').trim()} is negative`);
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
        const listed = percentColumns.map(([column]) => `${column} ${field(column).trim()}`).join(', ');
        warnings.push({ line: raw.line, message: `accuracies written as percentages (${listed}): divided by 100` });
      }
      const test = lastTest.value ?? bestTest.value;
      if (test === null) counts.testNotMeasuredRows++;
      if (/\bD\s*\(/.test(netText)) counts.dropoutTokenRows++;
      if (machine === '' || machine === UNKNOWN_MACHINE) counts.unknownMachineRows++;
      if (seconds === 0) counts.unknownTimeRows++;
      rows.push({
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
      });
    } catch (error) {
      if (!(error instanceof RowError)) throw error;
      counts.rejectedRows++;
      errors.push({ line: raw.line, message: error.message });
    }
  }

  // Iteration numbers: the column when it numbers rows one by one, else row order.
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
  const iterationsFrom = repeat === undefined ? 'column' : 'row-order';
  if (repeat !== undefined) {
    warnings.push({
      line: repeat.line,
      message:
        `ix_q_value_update ${repeat.ix} repeats (first on line ${repeat.firstLine}): in this file it does not number ` +
        'the iterations (the original server writes one value per round of Q-value updates), so iterations are numbered by row order',
    });
  }
  const numbered = sortIterations(rows.map((row, i) => ({ row, iteration: repeat === undefined ? row.ix : i + 1 })));

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
      const chance = row.classes === null ? null : 1 / row.classes;
      const status: ReplayStatus = chance !== null && row.bestVal <= chance + 1e-9 ? 'failed-to-learn' : 'ok';
      const candidate: ReplayEntry = {
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
      const checked = v.safeParse(ReplayEntrySchema, candidate);
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
            `${row.key} was first imported from line ${first.line} with a different result: here ${differences.join(', ')}; ` +
            `kept line ${first.line}'s result, this row counts as one more sampling of the net`,
        });
      }
    }
    if (iteration !== 0) first.iterations.push(iteration);
    iterations.push({ iteration, netString: row.key, epsilon: row.epsilon, accuracy: first.entry.bestValAccuracy });
  }

  const entries = [...kept.values()].map(({ entry, iterations: its }) => ({ ...entry, iterations: [...new Set(its)].sort((a, b) => a - b) }));
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
