/**
 * Errors a person can act on: each names the file and, where it applies, the byte offset.
 * Only `message` and `name` survive a comlink boundary, so the message carries everything.
 */

/** A file that is not the dataset it claims to be, or a set of files that do not fit together. */
export class DatasetImportError extends Error {
  override readonly name = 'DatasetImportError';
  /** The file (path as given) the problem is in; for problems of the whole set, a summary. */
  readonly file: string;
  /** Byte offset of the problem within `file`, where it applies. */
  readonly offset: number | undefined;

  constructor(file: string, problem: string, offset?: number) {
    super(offset === undefined ? `${file}: ${problem}` : `${file} (byte offset ${offset}): ${problem}`);
    this.file = file;
    this.offset = offset;
  }
}

/** A shipped dataset that could not be fetched or does not match its manifest. */
export class DatasetLoadError extends Error {
  override readonly name = 'DatasetLoadError';
  /** The URL of the file that failed. */
  readonly file: string;

  constructor(file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.file = file;
  }
}
