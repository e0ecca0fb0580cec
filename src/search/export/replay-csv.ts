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
 *
 * This file holds the format (columns, escaping, placeholders); the writing is in
 * replay-csv-export.ts, the reading in replay-csv-import.ts (the file and its merging of rows)
 * and replay-csv-rows.ts (one row at a time).
 */
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
export function unescapeCell(text: string): string {
  return text.startsWith("'") && FORMULA_START.test(text.slice(1)) ? text.slice(1) : text;
}

/** The original writes -1.0 for a value it did not measure. */
export const NOT_MEASURED = -1;
/** `machine_run_on` of rows whose machine is not known (the original's own placeholder). */
export const UNKNOWN_MACHINE = 'unknown';
