/**
 * Limits on what an import of results (replay CSV, replay JSON, search archive) may make the
 * page hold, all in one place. Each is checked BEFORE the work it protects (reading, parsing,
 * inflating, rendering), and a refusal names the file, the limit and the value found. Every
 * number sits well above anything this app or the original MetaQNN code writes; the reason is
 * beside it. Record field limits (net string length, ids, dates) live with the record
 * schemas in src/store/records.ts, so the store refuses them too.
 */
import { NET_STRING_MAX_CHARS } from '../../store/records';

export { NET_STRING_MAX_CHARS };

const MiB = 1024 * 1024;

/**
 * A replay_database.csv file. The paper's full run (2,700 iterations) is about 0.5 MB and the
 * authors' SVHN file 0.33 MB; 64 MiB is over 100 paper runs, and a string of that size
 * (held twice while parsing) stays far inside a tab's memory.
 */
export const REPLAY_CSV_MAX_BYTES = 64 * MiB;

/**
 * One line of a replay CSV: a net string at its limit plus ten numbers and a tab id. A longer
 * line is refused before parsing: a 50 MB line once crashed the renderer when shown.
 */
export const REPLAY_CSV_MAX_LINE_CHARS = NET_STRING_MAX_CHARS + 1024;

/**
 * One row of a replay CSV, quotes and quoted line breaks included: the same room as a line. A
 * quoted field may hold line breaks, so a row of short lines can be megabytes long; the row
 * is refused as soon as the parser has read it, before any of it is checked or shown.
 */
export const REPLAY_CSV_MAX_ROW_CHARS = REPLAY_CSV_MAX_LINE_CHARS;

/** A replay JSON file: every field of every entry (curves, timings) is ~5x the CSV's row. */
export const REPLAY_JSON_MAX_BYTES = 256 * MiB;

/**
 * A search archive (.zip) as a file. Weights dominate it: a paper-space net holds up to ~11 M
 * float32 parameters (45 MB), and a search keeps weights for its best nets; 1 GiB is room
 * for ~20 such nets and still fits a tab's ArrayBuffer limits.
 */
export const ARCHIVE_MAX_BYTES = 1024 * MiB;

/** Everything an archive decompresses to, by the sizes its zip directory declares. Same reasoning as the file. */
export const ARCHIVE_MAX_UNPACKED_BYTES = 1024 * MiB;

/** search.json decompressed: the records without weights (a paper run with curves is ~10 MB). */
export const ARCHIVE_MAX_MANIFEST_BYTES = 128 * MiB;

/**
 * Entries in the zip: search.json plus one weights file per net with saved weights. The
 * paper's schedule has 2,700 nets; 10,000 leaves room for larger custom schedules.
 */
export const ARCHIVE_MAX_ENTRIES = 10_001;

/** Entry names in the zip: the app writes `search.json` and `weights/<n>.bin`. */
export const ARCHIVE_MAX_NAME_CHARS = 256;

/** Longest error message shown: messages quote imported values, and a 50 MB one must never reach the page. */
export const MESSAGE_MAX_SHOWN = 2000;

/** Longest piece of an imported string shown in a message or on the page. */
export const SHOWN_TEXT_MAX_CHARS = 120;

/** An import refused for its size; nothing was read past the check, nothing written. */
export class ImportLimitError extends Error {
  override readonly name = 'ImportLimitError';
  constructor(
    /** The file (or zip entry) refused. */
    readonly file: string,
    /** What was measured, e.g. "line 2". */
    readonly what: string,
    readonly limit: number,
    readonly found: number,
    readonly unit: string,
  ) {
    super(`${file}: ${what} is ${found.toLocaleString('en-US')} ${unit}, over the limit of ${limit.toLocaleString('en-US')} ${unit}`);
  }
}

/** Throws `ImportLimitError` when `found` is over `limit`. */
export function checkLimit(file: string, what: string, found: number, limit: number, unit: string): void {
  if (found > limit) throw new ImportLimitError(file, what, limit, found, unit);
}

/** A long imported string cut for a message or the page: "[C(64,3,1), …" + how much was left out. */
export function shorten(text: string, max = SHOWN_TEXT_MAX_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${(text.length - max).toLocaleString('en-US')} more characters)`;
}

/**
 * The first line of `text` longer than `max` characters, found without splitting the text (a
 * 50 MB line must not be copied): `{ line (1-based), chars }`, or undefined when all fit.
 * Lines end at "\n" (a "\r" before it is not counted), or at "\r" in files without "\n",
 * the same rule the CSV reader's line numbers follow.
 */
export function firstLongLine(text: string, max: number): { line: number; chars: number } | undefined {
  const breakChar = text.includes('\n') ? '\n' : '\r';
  let start = 0;
  for (let line = 1; start <= text.length; line++) {
    let end = text.indexOf(breakChar, start);
    if (end === -1) end = text.length;
    const chars = end - start - (breakChar === '\n' && end > start && text.charCodeAt(end - 1) === 13 ? 1 : 0);
    if (chars > max) return { line, chars };
    start = end + 1;
  }
  return undefined;
}
