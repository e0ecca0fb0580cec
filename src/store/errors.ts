/** Errors the store throws. Each names the store and key it is about. */

/** Key of a record, as people read it in a message: `"abc"`, `["s1","[C(64,3,1), SM(10)]"]`. */
export function describeKey(key: unknown): string {
  try {
    return JSON.stringify(key) ?? String(key);
  } catch {
    return String(key);
  }
}

/** A record read from (or about to be written to) IndexedDB has the wrong shape. */
export class RecordValidationError extends Error {
  override readonly name = 'RecordValidationError';
  constructor(
    readonly store: string,
    readonly key: unknown,
    /** Dotted path of the bad field (`latency.batch1Ms`), or '' when the record itself is wrong. */
    readonly field: string,
    readonly reason: string,
    readonly direction: 'read' | 'write',
  ) {
    const where = field === '' ? 'the record' : `field "${field}"`;
    const verb = direction === 'read' ? 'read from' : 'to write to';
    super(`Malformed record ${verb} store "${store}" at key ${describeKey(key)}: ${where}: ${reason}`);
  }
}

/** A record the operation needs does not exist. */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
  constructor(
    readonly store: string,
    readonly key: unknown,
  ) {
    super(`No record in store "${store}" at key ${describeKey(key)}`);
  }
}

/** A record the operation would create exists already. */
export class AlreadyExistsError extends Error {
  override readonly name = 'AlreadyExistsError';
  constructor(
    readonly store: string,
    readonly key: unknown,
    detail = 'exists already',
  ) {
    super(`Record in store "${store}" at key ${describeKey(key)} ${detail}`);
  }
}

/** A net already has a different result in this search's replay memory (a net is trained once per search). */
export class DuplicateNetError extends Error {
  override readonly name = 'DuplicateNetError';
  constructor(
    readonly searchId: string,
    readonly netString: string,
    detail: string,
  ) {
    super(`Search "${searchId}" already has net ${netString}: ${detail}`);
  }
}

/** The agent state was written by someone else since the caller read it. */
export class RevisionConflictError extends Error {
  override readonly name = 'RevisionConflictError';
  constructor(
    readonly searchId: string,
    readonly expected: number,
    readonly actual: number,
  ) {
    super(`Agent state of search "${searchId}" is at revision ${actual}, expected ${expected}`);
  }
}

/**
 * The browser refused a write for lack of space. For weights the search goes on without
 * them; for datasets the import fails as a whole.
 */
export class QuotaError extends Error {
  override readonly name = 'QuotaError';
  constructor(
    readonly store: string,
    readonly key: unknown,
    readonly byteLength: number,
    options?: { cause?: unknown },
  ) {
    super(
      `Not enough storage to write ${byteLength} bytes to store "${store}" at key ${describeKey(key)}`,
      options,
    );
  }
}

/** The database could not be opened or upgraded. */
export class DatabaseOpenError extends Error {
  override readonly name = 'DatabaseOpenError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** `error.name` of an Error or DOMException (not every engine makes DOMException an Error). */
export function errorName(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('name' in error)) return undefined;
  return typeof error.name === 'string' ? error.name : undefined;
}

export function isQuotaExceeded(error: unknown): boolean {
  const name = errorName(error);
  // NS_ERROR_DOM_QUOTA_REACHED: older Firefox.
  return name === 'QuotaExceededError' || name === 'NS_ERROR_DOM_QUOTA_REACHED';
}
